import { Command, InvalidArgumentError } from 'commander';
import { parseGoDuration } from '../../api/index.js';
import { readRollout, RolloutVerbError } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { rolloutPhase, type PhaseAndMessage } from '../../rollout-view/rollout-phase.js';
import { watchRollout } from './watch-rollout.js';

interface StatusOptions extends KubeOptions {
  watch: boolean;
  timeout: number;
}

/** Cobra's bool flag syntax, so Argo's `--watch=false` works unchanged. */
export function booleanOption(value: string): boolean {
  if (['true', 't', '1'].includes(value.toLowerCase())) return true;
  if (['false', 'f', '0'].includes(value.toLowerCase())) return false;
  throw new InvalidArgumentError('true or false');
}

function durationOption(value: string): number {
  const seconds = parseGoDuration(value);
  if (seconds === undefined || seconds < 0) throw new InvalidArgumentError('a duration such as 60s, 5m or 1h (0: no limit)');
  return seconds;
}

function isDone(status: PhaseAndMessage): boolean {
  return status.phase === 'Healthy' || status.phase === 'Degraded';
}

/** Prints a status line when it differs from the last one, as Argo's WatchStatus does. */
function statusPrinter(): (status: PhaseAndMessage) => void {
  let previous = '';
  return (status) => {
    const line = status.message === '' ? status.phase : `${status.phase} - ${status.message}`;
    if (line !== previous) process.stdout.write(`${line}\n`);
    previous = line;
  };
}

/**
 * `gradual status ROLLOUT [--watch=false] [--timeout D]`: prints the phase;
 * by default waits (watching, not polling) until Healthy (exit 0) or
 * Degraded (exit 1), or the timeout (exit 1). With --watch=false a paused or
 * progressing rollout exits 0, as Argo's plugin does.
 */
export function statusCommand(): Command {
  return withKubeOptions(new Command('status'))
    .description('show the status of a rollout; by default wait until it is Healthy (exit 0) or Degraded (exit 1)')
    .argument('<rollout>', 'name of the Rollout')
    .option('-w, --watch [bool]', 'watch until the rollout is done (--watch=false: print once)', booleanOption, true)
    .option('-t, --timeout <duration>', 'give up watching after this long (e.g. 60s); 0 waits forever', durationOption, 0)
    .action(
      verbAction(async (name: string, options: StatusOptions) => {
        const kube = kubeContext(options);
        const rollout = await readRollout(kube, name);
        let status = rolloutPhase(rollout);
        if (!options.watch) {
          process.stdout.write(isDone(status) ? `${status.phase}\n` : `${status.phase} - ${status.message}\n`);
        } else {
          const print = statusPrinter();
          print(status);
          if (!isDone(status)) status = await waitUntilDone(kube, name, rollout.metadata.resourceVersion, options.timeout, status, print);
        }
        if (status.phase === 'Degraded')
          throw new RolloutVerbError('DEGRADED', `The rollout is in a degraded state with message: ${status.message}`);
        if (status.phase !== 'Healthy' && options.watch) throw new RolloutVerbError('TIMEOUT', 'Rollout status watch exceeded timeout');
      }),
    );
}

function waitUntilDone(
  kube: ReturnType<typeof kubeContext>,
  name: string,
  resourceVersion: string | undefined,
  timeoutSeconds: number,
  initial: PhaseAndMessage,
  print: (status: PhaseAndMessage) => void,
): Promise<PhaseAndMessage> {
  return new Promise((resolve, reject) => {
    let last = initial;
    let timer: NodeJS.Timeout | undefined;
    const watch = watchRollout(
      kube,
      name,
      resourceVersion,
      (rollout) => {
        last = rolloutPhase(rollout);
        print(last);
        if (isDone(last)) finish();
      },
      (cause) => {
        clearTimeout(timer);
        watch.stop();
        reject(cause instanceof Error ? cause : new Error(String(cause)));
      },
    );
    function finish(): void {
      clearTimeout(timer);
      watch.stop();
      resolve(last);
    }
    if (timeoutSeconds > 0) timer = setTimeout(finish, timeoutSeconds * 1000);
  });
}
