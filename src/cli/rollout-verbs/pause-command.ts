import type { Command } from 'commander';
import { actionVerb } from './action-verb.js';

/** `gradual pause ROLLOUT...`: sets spec.paused; the rollout holds where it is until resumed or promoted. */
export function pauseCommand(): Command {
  return actionVerb('pause', 'pause a rollout (spec.paused: true)', { kind: 'pause' });
}
