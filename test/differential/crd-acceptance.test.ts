import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { argoCrdDir, argoRolloutsModuleDir } from '../../src/local/argo-rollouts.js';
import { installCrds } from '../../src/local/crds.js';
import { diffTrees, type Difference } from './support/compare.js';
import { readArgoFixtures, type ArgoFixture } from './support/argo-fixtures.js';
import type { Json } from './support/snapshot.js';

// Gradual's generated CRDs must accept every argoproj.io object Argo's own CRDs accept, and keep
// what Argo's keep. The objects are Argo's: its examples/ and its end-to-end fixtures (test/e2e/),
// read from the Go module cache. Each is created with dryRun=All under Argo's CRDs, then under
// Gradual's, and the two answers are compared (acceptance, and the spec the API server stored
// after pruning). Gradual's CRDs are installed again at the end, as the environment had them.
const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const namespace = `crd-acceptance-${randomUUID().slice(0, 8)}`;
const logger = createLogger({ level: 'warn' });

interface Answer {
  accepted: boolean;
  /** The stored spec (after the schema pruned unknown fields), or the API server's refusal. */
  result: Json;
}

async function dryRunCreate(fixture: ArgoFixture): Promise<Answer> {
  const metadata = { ...fixture.object.metadata, ...(fixture.object.kind === 'ClusterAnalysisTemplate' ? {} : { namespace }) };
  const object: KubernetesObject = { ...structuredClone(fixture.object), metadata };
  try {
    const created = (await objects.create(object, undefined, 'All')) as KubernetesObject & { spec?: Json };
    return { accepted: true, result: created.spec ?? null };
  } catch (cause) {
    const body = (cause as { body?: unknown }).body;
    return { accepted: false, result: typeof body === 'string' ? body.slice(0, 400) : String(cause) };
  }
}

async function answerAll(fixtures: readonly ArgoFixture[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const fixture of fixtures) answers.push(await dryRunCreate(fixture));
  return answers;
}

let fixtures: ArgoFixture[] = [];
let underArgo: Answer[] = [];
let underGradual: Answer[] = [];

beforeAll(async () => {
  const moduleDir = await argoRolloutsModuleDir();
  fixtures = await readArgoFixtures(moduleDir);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, dir: argoCrdDir(moduleDir), logger });
  underArgo = await answerAll(fixtures);
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, logger });
  underGradual = await answerAll(fixtures);
}, 300_000);

afterAll(async () => {
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, logger });
  await core.deleteNamespace({ name: namespace });
});

describe("Gradual's CRDs against Argo's", () => {
  it('read a meaningful number of Argo objects of every kind', () => {
    const kinds = new Set(fixtures.map((fixture) => fixture.object.kind));
    expect(fixtures.length).toBeGreaterThan(50);
    expect([...kinds].sort()).toEqual(['AnalysisRun', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'Experiment', 'Rollout']);
  });

  it("accept every object Argo's CRDs accept", () => {
    const refused = fixtures.flatMap((fixture, index) =>
      underArgo[index]?.accepted === true && underGradual[index]?.accepted !== true
        ? [`${fixture.where}: ${JSON.stringify(underGradual[index]?.result)}`]
        : [],
    );
    expect(refused, refused.join('\n')).toEqual([]);
  });

  it("keep every field Argo's CRDs keep (nothing pruned that Argo stores), but for the one named difference", () => {
    const accepted = underArgo.filter((answer) => answer.accepted).length;
    process.stdout.write(
      `${String(fixtures.length)} Argo objects; Argo's CRDs accept ${String(accepted)}, Gradual's ${String(underGradual.filter((answer) => answer.accepted).length)}\n`,
    );
    // Objects Argo's own CRDs refuse (its e2e suite has deliberately invalid ones): listed, not judged.
    fixtures.forEach((fixture, index) => {
      if (underArgo[index]?.accepted !== true) {
        process.stdout.write(
          `refused by Argo's CRDs: ${fixture.where} (Gradual's CRDs: ${underGradual[index]?.accepted === true ? 'accepted' : 'refused'}): ${JSON.stringify(underArgo[index]?.result)}\n`,
        );
      }
    });
    let defaulted = 0;
    const pruned: Difference[] = fixtures.flatMap((fixture, index) => {
      const argo = underArgo[index];
      const gradual = underGradual[index];
      if (argo?.accepted !== true || gradual?.accepted !== true) return [];
      if (diffTrees('', gradual.result, argo.result).length > 0) defaulted += 1;
      // Taken out of both answers: a fixture that writes `protocol: TCP` itself keeps it under either CRD.
      return diffTrees(`${fixture.where} ›`, withoutDefaultedProtocol(gradual.result), withoutDefaultedProtocol(argo.result));
    });
    // Known difference (gradual-todo): Argo's CRD (controller-gen from the Go types) defaults every
    // container port's `protocol` to TCP; Gradual's generated CRD has no such default, so a stored
    // Rollout differs (and Argo's pod-template hash covers it). Counted here, so its fix shows.
    process.stdout.write(
      `known difference (gradual-todo): Argo's CRD defaults ports[].protocol to TCP, Gradual's does not: ${String(defaulted)} stored objects differ by it alone\n`,
    );
    expect(defaulted).toBeGreaterThan(0);
    const lines = pruned.map((difference) => `${difference.field}\n    gradual: ${difference.gradual}\n    argo:    ${difference.argo}`);
    expect(lines, lines.join('\n')).toEqual([]);
  });
});

/** An answer with every `protocol: TCP` taken out of container ports (the one known defaulting difference). */
function withoutDefaultedProtocol(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDefaultedProtocol);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, item]): [string, Json] => {
    if (key === 'ports' && Array.isArray(item)) {
      return [
        key,
        item.map((port) =>
          typeof port === 'object' && port !== null && !Array.isArray(port) && port['protocol'] === 'TCP' && 'containerPort' in port
            ? omitProtocol(port)
            : port,
        ),
      ];
    }
    return [key, withoutDefaultedProtocol(item)];
  });
  return Object.fromEntries(entries);
}

function omitProtocol(port: { [key: string]: Json }): Json {
  return Object.fromEntries(Object.entries(port).filter(([key]) => key !== 'protocol'));
}
