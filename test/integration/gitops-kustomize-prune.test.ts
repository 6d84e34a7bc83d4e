import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/gitops/index.js';
import { inventoryName } from '../../src/gitops/inventory.js';
import { cacheRoot } from '../../src/local/cache-dir.js';
import { openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { ensureKustomizeBinary } from '../../src/local/kustomize.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { createRepository, seedPeople, startGithubAndBot } from './support/bot-story.js';
import { testCluster } from './support/test-cluster.js';

// Manifests as users write them, through the bot as it runs: the local GitHub with real git
// behind it, the real control plane, and kustomize built from its pinned module. A pull request
// with a kustomize overlay over a base is rendered and planned; a push that deletes a file plans
// the object's deletion and the deploy prunes it; an environment whose policy says `prune: false`
// refuses with the reason; a kustomization pointing at a URL or outside the repository is
// refused before kustomize runs.
const cluster = testCluster('kustomize');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'kustomized';

let github: TestGithub;
let bot: RunningBot;
let alice: Person;

type CheckRun = Awaited<ReturnType<Octokit['rest']['checks']['listForRef']>>['data']['check_runs'][number];

const configMap = (name: string, data: Record<string, string> = { a: 'b' }): string =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    'data:',
    ...Object.entries(data).map(([key, value]) => `  ${key}: "${value}"`),
    '',
  ].join('\n');

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

async function completedCheck(sha: string, name: string): Promise<CheckRun> {
  let run: CheckRun | undefined;
  await waitUntil(
    async () => {
      run = (await octokit().rest.checks.listForRef({ owner, repo, ref: sha, check_name: name })).data.check_runs[0];
      return run?.status === 'completed';
    },
    { what: `${name} on ${sha.slice(0, 7)} to complete`, timeoutMs: 90_000, intervalMs: 200 },
  );
  if (run === undefined) throw new Error('unreachable');
  return run;
}

async function liveConfigMaps(): Promise<Map<string, Record<string, string>>> {
  const items = (await cluster.core.listNamespacedConfigMap({ namespace })).items;
  return new Map(items.map((item) => [item.metadata?.name ?? '', item.metadata?.labels ?? {}]));
}

beforeAll(async () => {
  await cluster.setUp();
  const kustomize = await ensureKustomizeBinary({ cacheRoot: cacheRoot(), logger: createLogger({ level: 'warn' }) });
  ({ github, bot } = await startGithubAndBot({ cluster, owner, logger: createLogger({ level: 'warn' }), kustomizeBinary: kustomize }));
  ({ alice } = await seedPeople(github, owner, { alice: 'admin' }));
  await createRepository(github, alice, {
    owner,
    repo,
    files: {
      '.gradual.yml': [
        'environments:', //                         1
        '  - name: production', //                  2
        "    paths: ['apps/**']", //                3
        `    namespace: ${namespace}`, //           4
        '  - name: frozen', //                      5
        "    paths: ['frozen/**']", //              6
        `    namespace: ${namespace}`, //           7
        '    prune: false', //                      8
        '  - name: hostile', //                     9
        "    paths: ['hostile/**']", //             10
        `    namespace: ${namespace}`, //           11
        '  - name: tiny', //                        12
        "    paths: ['tiny/**']", //                13
        `    namespace: ${namespace}`, //           14
        '    manifestLimits: { fileBytes: 4096 }', // 15
        '',
      ].join('\n'),
    },
  });
}, 300_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
  await cluster.tearDown();
});

