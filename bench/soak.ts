// npm run bench:soak — the one-hour soak of issue 27: Gradual's compiled controller (as its image
// runs it) drives Rollouts through canary steps with a background analysis without a break — new
// images, promotions, aborts by a person and aborts by a failing metric — while the bench samples
// the process's RSS and V8 heap. After the warm-up it prints the RSS and heap slopes (least squares,
// MiB per 10 minutes) and checks that old ReplicaSets and finished AnalysisRuns were garbage-collected
// to Argo's limits (revisionHistoryLimit; successful/unsuccessfulRunHistoryLimit, 5 each by default).
//
// GRADUAL_SOAK_MINUTES (default 60), GRADUAL_SOAK_ROLLOUTS (default 20), GRADUAL_SOAK_WARMUP_MINUTES
// (default a sixth of the run), GRADUAL_BENCH_ENV_DIR (an environment from `gradual local up --dir D`
// to reuse; otherwise one is started and stopped). The metric server is the bench's own, on loopback.
// GRADUAL_SOAK_SNAPSHOTS (minutes, e.g. "10,35"): the controller runs with --heapsnapshot-signal=SIGUSR2
// and gets the signal at those minutes; the V8 heap snapshots land in GRADUAL_SOAK_SNAPSHOT_DIR (default
// a new temporary directory, printed) for bench/compare-heap-snapshots.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PatchStrategy } from '@kubernetes/client-node';
import { createRestClient, type RestClient } from '../src/kube/index.js';
import { localDown, localUp, readEnvironment, type LocalEnvironment } from '../src/local/index.js';
import { createLogger } from '../src/log/index.js';
import { createNamespace, withConcurrency } from './controller.js';
import { addKwokNodes, kubeConfigOf, rssMiB } from './local-environment.js';
import { header, note, row } from './report.js';
import { deleteNamespaceAndWait, heapMiB, instanceLabel, startController } from './side-by-side-controllers.js';

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });

