import type { CommandName } from '../../policies/types.js';
import type { CommandSyntax } from './types.js';

/** Every command, in the order the help lists them. */
export const commandSyntax: Record<CommandName, CommandSyntax> = {
  promote: {
    target: true,
    full: true,
    usage: '/promote [name] [--full]',
    description: 'go on past the current pause or inconclusive analysis; `--full` skips every remaining step',
  },
  abort: {
    target: true,
    full: false,
    usage: '/abort [name]',
    description: 'stop the rollout and send all traffic back to the stable version',
  },
  retry: { target: true, full: false, usage: '/retry [name]', description: 'start an aborted rollout again from its first step' },
  pause: { target: true, full: false, usage: '/pause [name]', description: 'hold the rollout where it is' },
  resume: { target: true, full: false, usage: '/resume [name]', description: 'let a rollout paused with `/pause` go on' },
  status: { target: false, full: false, usage: '/status', description: 'reply with where every rollout of this pull request stands' },
  deploy: { target: false, full: false, usage: '/deploy', description: 'deploy this pull request (when the policy deploys on command)' },
  unlock: { target: false, full: false, usage: '/unlock', description: "release the environment's lock held by this pull request" },
  help: { target: false, full: false, usage: '/help', description: 'reply with this list' },
};
