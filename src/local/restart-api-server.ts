import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log/index.js';
import { readEnvironment, writeEnvironment } from './environment.js';
import { SetupError } from './errors.js';
import { httpsGet } from './https-get.js';
import { isRunning, startProcess, stopProcess } from './process-supervisor.js';
import { waitUntil } from './wait-until.js';

/** The API server of a running environment, stopped; start() brings it back on the same port, flags and certificates. */
export interface StoppedApiServer {
  /** Starts it again with the command line it had and waits until /readyz answers 200; env.json then records the new process. */
  start(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * For drills (issue 22, R8): stops the kube-apiserver of the environment in `dir` and nothing else (etcd
 * keeps its data, the controller-manager, KWOK and every client keep running and must reconnect; they do). An
 * outage over the node monitor grace period (50 s, counting the restarted server's own start) makes the
 * controller-manager mark every pod not ready; KWOK makes them ready again as a kubelet would (kwok-nodes.ts,
 * gradual-pod-ready-again), so a long restart costs a few seconds of unready pods, not a stuck rollout. Its
 * command line is read from /proc before it stops, so the restart is the same process an operator's
 * systemd unit or static pod would start again: the same flags, port and certificates. `kill` sends
 * SIGKILL (a crash: no watch is closed cleanly); otherwise SIGTERM (a graceful restart).
 */
export async function stopApiServer(options: { dir: string; kill?: boolean; logger: Logger }): Promise<StoppedApiServer> {
  const environment = await readEnvironment(options.dir);
  const record = environment.processes.find((candidate) => candidate.name === 'kube-apiserver');
  if (record === undefined || !(await isRunning(record)))
    throw new SetupError('ENVIRONMENT_MISSING', `No running kube-apiserver in the environment in ${environment.dir}`);
  const cmdline = await readFile(`/proc/${String(record.pid)}/cmdline`, 'utf8');
  const [command, ...args] = cmdline.split('\0').filter((part) => part !== '');
  if (command !== record.command)
    throw new SetupError('INVALID_INPUT', `pid ${String(record.pid)} runs ${String(command)}, not ${record.command}`);
  if (options.kill === true) {
    process.kill(record.pid, 'SIGKILL');
    while (await isRunning(record)) await delay(20);
  } else await stopProcess(record);
  options.logger.info({ component: 'kube-apiserver', pid: record.pid, kill: options.kill === true }, 'stopped');

  return {
    async start(startOptions = {}) {
      const started = startProcess({ name: record.name, command: record.command, args, logFile: record.logFile });
      // Recorded before the wait: a restart that never gets ready must still be stopped by `local down`.
      const current = await readEnvironment(options.dir);
      await writeEnvironment(environment.dir, {
        ...current,
        processes: current.processes.map((candidate) => (candidate.pid === record.pid ? started.record : candidate)),
      });
      const pki = join(environment.dir, 'pki');
      const tls = {
        ca: await readFile(join(pki, 'ca.crt'), 'utf8'),
        cert: await readFile(join(pki, 'admin.crt'), 'utf8'),
        key: await readFile(join(pki, 'admin.key'), 'utf8'),
      };
      const url = environment.kubernetes.apiServerUrl;
      await waitUntil(async () => (await httpsGet(`${url}/readyz`, tls)).status === 200, {
        what: `kube-apiserver at ${url} after its restart`,
        timeoutMs: startOptions.timeoutMs ?? 240_000,
        abortOn: [started.exited],
      });
      options.logger.info({ component: 'kube-apiserver', pid: started.record.pid, url }, 'restarted and ready');
    },
  };
}
