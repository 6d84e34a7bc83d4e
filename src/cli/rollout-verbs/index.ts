// The rollout verbs of `gradual` (Argo's kubectl plugin's counterparts): main.ts adds each command.
import type { Command } from 'commander';
import { abortCommand } from './abort-command.js';
import { getCommand } from './get-rollout-command.js';
import { listCommand } from './list-rollouts-command.js';
import { pauseCommand } from './pause-command.js';
import { promoteCommand } from './promote-command.js';
import { restartCommand } from './restart-command.js';
import { resumeCommand } from './resume-command.js';
import { retryCommand } from './retry-command.js';
import { setCommand } from './set-image-command.js';
import { statusCommand } from './status-command.js';
import { terminateCommand } from './terminate-command.js';
import { undoCommand } from './undo-command.js';

export function rolloutVerbCommands(): Command[] {
  return [
    getCommand(),
    listCommand(),
    statusCommand(),
    promoteCommand(),
    abortCommand(),
    retryCommand(),
    pauseCommand(),
    resumeCommand(),
    restartCommand(),
    undoCommand(),
    setCommand(),
    terminateCommand(),
  ];
}
