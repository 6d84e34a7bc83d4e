// `gradual start` at rest with N Healthy Rollouts (issue 21: one cache per kind): the resident memory of the
// whole process (engine, AnalysisRun controller, dashboard and the bot's reporter) once it has settled, for one
// or more compiled builds side by side, alternating their order run by run on the same Rollouts, and the median
// of each. Against an environment already up (`gradual local up --dir DIR`):
//
//   npx tsx bench/start-idle.ts --env DIR [--rollouts 1000] [--runs 3] [--idle-ms 30000] NAME=path/to/dist/cli/main.js ...
//
// Each build is a tree compiled with `tsc -p tsconfig.build.json`, run as its image runs it (plain node,
// NODE_ENV=production). The bot talks to the environment's local GitHub only; nothing leaves loopback.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRestClient } from '../src/kube/index.js';
import { readEnvironment } from '../src/local/environment.js';
import { allocatePorts } from '../src/local/ports.js';
import { startProcess, stopProcess } from '../src/local/process-supervisor.js';
import { waitUntil } from '../src/local/wait-until.js';
import { createLogger } from '../src/log/index.js';
import { createNamespace, withConcurrency } from './controller.js';
import { addKwokNodes, kubeConfigOf } from './local-environment.js';
import { header, row } from './report.js';
import { measureIdleWindow, waitSettled } from './side-by-side-process.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    env: { type: 'string' },
    rollouts: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    'idle-ms': { type: 'string', default: '30000' },
  },
});
const count = Number(values.rollouts);
const runs = Number(values.runs);
const idleMs = Number(values['idle-ms']);
if (values.env === undefined || positionals.length === 0 || !Number.isInteger(count) || count < 1 || !Number.isInteger(runs) || runs < 1) {
  throw new Error('usage: bench/start-idle.ts --env DIR [--rollouts N] [--runs N] [--idle-ms MS] NAME=dist/cli/main.js ...');
}
const builds = positionals.map((entry) => {
  const [name = '', path = ''] = entry.split('=');
  if (name === '' || path === '') throw new Error(`a build is NAME=path/to/dist/cli/main.js, got "${entry}"`);
  return { name, path };
});

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
const environment = await readEnvironment(values.env);
const github = environment.github;
if (github === undefined) throw new Error('the environment has no local GitHub');
const kubeConfig = kubeConfigOf(environment);
const rest = createRestClient(kubeConfig);
const namespace = `bench-start-idle-${String(count)}`;
const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`;
const work = await mkdtemp(join(tmpdir(), 'gradual-start-idle-'));
const configFile = join(work, 'gradual.yaml');
await writeFile(
  configFile,
  `clusters:\n  local:\n    kubeconfig: ${environment.kubernetes.kubeconfig}\nrepositories:\n  - match: bench/*\n    environments: { '*': local }\ncacheDir: ${join(work, 'clones')}\n`,
);

function rollout(name: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

// The Rollouts are made once and kept for every run (a run's process finds them Healthy, as after a restart).
await createNamespace(kubeConfig, namespace).catch((cause: unknown) => {
  if ((cause as { code?: number }).code !== 409) throw cause;
});
await addKwokNodes(kubeConfig, Math.ceil(count / 100), 'bench-start-node');
const names = Array.from({ length: count }, (_, index) => `r-${String(index).padStart(4, '0')}`);
await withConcurrency(names, 20, (name) =>
  rest.request({ method: 'POST', path, body: rollout(name) }).catch((cause: unknown) => {
    if ((cause as { code?: number }).code !== 409) throw cause;
  }),
);

async function healthy(): Promise<number> {
  const list = await rest.request<{ items: { status?: { phase?: string } }[] }>({ method: 'GET', path });
  return list.items.filter((item) => item.status?.phase === 'Healthy').length;
}

/** The V8 heap (used, total) and the memory outside it (external: buffers), in MiB, from the process's own /metrics (prom-client's default metrics). */
async function heapFigures(metricsPort: number): Promise<{ heapUsed: string; heapTotal: string; external: string }> {
  const text = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
  const mib = (name: string): string => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
    return line === undefined ? '?' : (Number(line.split(' ')[1]) / 2 ** 20).toFixed(0);
  };
  return {
    heapUsed: mib('nodejs_heap_size_used_bytes'),
    heapTotal: mib('nodejs_heap_size_total_bytes'),
    external: mib('nodejs_external_memory_bytes'),
  };
}

async function measure(build: { name: string; path: string }, run: number): Promise<number> {
  const ports = await allocatePorts({ metrics: undefined, healthz: undefined, app: undefined });
  const started = startProcess({
    name: `gradual-start-${build.name}`,
    command: process.execPath,
    args: [
      build.path,
      'start',
      '--config',
      configFile,
      '--kubeconfig',
      environment.kubernetes.kubeconfig,
      '--no-leader-elect',
      '--healthz-port',
      String(ports.healthz),
      '--metrics-port',
      String(ports.metrics),
      '--dashboard-port',
      '0',
    ],
    cwd: work,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_ID: String(github?.appId ?? 0),
      PRIVATE_KEY_PATH: github?.privateKeyFile ?? '',
      WEBHOOK_SECRET: (await readFile(github?.webhookSecretFile ?? '', 'utf8')).trim(),
      GHE_HOST: new URL(github?.url ?? 'http://127.0.0.1').host,
      GHE_PROTOCOL: 'http',
      PORT: String(ports.app),
      HOST: '127.0.0.1',
      GRADUAL_LOG_LEVEL: 'warn',
    },
    logFile: join(work, `gradual-start-${build.name}-${String(run)}.log`),
  });
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(ports.healthz)}/healthz`)).ok, {
      what: 'healthz',
      timeoutMs: 120_000,
      intervalMs: 250,
      abortOn: [started.exited],
    });
    await waitUntil(async () => (await healthy()) === count, {
      what: `${String(count)} Healthy Rollouts`,
      timeoutMs: Math.max(600_000, count * 600),
      intervalMs: 5_000,
      abortOn: [started.exited],
    });
    const settled = await waitSettled(started.record.pid);
    const window = await measureIdleWindow(started.record.pid, idleMs);
    const memory = await heapFigures(ports.metrics);
    row(
      `run ${String(run)}: ${build.name}: RSS after ${String(idleMs / 1000)} s idle (MiB) | V8 heap used / total | external | CPU over it (s)`,
      `${window.rssMiB.toFixed(0)} | ${memory.heapUsed} / ${memory.heapTotal} | ${memory.external} | ${window.cpuSeconds.toFixed(2)}${settled ? '' : ' (never settled)'}`,
    );
    return window.rssMiB;
  } finally {
    await stopProcess(started.record);
  }
}

header(`gradual start at rest with ${String(count)} Healthy Rollouts: RSS, ${String(runs)} runs per build, order alternating`);
const figures = new Map<string, number[]>(builds.map((build) => [build.name, []]));
for (let run = 1; run <= runs; run += 1) {
  const order = run % 2 === 1 ? builds : [...builds].reverse();
  for (const build of order) figures.get(build.name)?.push(await measure(build, run));
}
for (const [name, samples] of figures) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] ?? 0)
      : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  row(`${name}: median RSS (MiB) [runs]`, `${median.toFixed(0)} [${samples.map((sample) => sample.toFixed(0)).join(', ')}]`);
}
logger.info({ work }, 'logs of the runs');
