import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { ownCliInvocation } from '../../../src/local/own-cli.js';
import { allocatePorts } from '../../../src/local/ports.js';
import type { TestGithub } from '../../../src/local/github/testing.js';

// `gradual start` (bot, engine and analysis in one process) started as an operator runs it, for the
// drills of issue 22 (chaos R1, failover R6, API-server restart R8): its own ports, the election
// flags, the bot's config file, the local GitHub's App credentials in the environment, and its
// output in a log file of the test's.

/** Argo's leader-election flags, in milliseconds. */
export interface LeaseTimings {
  duration: number;
  renewDeadline: number;
  retryPeriod: number;
}

export interface GradualProcess {
  child: ChildProcess;
  webhookPort: number;
  webhookUrl: string;
  healthzPort: number;
  metricsPort: number;
  logFile: string;
  /** Resolves when the process has exited (killed or by itself). */
  exited: Promise<void>;
}

export async function startGradualProcess(options: {
  kubeconfigPath: string;
  namespace: string;
  configFile: string;
  github: TestGithub;
  lease: LeaseTimings;
  logFile: string;
}): Promise<GradualProcess> {
  const ports = await allocatePorts({ webhook: undefined, healthz: undefined, metrics: undefined });
  const cli = ownCliInvocation();
  const { lease, github } = options;
  const child = spawn(
    cli.command,
    [
      ...cli.args,
      'start',
      '--kubeconfig',
      options.kubeconfigPath,
      '--namespace',
      options.namespace,
      '--lease-namespace',
      options.namespace,
      '--leader-election-lease-duration',
      `${String(lease.duration)}ms`,
      '--leader-election-renew-deadline',
      `${String(lease.renewDeadline)}ms`,
      '--leader-election-retry-period',
      `${String(lease.retryPeriod)}ms`,
      '--healthz-port',
      String(ports.healthz),
      '--metrics-port',
      String(ports.metrics),
      '--no-dashboard',
      '--config',
      options.configFile,
    ],
    {
      cwd: cli.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        APP_ID: String(github.appId),
        PRIVATE_KEY: github.privateKey,
        WEBHOOK_SECRET: github.webhookSecret,
        GHE_HOST: new URL(github.server.url).host,
        GHE_PROTOCOL: 'http',
        PORT: String(ports.webhook),
        HOST: '127.0.0.1',
        GRADUAL_LOG_LEVEL: 'info',
      },
    },
  );
  const collect = (chunk: Buffer): void => void appendFile(options.logFile, chunk);
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return {
    child,
    webhookPort: ports.webhook,
    webhookUrl: `http://127.0.0.1:${String(ports.webhook)}/api/github/webhooks`,
    healthzPort: ports.healthz,
    metricsPort: ports.metrics,
    logFile: options.logFile,
    exited,
  };
}

/** The HTTP status of a GET on the process's port, or undefined when nothing answers in time. */
export async function probe(port: number, path: string, timeoutMs = 1000): Promise<number | undefined> {
  try {
    return (await fetch(`http://127.0.0.1:${String(port)}${path}`, { signal: AbortSignal.timeout(timeoutMs) })).status;
  } catch {
    return undefined;
  }
}

/** SIGTERM to a process still running, and its exit awaited. */
export async function stopGradualProcess(running: GradualProcess): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  await running.exited;
}
