import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { analysisRunSchema, experimentSchema, type Experiment, type Rollout } from '../../src/api/index.js';
import { createExperimentController, type ExperimentController } from '../../src/engine/controller/experiment-controller.js';
import { renderRolloutCheck } from '../../src/gitops/report/index.js';
import { jobOutcomeLabel } from '../../src/local/kwok-nodes.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { experimentObjectSchema } from '../../src/rollout-view/experiment-info.js';
import { argoRolloutsModuleDir } from '../unit/argo-module.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The canary step `experiment` end to end: the Rollout controller creates the step's Experiment from its stable
// and canary ReplicaSets, the Experiment controller runs them with a Job analysis over both (KWOK completes the
// Job's pod, or fails it when the pod carries the job-outcome label), and the Experiment's phase moves the
// Rollout on or aborts it. Every wait is a bounded poll on observable state.
const cluster = testCluster('experiment-step');
const { apps, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace } as const;
withRolloutController(cluster);
let experiments: ExperimentController;
let analysisRuns: AnalysisRunController;

beforeAll(async () => {
  const logger = createLogger({ level: 'warn' });
  experiments = createExperimentController({ kubeConfig: cluster.kubeConfig, namespace, logger });
  analysisRuns = createAnalysisRunController({ kubeConfig: cluster.kubeConfig, namespace, logger });
  await Promise.all([experiments.start(), analysisRuns.start()]);
  for (const [name, outcome] of [
    ['job-pass', {}],
    ['job-fail', { [jobOutcomeLabel]: 'failed' }],
  ] as const)
    await custom.createNamespacedCustomObject({
      ...api,
      plural: 'analysistemplates',
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name, namespace },
        spec: {
          args: [{ name: 'canary-hash' }],
          metrics: [
            {
              name: 'compare',
              provider: {
                job: {
                  spec: {
                    backoffLimit: 0,
                    template: {
                      metadata: { labels: outcome },
                      spec: {
                        restartPolicy: 'Never',
                        containers: [{ name: 'compare', image: 'example.test/compare:1', args: ['{{args.canary-hash}}'] }],
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
}, 60_000);

afterAll(async () => {
  await Promise.all([experiments.stop(), analysisRuns.stop()]);
});

function canary(name: string, template: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace, labels: { team: 'exp' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `example.test/${name}:blue` }] } },
      strategy: {
        canary: {
          steps: [
            { setWeight: 50 },
            {
              experiment: {
                templates: [
                  { name: 'baseline', specRef: 'stable' },
                  { name: 'canary', specRef: 'canary' },
                ],
                analyses: [
                  {
                    name: 'compare',
                    templateName: template,
                    requiredForCompletion: true,
                    args: [{ name: 'canary-hash', value: '{{templates.canary.podTemplateHash}}' }],
                  },
                ],
              },
            },
            { setWeight: 100 },
          ],
        },
      },
    },
  };
}

async function setImage(name: string, image: string, container = 'app'): Promise<void> {
  await custom.patchNamespacedCustomObject(
    { ...rolloutApi, name, body: { spec: { template: { spec: { containers: [{ name: container, image }] } } } } },
    mergePatch,
  );
}

async function experimentsOf(rollout: string): Promise<Experiment[]> {
  const list = (await custom.listNamespacedCustomObject({ ...api, plural: 'experiments' })) as { items: unknown[] };
  return list.items
    .map((item) => experimentSchema.parse(item))
    .filter((experiment) => experiment.metadata?.ownerReferences?.[0]?.['name'] === rollout);
}

/** The rollout check's summary for the live Rollout, its Experiments and the namespace's AnalysisRuns, as the reporter renders it. */
async function liveCheck(rollout: Rollout): Promise<string> {
  const experimentItems = (await custom.listNamespacedCustomObject({ ...api, plural: 'experiments' })) as { items: unknown[] };
  const runItems = (await custom.listNamespacedCustomObject({ ...api, plural: 'analysisruns' })) as { items: unknown[] };
  return renderRolloutCheck({
    rollout,
    experiments: experimentItems.items.map((item) => experimentObjectSchema.parse(item)),
    analysisRuns: runItems.items.map((item) => analysisRunSchema.parse(item)),
    replicaSets: [],
    timeline: [],
    pullRequest: { number: 1, headSha: 'a'.repeat(40) },
    now: new Date(),
  }).summary;
}

async function healthy(name: string): Promise<Rollout> {
  return cluster.untilRollout(name, `${name} Healthy`, (r) => r.status?.phase === 'Healthy' && (r.status.stableRS ?? '') !== '');
}

describe('the canary experiment step on the local control plane', { timeout: 180_000 }, () => {
  it('a Job analysis that succeeds: the Experiment runs baseline and canary, succeeds, and the Rollout promotes', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canary('pass', 'job-pass') });
    const first = await healthy('pass');
    await setImage('pass', 'example.test/pass:green');
    const atStep = await cluster.untilRollout(
      'pass',
      'the Rollout at the experiment step naming its Experiment',
      (r) => r.status?.currentStepIndex === 1 && (r.status.canary?.currentExperiment ?? '') !== '',
    );
    const name = atStep.status?.canary?.currentExperiment ?? '';
    expect(name).toBe(`pass-${atStep.status?.currentPodHash ?? ''}-2-1`);
    // The rollout check at this moment: the step current, and its Experiment with both templates and the analysis.
    const check = await liveCheck(atStep);
    expect(check).toContain('**experiment: baseline (stable), canary (canary) · analysis job-pass** ← current');
    expect(check).toContain(`#### Experiment`);
    expect(check).toContain(`\`${name}\``);
    expect(check).toContain(`| \`baseline\` | \`${name}-baseline\` |`);
    expect(check).toContain(`| \`canary\` | \`${name}-canary\` |`);
    expect(check).toContain('| `compare` (required) |');
    expect(check).toContain('no duration: runs until its analyses complete or it is terminated');
    const [experiment] = await experimentsOf('pass');
    expect(experiment?.metadata).toMatchObject({
      name,
      labels: { team: 'exp', 'rollouts-pod-template-hash': atStep.status?.currentPodHash ?? '' },
      annotations: { 'rollout.argoproj.io/revision': '2' },
    });
    expect(experiment?.spec.templates.map((template) => template.template.spec?.containers?.[0]?.image)).toEqual([
      'example.test/pass:blue',
      'example.test/pass:green',
    ]);
    const done = await healthy('pass');
    expect(done.status?.stableRS).toBe(atStep.status?.currentPodHash);
    expect(done.status?.stableRS).not.toBe(first.status?.stableRS);
    expect(done.status?.canary?.currentExperiment).toBeUndefined();
    const [finished] = await experimentsOf('pass');
    expect(finished?.status?.phase).toBe('Successful');
    // The analysis saw the canary template's own ReplicaSet hash, resolved by the Experiment controller.
    const canaryRS = await apps.readNamespacedReplicaSet({ name: `${name}-canary`, namespace });
    expect(canaryRS.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Experiment', name });
    const lines = await cluster.untilEventLines('pass', 'the ExperimentCreated and step events', (all) =>
      all.some((line) => line.startsWith('RolloutCompleted')),
    );
    expect(lines).toContain(`ExperimentCreated: Created Experiment '${name}'`);
    expect(lines).toContain('RolloutStepCompleted: Rollout step 2/3 completed (experiment)');
  });

  it('a Job analysis that fails: the Experiment fails and the Rollout aborts back to stable', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canary('fail', 'job-fail') });
    const first = await healthy('fail');
    await setImage('fail', 'example.test/fail:green');
    const aborted = await cluster.untilRollout(
      'fail',
      'the canary to abort on the failed Experiment',
      (r) => r.status?.phase === 'Degraded',
    );
    expect(aborted.status?.abort).toBe(true);
    expect(aborted.status?.stableRS).toBe(first.status?.stableRS);
    expect(aborted.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is error\/failed: .*compare/u,
    );
    const [experiment] = await experimentsOf('fail');
    expect(experiment?.status?.phase).toBe('Failed');
    // The rollout check says why: the Experiment failed, its analysis with it, and the metric's measurement.
    const name = experiment?.metadata?.name ?? '';
    const check = await liveCheck(aborted);
    expect(check).toContain(`> ✖ Aborted: Experiment \`${name}\` Failed`);
    expect(check).toMatch(/^> Analysis `compare` Failed/mu);
    expect(check).toContain('> Metric `compare` Failed.');
    expect(check).toContain(`| \`compare\` (required) | \`${name}-compare\` | ✖ Failed |`);
    await waitUntil(
      async () => {
        const all = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=fail' })).items;
        const size = (hash: string | undefined) =>
          all.find((rs) => rs.metadata?.name === `fail-${hash ?? ''}`)?.spec?.replicas ?? Number.NaN;
        return size(aborted.status?.currentPodHash) === 0 && size(first.status?.stableRS) === 2;
      },
      { what: 'the canary ReplicaSet scaled to 0 and the stable back to 2', timeoutMs: 30_000 },
    );
  });

  it("Argo's e2e rollout-experiment-analysis.yaml: accepted, its experiment runs the Job with both hashes and the Rollout reaches its pause", async () => {
    const file = join(argoRolloutsModuleDir(), 'test/e2e/functional/rollout-experiment-analysis.yaml');
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = document.toJS() as { kind: string } | null;
      if (object === null) continue;
      await custom.createNamespacedCustomObject({
        ...api,
        plural: object.kind === 'Rollout' ? 'rollouts' : 'analysistemplates',
        body: object,
      });
    }
    await healthy('rollout-experiment');
    await setImage('rollout-experiment', 'nginx:1.20-alpine', 'rollouts-demo');
    const paused = await cluster.untilRollout(
      'rollout-experiment',
      'the Rollout past its experiment, at the pause step',
      (r) => r.status?.currentStepIndex === 1 && r.status.phase === 'Paused',
    );
    expect(paused.status?.pauseConditions?.map((condition) => condition.reason)).toEqual(['CanaryPauseStep']);
    const [experiment] = await experimentsOf('rollout-experiment');
    expect(experiment?.status?.phase).toBe('Successful');
    const args = experiment?.spec.analyses?.[0]?.args ?? [];
    expect(Object.fromEntries(args.map((arg) => [arg.name, arg.value]))).toMatchObject({
      'stable-hash': paused.status?.stableRS,
      'latest-hash': paused.status?.currentPodHash,
      'baseline-hash': '{{templates.baseline.podTemplateHash}}',
    });
  });
});
