import type { Command } from 'commander';
import { actionVerb } from './action-verb.js';

/** `gradual abort ROLLOUT...`: sets status.abort; the controller returns traffic and replicas to the stable ReplicaSet. */
export function abortCommand(): Command {
  return actionVerb('abort', 'abort a rollout: the stable ReplicaSet takes over again (spec.template still names the new version)', {
    kind: 'abort',
  });
}
