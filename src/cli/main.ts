#!/usr/bin/env node
import { Command } from 'commander';
import { rootLogger } from '../log/index.js';
import { SetupError } from '../local/errors.js';
import { botCommand, startCommand } from './bot-command.js';
import { controllerCommand } from './controller-command.js';
import { dashboardCommand } from './dashboard-command.js';
import { demoCommand } from './demo-command.js';
import { lintCommand } from './lint-command.js';
import { localCommand } from './local-command.js';
import { rolloutVerbCommands } from './rollout-verbs/index.js';
import { packageVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('gradual')
    .description('Pull-request-driven progressive delivery for Kubernetes (Argo Rollouts compatible)')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError()
    .addCommand(localCommand())
    .addCommand(controllerCommand())
    .addCommand(startCommand())
    .addCommand(botCommand())
    .addCommand(lintCommand())
    .addCommand(demoCommand())
    .addCommand(dashboardCommand());
  for (const verb of rolloutVerbCommands()) program.addCommand(verb);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (cause) {
  // A set-up error is the user's to fix: say what and where, without a stack.
  if (cause instanceof SetupError) {
    process.stderr.write(`gradual: ${cause.message}\n`);
    process.exitCode = 2;
  } else {
    rootLogger().error({ err: cause }, 'failed');
    process.exitCode = 1;
  }
}
