import { Command } from 'commander';
import { actionVerb } from './action-verb.js';

/** `gradual retry rollout ROLLOUT...` (Argo's verb and aliases): clears status.abort so the controller tries the new revision again. */
export function retryCommand(): Command {
  const retry = new Command('retry').description('retry an aborted rollout');
  retry.addCommand(actionVerb('rollout', 'retry an aborted rollout', { kind: 'retry' }).aliases(['ro', 'rollouts']));
  return retry;
}
