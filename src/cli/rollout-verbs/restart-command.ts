import { Command, InvalidArgumentError } from 'commander';
import { parseGoDuration } from '../../api/index.js';
import { restartDelaySeconds } from '../../rollout-actions/patches.js';
import { runVerb } from './action-verb.js';
import { verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';

interface RestartOptions extends KubeOptions {
  in?: string;
}

function delayOption(value: string): string {
  const seconds = restartDelaySeconds(value, parseGoDuration);
  if (seconds === undefined) throw new InvalidArgumentError('a duration such as 30s, 5m or 1h');
  return value;
}

/** `gradual restart ROLLOUT [--in D]`: sets spec.restartAt (now, or D from now); the controller replaces older pods. */
export function restartCommand(): Command {
  return withKubeOptions(new Command('restart'))
    .description('restart the pods of a rollout (spec.restartAt)')
    .argument('<rollout>', 'name of the Rollout')
    .option('-i, --in <duration>', 'time before the restart (e.g. 30s, 5m, 1h)', delayOption)
    .action(
      verbAction(async (name: string, options: RestartOptions) => {
        const seconds = options.in === undefined ? 0 : (restartDelaySeconds(options.in, parseGoDuration) ?? 0);
        await runVerb(options, [name], { kind: 'restart', at: new Date(Date.now() + seconds * 1000) }, false);
        process.stdout.write(`rollout '${name}' restarts in ${options.in ?? '0s'}\n`);
      }),
    );
}