describe('kustomize directories and pruning through the bot', { timeout: 300_000 }, () => {
  it('renders an overlay over its base, plans and deploys it; a deleted file is planned as a deletion and pruned', async () => {
    const first = await pushBranch(alice, {
      owner,
      repo,
      branch: 'kustomize',
      files: {
        'apps/base/kustomization.yaml': 'resources: [settings.yaml]\n',
        'apps/base/settings.yaml': configMap('settings', { mode: 'stable' }),
        'apps/overlay/kustomization.yaml':
          'resources: [../base]\nnamePrefix: web-\nlabels: [{ pairs: { team: web } }]\nconfigMapGenerator: [{ name: flags, literals: [canary=on] }]\n',
        'apps/extra.yaml': configMap('extra'),
      },
      message: 'web: kustomize overlay and an extra ConfigMap',
    });
    await openPullRequest(alice, { owner, repo, head: 'kustomize', title: 'Kustomize' });
    const plan = await completedCheck(first, 'gradual/plan production');
    expect([plan.conclusion, plan.output.title]).toEqual(['success', '3 to create, 0 to change, 0 unchanged']);
    // The base is rendered through the overlay only (one web-settings, no bare settings); the generator's name is hashed.
    expect(plan.output.summary).toMatch(
      new RegExp(`ConfigMap ${namespace}/web-settings \\| \`apps/overlay/kustomization.yaml:1\` \\| created`, 'u'),
    );
    expect(plan.output.summary).toMatch(
      new RegExp(`ConfigMap ${namespace}/web-flags-[a-z0-9]{10} \\| \`apps/overlay/kustomization.yaml:1\` \\| created`, 'u'),
    );
    expect(plan.output.summary).toContain(`ConfigMap ${namespace}/extra | \`apps/extra.yaml:1\` | created`);
    expect((await completedCheck(first, 'gradual/deploy production')).conclusion).toBe('success');
    const deployed = await liveConfigMaps();
    expect(deployed.get('web-settings')).toMatchObject({ team: 'web' });
    expect([...deployed.keys()].filter((name) => name.startsWith('web-flags-'))).toHaveLength(1);
    expect(deployed.has('extra')).toBe(true);
    expect(deployed.has('settings')).toBe(false);
    // The bot's record of what production deployed from this repository.
    const inventory = await cluster.core.readNamespacedConfigMap({ namespace, name: inventoryName('production') });
    expect(JSON.parse(inventory.data?.[`${owner}.${repo}`] ?? '[]')).toContainEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'extra',
      file: 'apps/extra.yaml',
    });

    const second = await pushBranch(alice, {
      owner,
      repo,
      branch: 'kustomize',
      files: { 'apps/extra.yaml': null },
      message: 'web: the extra ConfigMap goes',
    });
    const replan = await completedCheck(second, 'gradual/plan production');
    expect([replan.conclusion, replan.output.title]).toEqual(['success', '0 to create, 0 to change, 1 to delete, 2 unchanged']);
    expect(replan.output.summary).toContain(
      `ConfigMap ${namespace}/extra | \`apps/extra.yaml:1\` | deleted (no manifest names it any more)`,
    );
    const deploy = await completedCheck(second, 'gradual/deploy production');
    expect([deploy.conclusion, deploy.output.summary]).toEqual(['success', expect.stringContaining('1 deleted') as unknown]);
    const after = await liveConfigMaps();
    expect(after.has('extra')).toBe(false);
    expect(after.has('web-settings')).toBe(true);
    expect(github.violations).toEqual([]);
  });

  it('with prune: false, a deploy that would delete is refused with the reason, and nothing is deleted', async () => {
    const first = await pushBranch(alice, {
      owner,
      repo,
      branch: 'frozen',
      files: { 'frozen/a.yaml': configMap('frozen-a'), 'frozen/b.yaml': configMap('frozen-b') },
      message: 'frozen: two ConfigMaps',
    });
    await openPullRequest(alice, { owner, repo, head: 'frozen', title: 'Frozen' });
    expect((await completedCheck(first, 'gradual/deploy frozen')).conclusion).toBe('success');
    const second = await pushBranch(alice, { owner, repo, branch: 'frozen', files: { 'frozen/b.yaml': null }, message: 'frozen: b goes' });
    const plan = await completedCheck(second, 'gradual/plan frozen');
    expect(plan.conclusion).toBe('failure');
    const annotations = await octokit().rest.checks.listAnnotations({ owner, repo, check_run_id: plan.id });
    expect(annotations.data.map((annotation) => [annotation.path, annotation.start_line, annotation.message])).toEqual([
      [
        '.gradual.yml',
        1,
        `environment "frozen" forbids pruning (prune: false), and ConfigMap ${namespace}/frozen-b (frozen/b.yaml) would be deleted: nothing is applied. Restore the manifest, or delete the object by hand first`,
      ],
    ]);
    expect((await liveConfigMaps()).has('frozen-b')).toBe(true);
  });

  it('refuses a kustomization naming a URL or a path outside the repository, before kustomize runs; nothing applied', async () => {
    const sha = await pushBranch(alice, {
      owner,
      repo,
      branch: 'hostile',
      files: {
        'hostile/remote/kustomization.yaml':
          'resources:\n  - https://raw.githubusercontent.com/acme/evil/main/all.yaml\n  - github.com/acme/evil//deploy?ref=main\n',
        'hostile/outside/kustomization.yaml':
          'resources: [../../../../etc]\nconfigMapGenerator: [{ name: loot, files: [../../../../root/.ssh/id_rsa] }]\n',
        'hostile/plain.yaml': configMap('hostile-plain'),
      },
      message: 'hostile kustomizations',
    });
    await openPullRequest(alice, { owner, repo, head: 'hostile', title: 'Hostile' });
    const plan = await completedCheck(sha, 'gradual/plan hostile');
    expect(plan.conclusion).toBe('failure');
    const annotations = await octokit().rest.checks.listAnnotations({ owner, repo, check_run_id: plan.id });
    expect(annotations.data.map((annotation) => [annotation.path, annotation.message]).sort()).toEqual([
      ['hostile/outside/kustomization.yaml', 'configMapGenerator.files: "../../../../root/.ssh/id_rsa" points outside the repository'],
      ['hostile/outside/kustomization.yaml', 'resources: "../../../../etc" points outside the repository'],
      [
        'hostile/remote/kustomization.yaml',
        expect.stringContaining('resources: "github.com/acme/evil//deploy?ref=main" is a URL') as unknown,
      ],
      [
        'hostile/remote/kustomization.yaml',
        expect.stringContaining('resources: "https://raw.githubusercontent.com/acme/evil/main/all.yaml" is a URL') as unknown,
      ],
    ]);
    expect((await liveConfigMaps()).has('hostile-plain')).toBe(false);
  });

  it('stops kustomize output that passes manifestLimits.fileBytes (one small file generated ten times over), nothing applied', async () => {
    const keys = Array.from({ length: 10 }, (_, index) => `k${String(index)}=blob.txt`).join(', ');
    const sha = await pushBranch(alice, {
      owner,
      repo,
      branch: 'tiny',
      files: {
        'tiny/kustomization.yaml': `configMapGenerator: [{ name: amplified, files: [${keys}] }]\n`,
        'tiny/blob.txt': 'x'.repeat(3000),
      },
      message: 'an amplifying kustomization',
    });
    await openPullRequest(alice, { owner, repo, head: 'tiny', title: 'Tiny' });
    const plan = await completedCheck(sha, 'gradual/plan tiny');
    expect(plan.conclusion).toBe('failure');
    const annotations = await octokit().rest.checks.listAnnotations({ owner, repo, check_run_id: plan.id });
    expect(annotations.data.map((annotation) => [annotation.path, annotation.message])).toEqual([
      [
        'tiny/kustomization.yaml',
        "kustomize's output passed 4096 bytes (manifestLimits.fileBytes of the repository policy); it was not parsed",
      ],
    ]);
    expect([...(await liveConfigMaps()).keys()].filter((name) => name.startsWith('amplified'))).toEqual([]);
  });
});
