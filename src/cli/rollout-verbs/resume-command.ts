import type { Command } from 'commander';
import { actionVerb } from './action-verb.js';

/** `gradual resume ROLLOUT...`: undoes `pause` (spec.paused: false); a pause step still waits for `promote`. */
export function resumeCommand(): Command {
  return actionVerb('resume', 'resume a manually paused rollout (spec.paused: false); a pause step still needs promote', {
    kind: 'resume',
  });
}
