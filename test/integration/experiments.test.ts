import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { experimentSchema, type Experiment } from '../../src/api/index.js';
import { createExperimentController, type ExperimentController } from '../../src/engine/controller/experiment-controller.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { argoRolloutsModuleDir } from '../unit/argo-module.js';
import { testCluster } from './support/test-cluster.js';

// Argo's own Experiments (its e2e fixtures, read from the Go module cache) run by Gradual's Experiment and
// AnalysisRun controllers on the local control plane, to the phase Argo's e2e tests wait for. KWOK runs no
// containers: every pod is Ready, so the e2e test whose image does not exist (experiment-degrade) cannot fail here.
const cluster = testCluster('experiments');
const { kubeConfig, custom, core, apps, namespace } = cluster;
const argo = argoRolloutsModuleDir();
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace } as const;
let experiments: ExperimentController;
let analysisRuns: AnalysisRunController;

beforeAll(async () => {
  await cluster.setUp();
  const logger = createLogger({ level: 'warn' });
  experiments = createExperimentController({ kubeConfig, namespace, logger });
  analysisRuns = createAnalysisRunController({ kubeConfig, namespace, logger });
  await Promise.all([experiments.start(), analysisRuns.start()]);
});
afterAll(async () => {
  await Promise.all([experiments.stop(), analysisRuns.stop()]);
  await cluster.tearDown();
});

const plural: Record<string, string> = { Experiment: 'experiments', AnalysisTemplate: 'analysistemplates' };

/** Creates every document of one of Argo's files in the test namespace; returns the Experiments' names. */
async function applyArgoFile(path: string): Promise<string[]> {
  const names: string[] = [];
  for (const document of parseAllDocuments(readFileSync(join(argo, path), 'utf8'))) {
    const object = document.toJS() as { kind: string; metadata: { name?: string } } | null;
    if (object === null) continue;
    const created = (await custom.createNamespacedCustomObject({ ...api, plural: plural[object.kind] ?? '', body: object })) as {
      metadata: { name: string };
    };
    if (object.kind === 'Experiment') names.push(created.metadata.name);
  }
  return names;
}

async function untilPhase(name: string, phase: string, timeoutMs = 90_000): Promise<Experiment> {
  let experiment: Experiment | undefined;
  await waitUntil(
    async () => {
      experiment = experimentSchema.parse(await custom.getNamespacedCustomObject({ ...api, plural: 'experiments', name }));
      return experiment.status?.phase === phase;
    },
    { what: `Experiment ${name} to be ${phase} (it is ${experiment?.status?.phase ?? 'without a phase'})`, timeoutMs, intervalMs: 200 },
  );
  if (experiment === undefined) throw new Error(name);
  return experiment;
}

describe("Argo's e2e Experiments on the local control plane", { timeout: 180_000 }, () => {
  it('experiment-with-service: Running with one pod and its Service, then Successful, scaled down after the delay and the Service deleted', async () => {
    const [name = ''] = await applyArgoFile('test/e2e/functional/experiment-with-service.yaml');
    await untilPhase(name, 'Running');
    await waitUntil(async () => (await apps.readNamespacedReplicaSet({ name: `${name}-test`, namespace })).status?.readyReplicas === 1, {
      what: 'the template pod',
      timeoutMs: 30_000,
    });
    const services = await core.listNamespacedService({ namespace });
    expect(services.items.map((service) => service.metadata?.name)).toContain(`${name}-test`);
    const done = await untilPhase(name, 'Successful');
    expect(done.status?.templateStatuses?.map((template) => template.status)).toEqual(['Successful']);
    await waitUntil(async () => (await apps.readNamespacedReplicaSet({ name: `${name}-test`, namespace })).spec?.replicas === 0, {
      what: 'the ReplicaSet scaled to zero after scaleDownDelaySeconds',
      timeoutMs: 30_000,
    });
    await waitUntil(
      async () => !(await core.listNamespacedService({ namespace })).items.some((service) => service.metadata?.name === `${name}-test`),
      {
        what: 'the Service deleted once the pods are gone',
        timeoutMs: 30_000,
      },
    );
    const events = await cluster.eventLines(name);
    expect(events).toEqual(
      expect.arrayContaining([
        'ExperimentPending: Experiment transitioned from  -> Pending',
        'ExperimentRunning: Experiment transitioned from Pending -> Running',
        'ExperimentSuccessful: Experiment transitioned from Running -> Successful',
        `ScalingReplicaSet: Scaled up ReplicaSet ${name}-test from 0 to 1`,
        `ScalingReplicaSet: Scaled down ReplicaSet ${name}-test from 1 to 0`,
      ]),
    );
  });

  it('experiment-dry-run-analysis: Successful, its failing Job metric counted as a dry run', async () => {
    const [name = ''] = await applyArgoFile('test/e2e/functional/experiment-dry-run-analysis.yaml');
    const done = await untilPhase(name, 'Successful');
    const runName = done.status?.analysisRuns?.[0]?.analysisRun ?? '';
    expect(runName).toBe(`${name}-dry-run-job`);
    const run = (await custom.getNamespacedCustomObject({ ...api, plural: 'analysisruns', name: runName })) as {
      spec: { dryRun?: unknown[] };
      metadata: { ownerReferences?: { kind: string }[] };
    };
    expect(run.spec.dryRun).toEqual([{ metricName: 'test.*' }]);
    expect(run.metadata.ownerReferences?.map((owner) => owner.kind)).toEqual(['Experiment']);
  });

  it.each([
    ['test/e2e/expectedfailures/experiment-error-template-missing.yaml', 'Error', 'AnalysisTemplate verification failed'],
    ['test/e2e/expectedfailures/experiment-invalid.yaml', 'Error', 'Failed to create ReplicaSet for template'],
    ['test/e2e/expectedfailures/malformed-experiment.yaml', 'Error', 'Failed to create ReplicaSet for template'],
  ])('%s ends %s', async (path, phase, message) => {
    const [name = ''] = await applyArgoFile(path);
    const done = await untilPhase(name, phase);
    expect(done.status?.message ?? '').toContain(message);
  });

  it('gradual terminate experiment ends a running Experiment as Argo does (Successful, scaled down), and get experiment shows it', async () => {
    const [name = ''] = await applyArgoFile('test/e2e/functional/experiment-with-service-name.yaml');
    await untilPhase(name, 'Running');
    const cli = ownCliInvocation();
    const gradual = (...args: string[]) =>
      runCommand(cli.command, [...cli.args, ...args, '--kubeconfig', cluster.kubeconfigPath, '-n', namespace], { cwd: cli.cwd });
    const terminated = await gradual('terminate', 'experiment', name);
    expect(terminated.stdout).toBe(`experiment '${name}' terminated\n`);
    await untilPhase(name, 'Successful');
    const shown = await gradual('get', 'experiment', name);
    expect(shown.stdout).toContain('Status:          ✔ Successful');
    expect(shown.stdout).toMatch(new RegExp(`⧉ ${name}-test +ReplicaSet +✔ Successful`, 'u'));
    const missing = await gradual('get', 'experiment', 'nothing-here');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`experiment "nothing-here" not found in namespace "${namespace}"`);
  });
});
