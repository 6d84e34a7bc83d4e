import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lintManifests } from '../../src/api/index.js';
import { parseManifests } from '../../src/gitops/manifests/parse-manifests.js';

// Argo's own Rollouts for the routers and fields issue 26 adds (alb, ambassador, traefik, apisix,
// appMesh, pingPong, replicaProgressThreshold), from its examples/ and end-to-end fixtures at v1.9.1,
// read from the Go module cache at test time (not copied here): each must pass `gradual lint` and
// the bot's plan (parseManifests), which say the same thing about it. The few that use what Gradual
// does not do yet are listed with the reason, so the list shrinks as those land.
const argoVersion = 'v1.9.1';

function argoModuleDir(): string {
  let cache: string;
  try {
    cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch (cause) {
    throw new Error('`go env GOMODCACHE` failed: Go is needed to find Argo Rollouts in the module cache', { cause });
  }
  const dir = join(cache, 'github.com', 'argoproj', `argo-rollouts@${argoVersion}`);
  if (!existsSync(dir))
    throw new Error(
      `Argo Rollouts ${argoVersion} is not in the Go module cache (${dir}); run: go mod download github.com/argoproj/argo-rollouts@${argoVersion}`,
    );
  return dir;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/u.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

const routerKeys = ['alb', 'ambassador', 'traefik', 'apisix', 'appMesh'];

/** A Rollout document that uses one of the routers or fields this issue adds. */
function usesIssueFeature(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return false;
  const object = document as { kind?: unknown; spec?: { strategy?: { canary?: Record<string, unknown> } } };
  const canary = object.kind === 'Rollout' ? object.spec?.strategy?.canary : undefined;
  if (canary === undefined) return false;
  const routing = canary['trafficRouting'] as Record<string, unknown> | undefined;
  return (
    canary['pingPong'] !== undefined ||
    canary['replicaProgressThreshold'] !== undefined ||
    routerKeys.some((key) => routing?.[key] !== undefined)
  );
}

/** A Rollout document whose experiment steps give templates a weight (with SMI, ALB or Istio: additional destinations). */
function usesExperimentWeights(document: unknown): boolean {
  if (typeof document !== 'object' || document === null) return false;
  const object = document as { kind?: unknown; spec?: { strategy?: { canary?: { steps?: unknown } } } };
  const steps = object.kind === 'Rollout' ? object.spec?.strategy?.canary?.steps : undefined;
  if (!Array.isArray(steps)) return false;
  return steps.some((step: { experiment?: { templates?: { weight?: unknown }[] } }) =>
    (step.experiment?.templates ?? []).some((template) => template.weight !== undefined),
  );
}

/** Fixtures Gradual refuses today, by name, and why (the refusal must name the field). */
const knownRefusals: Record<string, string> = {};

/** Argo's fixtures with experiment template weights: the five ALB ones issue 26 names, and SMI's and Istio's. */
const experimentWeightFixtures = [
  'examples/traffic-routing-experiment-step/rollout-alb-experiment-step.yaml',
  'test/e2e/alb/rollout-alb-experiment.yaml',
  'test/e2e/alb/rollout-alb-experiment-no-setweight.yaml',
  'test/e2e/alb/rollout-alb-multi-ingress-experiment.yaml',
  'test/e2e/alb/rollout-alb-multi-ingress-experiment-no-setweight.yaml',
  'test/e2e/smi/rollout-smi-experiment.yaml',
  'test/e2e/istio/istio-host-split-experiment-step.yaml',
  'test/e2e/istio/istio-subset-split-experiment-step.yaml',
];

const moduleDir = argoModuleDir();
const fixtures = [...yamlFiles(join(moduleDir, 'examples')), ...yamlFiles(join(moduleDir, 'test', 'e2e'))]
  .map((path) => ({ path, name: relative(moduleDir, path), text: readFileSync(path, 'utf8') }))
  .filter(({ text }) =>
    parseAllDocuments(text).some((document) => {
      if (Array.isArray(document)) return false;
      const value: unknown = document.toJS();
      return usesIssueFeature(value) || usesExperimentWeights(value);
    }),
  );

describe(`Argo Rollouts ${argoVersion} fixtures using alb, ambassador, traefik, apisix, appMesh, pingPong, replicaProgressThreshold`, () => {
  it('are found in the module cache', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    expect(fixtures.map((fixture) => fixture.name)).toEqual(expect.arrayContaining(Object.keys(knownRefusals)));
    expect(fixtures.map((fixture) => fixture.name)).toEqual(expect.arrayContaining(experimentWeightFixtures));
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s: lint and the bot’s plan agree', (name, fixture) => {
    const lint = lintManifests([{ path: name, text: fixture.text }]);
    const plan = parseManifests([{ path: name, text: fixture.text }], { namespace: 'argo-fixtures' });
    const place = (problem: { file: string; line: number; column: number; message: string }): string =>
      `${problem.file}:${String(problem.line)}:${String(problem.column)}: ${problem.message}`;
    const lintProblems = lint.problems.map(place);
    const planProblems = plan.errors.map(place);
    // The same refusal at the same file:line:column, whichever door the manifest comes through.
    expect(planProblems).toEqual(lintProblems);
    if (knownRefusals[name] === undefined) {
      expect(lintProblems, lintProblems.join('\n')).toEqual([]);
      expect(planProblems, planProblems.join('\n')).toEqual([]);
    } else {
      expect(lintProblems.length, `${name} is accepted now: remove it from knownRefusals`).toBeGreaterThan(0);
    }
  });
});