function wholeNumber(name: string, fallback: number, max: number): number {
  const text = process.env[name] ?? '';
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${name} must be a whole number from 1 to ${String(max)}, got "${text}"`);
  return value;
}

const minutes = wholeNumber('GRADUAL_SOAK_MINUTES', 60, 24 * 60);
const rolloutCount = wholeNumber('GRADUAL_SOAK_ROLLOUTS', 20, 500);
const warmupMinutes = wholeNumber('GRADUAL_SOAK_WARMUP_MINUTES', Math.max(1, Math.round(minutes / 6)), minutes);
const snapshotMinutes = (process.env['GRADUAL_SOAK_SNAPSHOTS'] ?? '')
  .split(',')
  .filter((text) => text.trim() !== '')
  .map((text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || value > minutes)
      throw new Error(`GRADUAL_SOAK_SNAPSHOTS must list minutes within the run (1 to ${String(minutes)}), got "${text}"`);
    return value;
  });
const namespace = 'bench-soak';
const instanceId = 'soak';
const revisionHistoryLimit = 2;
const runHistoryLimit = 5;
const sampleEveryMs = 30_000;

interface RolloutState {
  metadata?: { generation?: number };
  status?: { phase?: string; currentStepIndex?: number; observedGeneration?: string; abort?: boolean };
}

function rolloutsPath(name?: string, subresource?: string): string {
  return [`/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`, name, subresource].filter((part) => part !== undefined).join('/');
}

function rolloutManifest(name: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, labels: { [instanceLabel]: instanceId } },
    spec: {
      replicas: 2,
      revisionHistoryLimit,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/app:0' }] } },
      strategy: {
        canary: {
          analysis: { templates: [{ templateName: 'soak-health' }], args: [{ name: 'rollout', value: name }] },
          steps: [{ setWeight: 50 }, { pause: { duration: '2s' } }, { pause: {} }],
        },
      },
    },
  };
}

function templateManifest(metricUrl: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'soak-health' },
    spec: {
      args: [{ name: 'rollout' }],
      metrics: [
        {
          name: 'health',
          interval: '2s',
          failureLimit: 0,
          successCondition: 'result == true',
          provider: { web: { url: `${metricUrl}/?rollout={{args.rollout}}`, jsonPath: '{$.ok}' } },
        },
      ],
    },
  };
}

/** Least-squares slope of y over x (x in minutes), scaled to MiB per 10 minutes. */
function slopePerTenMinutes(points: readonly { minute: number; value: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, point) => sum + point.minute, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.minute - meanX) * (point.value - meanY);
    variance += (point.minute - meanX) ** 2;
  }
  return (covariance / variance) * 10;
}

async function until(rest: RestClient, name: string, predicate: (rollout: RolloutState) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let last: RolloutState | undefined;
  while (performance.now() < deadline) {
    const rollout = await rest.request<RolloutState>({ method: 'GET', path: rolloutsPath(name) }).catch(() => undefined);
    if (
      rollout !== undefined &&
      (rollout.status?.observedGeneration ?? '') === String(rollout.metadata?.generation ?? '') &&
      predicate(rollout)
    )
      return true;
    last = rollout;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.stdout.write(
    `  ${name}: not there after ${String(timeoutMs / 1000)} s; last seen ${JSON.stringify({ generation: last?.metadata?.generation, status: last?.status })}\n`,
  );
  return false;
}

const patch = (rest: RestClient, name: string, body: object, subresource?: string): Promise<unknown> =>
  rest.request({ method: 'PATCH', path: rolloutsPath(name, subresource), body, contentType: PatchStrategy.MergePatch });

async function main(): Promise<void> {
  const reuse = process.env['GRADUAL_BENCH_ENV_DIR'] ?? '';
  const ownDir = reuse === '' ? await mkdtemp(join(tmpdir(), 'gradual-soak-')) : undefined;
  const environment: LocalEnvironment = ownDir === undefined ? await readEnvironment(reuse) : await localUp({ dir: ownDir, logger });
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const failing = new Set<string>();
  const server = createServer((request, response) => {
    const rollout = new URL(request.url ?? '/', 'http://soak').searchParams.get('rollout') ?? '';
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: !failing.has(rollout) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const metricUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  header(
    `Soak: ${String(rolloutCount)} Rollouts cycling for ${String(minutes)} min (warm-up ${String(warmupMinutes)} min) — new image, 50% canary with background web analysis, then promote, abort, or a failing metric`,
  );
  await addKwokNodes(kubeConfig, Math.ceil((rolloutCount * 4) / 100), 'soak-node');
  await createNamespace(kubeConfig, namespace);
  const snapshotDir =
    snapshotMinutes.length === 0
      ? undefined
      : (process.env['GRADUAL_SOAK_SNAPSHOT_DIR'] ?? '') || (await mkdtemp(join(tmpdir(), 'gradual-soak-snapshots-')));
  if (snapshotDir !== undefined) await mkdir(snapshotDir, { recursive: true });
  const controller = await startController(
    'gradual',
    environment,
    environment.kubernetes.kubeconfig,
    instanceId,
    logger,
    snapshotDir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`],
  );
  const cycles = { promoted: 0, abortedByPerson: 0, abortedByAnalysis: 0, stuck: 0 };
  const samples: { minute: number; rss: number; heap: number }[] = [];
  const started = performance.now();
  const elapsedMinutes = (): number => (performance.now() - started) / 60_000;
  // Node writes the snapshot synchronously (after a full GC) into --diagnostic-dir as Heap.<date>.<pid>...heapsnapshot.
  const snapshotTimers = snapshotMinutes.map((minute) =>
    setTimeout(() => {
      try {
        process.kill(controller.process.pid, 'SIGUSR2');
      } catch (cause) {
        // The controller has gone (its exit fails the soak elsewhere); a timer must not crash the bench with it.
        process.stdout.write(`  ${elapsedMinutes().toFixed(1)} min: no heap snapshot: ${String(cause)}\n`);
        return;
      }
      // A snapshot forces a full collection and adds its write to RSS: the slopes of such a run are not the controller's.
      process.stdout.write(
        `  ${elapsedMinutes().toFixed(1)} min: heap snapshot asked for, into ${snapshotDir ?? ''} (slopes of this run include it)\n`,
      );
    }, minute * 60_000),
  );
  try {
    await rest.request({
      method: 'POST',
      path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysistemplates`,
      body: templateManifest(metricUrl),
    });
    const names = Array.from({ length: rolloutCount }, (_, index) => `soak-${String(index).padStart(3, '0')}`);
    await withConcurrency(names, 10, (name) => rest.request({ method: 'POST', path: rolloutsPath(), body: rolloutManifest(name) }));
    // The first revision becomes stable without steps; a new image before that would only replace it.
    await withConcurrency(names, 10, async (name) => {
      if (!(await until(rest, name, (rollout) => rollout.status?.phase === 'Healthy', 300_000)))
        throw new Error(`${name} was not Healthy after 300 s`);
    });
    const sampler = setInterval(() => {
      void (async () => {
        const heap = await heapMiB(controller).catch(() => ({ usedMiB: Number.NaN }));
        samples.push({ minute: elapsedMinutes(), rss: await rssMiB(controller.process.pid), heap: heap.usedMiB });
        const last = samples.at(-1);
        if (last !== undefined)
          process.stdout.write(
            `  ${last.minute.toFixed(1)} min: RSS ${last.rss.toFixed(0)} MiB, heap used ${last.heap.toFixed(0)} MiB; cycles ${JSON.stringify(cycles)}\n`,
          );
      })();
    }, sampleEveryMs);
    const cycle = async (name: string): Promise<void> => {
      for (let round = 1; elapsedMinutes() < minutes; round += 1) {
        const kind = round % 5 === 0 ? 'analysis' : round % 3 === 0 ? 'person' : 'promote';
        await patch(rest, name, {
          spec: { template: { spec: { containers: [{ name: 'app', image: `example.test/app:${String(round)}` }] } } },
        });
        if (kind === 'analysis') {
          failing.add(name);
          const degraded = await until(rest, name, (rollout) => rollout.status?.phase === 'Degraded', 120_000);
          failing.delete(name);
          if (degraded) cycles.abortedByAnalysis += 1;
          else cycles.stuck += 1;
          continue;
        }
        const paused = await until(
          rest,
          name,
          (rollout) => rollout.status?.phase === 'Paused' && rollout.status.currentStepIndex === 2,
          120_000,
        );
        if (!paused) {
          cycles.stuck += 1;
          continue;
        }
        if (kind === 'person') {
          await patch(rest, name, { status: { abort: true } }, 'status');
          if (await until(rest, name, (rollout) => rollout.status?.phase === 'Degraded', 120_000)) cycles.abortedByPerson += 1;
          else cycles.stuck += 1;
        } else {
          // What `gradual promote` sends at a pause (Argo's getPatches); controllerPause stays, or the controller pauses again.
          await patch(rest, name, { status: { pauseConditions: null } }, 'status');
          if (await until(rest, name, (rollout) => rollout.status?.phase === 'Healthy', 120_000)) cycles.promoted += 1;
          else cycles.stuck += 1;
        }
      }
    };
    await Promise.all(names.map(cycle));
    clearInterval(sampler);

    const after = samples.filter((sample) => sample.minute >= warmupMinutes);
    const replicaSets = await rest.request<{ items: { metadata: { ownerReferences?: { name: string }[] } }[] }>({
      method: 'GET',
      path: `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    });
    const runs = await rest.request<{ items: { metadata: { ownerReferences?: { name: string }[] } }[] }>({
      method: 'GET',
      path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`,
    });
    const mostPerOwner = (items: { metadata: { ownerReferences?: { name: string }[] } }[]): number => {
      const counts = new Map<string, number>();
      for (const item of items) {
        const owner = item.metadata.ownerReferences?.[0]?.name ?? '';
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      return Math.max(0, ...counts.values());
    };
    row(
      'cycles: promoted / aborted by a person / aborted by the analysis / stuck (over 120 s)',
      `${String(cycles.promoted)} / ${String(cycles.abortedByPerson)} / ${String(cycles.abortedByAnalysis)} / ${String(cycles.stuck)}`,
    );
    row(
      `RSS after warm-up: first / last / max (MiB)`,
      `${after[0]?.rss.toFixed(0) ?? '-'} / ${after.at(-1)?.rss.toFixed(0) ?? '-'} / ${Math.max(...after.map((sample) => sample.rss)).toFixed(0)}`,
    );
    row(
      'RSS slope after warm-up (MiB per 10 min; issue 27: under 1)',
      slopePerTenMinutes(after.map((sample) => ({ minute: sample.minute, value: sample.rss }))).toFixed(2),
    );
    row(
      'V8 heap used slope after warm-up (MiB per 10 min)',
      slopePerTenMinutes(after.map((sample) => ({ minute: sample.minute, value: sample.heap }))).toFixed(2),
    );
    row(
      `ReplicaSets per Rollout at the end, most (revisionHistoryLimit ${String(revisionHistoryLimit)} + stable + canary)`,
      String(mostPerOwner(replicaSets.items)),
    );
    row(
      `AnalysisRuns per Rollout at the end, most (history limits ${String(runHistoryLimit)} + ${String(runHistoryLimit)}, + the current one)`,
      String(mostPerOwner(runs.items)),
    );
    note(
      'samples every 30 s; the slope is a least-squares fit over the samples after the warm-up; Gradual runs compiled (dist/, NODE_ENV=production)',
    );
  } finally {
    for (const timer of snapshotTimers) clearTimeout(timer);
    await controller.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await deleteNamespaceAndWait(environment, namespace).catch(() => undefined);
    if (ownDir !== undefined) {
      await localDown({ dir: ownDir, logger });
      await rm(ownDir, { recursive: true, force: true });
    }
  }
}

await main();
