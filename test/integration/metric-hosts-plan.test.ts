import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/gitops/index.js';
import { openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { createRepository, oneEnvironmentPolicy, seedPeople, startGithubAndBot } from './support/bot-story.js';
import { testCluster } from './support/test-cluster.js';

// A repository policy's metricHosts, checked by the bot as it plans a pull request: the local
// GitHub with real git behind it, the bot as a process runs it, the real control plane. A
// pull request whose AnalysisTemplate points a metric at the metadata address, or at a host
// written as a template, gets a failed plan with an annotation at each url, and nothing is
// applied.
const cluster = testCluster('metric-hosts');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'metrics';

let github: TestGithub;
let bot: RunningBot;
let alice: Person;

const template = (name: string, url: string): string =>
  [
    'apiVersion: argoproj.io/v1alpha1', //  1
    'kind: AnalysisTemplate', //             2
    'metadata:', //                          3
    `  name: ${name}`, //                    4
    'spec:', //                              5
    '  args: [{ name: host }]', //           6
    '  metrics:', //                         7
    '    - name: probe', //                  8
    '      provider:', //                    9
    '        web:', //                       10
    `          url: "${url}"`, //            11
    '',
  ].join('\n');

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

beforeAll(async () => {
  await cluster.setUp();
  ({ github, bot } = await startGithubAndBot({ cluster, owner, logger: createLogger({ level: 'warn' }) }));
  ({ alice } = await seedPeople(github, owner, { alice: 'admin' }));
  await createRepository(github, alice, {
    owner,
    repo,
    files: {
      '.gradual.yml': `metricHosts: [prometheus.monitoring, "*.metrics.example.com"]\n${oneEnvironmentPolicy('production', namespace)}`,
      'apps/allowed.yaml': template('allowed', 'http://web.metrics.example.com/ratio?service={{args.host}}'),
    },
  });
}, 180_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
  await cluster.tearDown();
});

describe('metricHosts when the bot plans a pull request', { timeout: 180_000 }, () => {
  it('a metric pointed at the metadata address and one at a templated host: a failed plan annotated at each url, nothing applied', async () => {
    const sha = await pushBranch(alice, {
      owner,
      repo,
      branch: 'probe',
      files: {
        'apps/metadata.yaml': template('metadata', 'http://169.254.169.254/latest/meta-data/'),
        'apps/templated.yaml': template('templated', 'http://{{args.host}}/x'),
      },
      message: 'analysis: probe',
    });
    await openPullRequest(alice, { owner, repo, head: 'probe', title: 'Probe' });
    let plan: Awaited<ReturnType<Octokit['rest']['checks']['listForRef']>>['data']['check_runs'][number] | undefined;
    await waitUntil(
      async () => {
        plan = (await octokit().rest.checks.listForRef({ owner, repo, ref: sha, check_name: 'gradual/plan' })).data.check_runs[0];
        return plan?.status === 'completed';
      },
      { what: 'the plan check to complete', timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(plan?.conclusion).toBe('failure');
    const annotations = await octokit().rest.checks.listAnnotations({ owner, repo, check_run_id: plan?.id ?? 0 });
    expect(annotations.data.map((annotation) => [annotation.path, annotation.start_line, annotation.message]).sort()).toEqual([
      [
        'apps/metadata.yaml',
        11,
        expect.stringContaining(
          'host "169.254.169.254" is not among the metric hosts environment "production" allows ("prometheus.monitoring", "*.metrics.example.com")',
        ),
      ],
      [
        'apps/templated.yaml',
        11,
        expect.stringContaining('the host of url is a template ({{args.host}}), which cannot be checked before the metric runs'),
      ],
    ]);
    // Nothing of the pull request applied (main's allowed template may be, by drift correction).
    const templates = (await cluster.custom.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace,
      plural: 'analysistemplates',
    })) as { items: unknown[] };
    expect(templates.items.filter((item) => (item as { metadata?: { name?: string } }).metadata?.name !== 'allowed')).toEqual([]);
    expect(github.violations).toEqual([]);
  });
});
