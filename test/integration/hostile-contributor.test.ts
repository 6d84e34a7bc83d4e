import { Writable } from 'node:stream';
import { CoordinationV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/gitops/index.js';
import { isStickyComment, parseNoticeKey } from '../../src/gitops/report/index.js';
import {
  close,
  comment,
  forkRepository,
  openPullRequest,
  pressCheckRunButton,
  pushBranch,
  type Person,
} from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { createRepository, seedPeople, startGithubAndBot, untilFirstRevisionHealthy } from './support/bot-story.js';
import { canaryRolloutYaml } from './support/rollout-yaml.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Issue 19's doors, tried as a hostile contributor would, on the local GitHub and the real
// control plane with the bot in this process: each is refused with its reason at the right
// place (a plan annotation at file:line, a comment reply, a log line), and the cluster and
// GitHub are read back to show that nothing changed. Two environments of one repository,
// each in its own namespace; production asks maintain for /deploy and /promote.
const staging = testCluster('hostile-staging');
withRolloutController(staging);
const production = testCluster('hostile-production');
withRolloutController(production);
const owner = 'acme';
const repo = 'shop';
const otherRepo = 'other';
const stagingPlan = 'gradual/plan staging';
const productionPlan = 'gradual/plan production';
/** The live Secrets' values: they must never be seen outside the cluster. */
const stagingPassword = 'staging-live-password-5d1c0e';
const productionPassword = 'production-live-password-8b7a2f';
const secretValues = [
  stagingPassword,
  productionPassword,
  Buffer.from(stagingPassword).toString('base64'),
  Buffer.from(productionPassword).toString('base64'),
];

let github: TestGithub;
let bot: RunningBot;
let alice: Person;
let bob: Person;
let mallory: Person;
const botLog: string[] = [];

function rolloutYaml(image: string): string {
  return canaryRolloutYaml({ image, replicas: 2, steps: ['setWeight: 50', 'pause: {}', 'setWeight: 100'] });
}

function policyYaml(): string {
  return `# Nothing deploys before someone says /deploy; production asks more of them.
trigger: command
environments:
  - name: staging
    paths: ['staging/**/*.yaml']
    namespace: ${staging.namespace}
  - name: production
    paths: ['production/**/*.yaml']
    namespace: ${production.namespace}
    commands:
      deploy: { permission: maintain }
      promote: { permission: maintain }
`;
}

function octokitFor(person: Person): Octokit {
  return new Octokit({ baseUrl: person.apiUrl, auth: person.token });
}

interface CheckFacts {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

async function checkRuns(sha: string, name: string, repository = repo): Promise<CheckFacts[]> {
  const found = await octokitFor(alice).rest.checks.listForRef({ owner, repo: repository, ref: sha, check_name: name });
  return found.data.check_runs.map((run) => ({
    id: run.id,
    status: run.status,
    conclusion: run.conclusion,
    title: run.output.title ?? '',
    summary: run.output.summary ?? '',
  }));
}

async function untilCheck(
  sha: string,
  name: string,
  what: string,
  predicate: (run: CheckFacts) => boolean,
  repository = repo,
): Promise<CheckFacts> {
  let last: CheckFacts | undefined;
  await waitUntil(
    async () => {
      last = (await checkRuns(sha, name, repository))[0];
      return last !== undefined && predicate(last);
    },
    {
      what: `${name} on ${sha.slice(0, 7)}: ${what} (last: ${JSON.stringify(last === undefined ? null : { status: last.status, conclusion: last.conclusion, title: last.title })})`,
      timeoutMs: 90_000,
      intervalMs: 200,
    },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

async function annotationsOf(checkRunId: number): Promise<{ path: string; start_line: number; message: string | null }[]> {
  return (await octokitFor(alice).rest.checks.listAnnotations({ owner, repo, check_run_id: checkRunId })).data.map(
    ({ path, start_line, message }) => ({ path, start_line, message }),
  );
}

async function comments(number: number, repository = repo): Promise<{ id: number; body: string; login: string }[]> {
  const list = await octokitFor(alice).rest.issues.listComments({ owner, repo: repository, issue_number: number, per_page: 100 });
  return list.data.map((item) => ({ id: item.id, body: item.body ?? '', login: item.user?.login ?? '' }));
}

async function reactionsOn(commentId: number, repository = repo): Promise<string[]> {
  const reactions = await octokitFor(alice).rest.reactions.listForIssueComment({ owner, repo: repository, comment_id: commentId });
  return reactions.data.map((reaction) => reaction.content);
}

/** Comments a command and waits for the bot's last reaction (🚀 or 😕) and its reply, if any; returns both. */
async function command(person: Person, number: number, body: string, repository = repo): Promise<{ reaction: string; reply: string }> {
  const before = (await comments(number, repository)).length;
  const id = await comment(person, { owner, repo: repository, number, body });
  let reactions: string[] = [];
  await waitUntil(
    async () => {
      reactions = await reactionsOn(id, repository);
      return reactions.includes('rocket') || reactions.includes('confused');
    },
    { what: `the bot's answer to ${body} on ${repository}#${String(number)}`, timeoutMs: 90_000, intervalMs: 200 },
  );
  const replies = (await comments(number, repository)).slice(before).filter((item) => item.login.endsWith('[bot]'));
  return { reaction: reactions.includes('confused') ? 'confused' : 'rocket', reply: replies.map((item) => item.body).join('\n') };
}

async function configMapExists(namespace: string, name: string): Promise<boolean> {
  return staging.core.readNamespacedConfigMap({ namespace, name }).then(
    () => true,
    (cause: unknown) => {
      if ((cause as { code?: number }).code === 404) return false;
      throw cause;
    },
  );
}

async function secretPassword(namespace: string): Promise<string> {
  const secret = await staging.core.readNamespacedSecret({ namespace, name: 'db-credentials' });
  return Buffer.from(secret.data?.['password'] ?? '', 'base64').toString('utf8');
}

async function leaseHolder(namespace: string, environment: string): Promise<string | undefined> {
  const coordination = staging.kubeConfig.makeApiClient(CoordinationV1Api);
  const read = await coordination.readNamespacedLease({ namespace, name: `gradual-lock-${environment}` });
  return read.spec?.holderIdentity;
}

beforeAll(async () => {
  for (const [cluster, password] of [
    [staging, stagingPassword],
    [production, productionPassword],
  ] as const) {
    await cluster.core.createNamespacedSecret({
      namespace: cluster.namespace,
      body: { metadata: { name: 'db-credentials' }, stringData: { password } },
    });
  }
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      botLog.push(chunk.toString('utf8'));
      callback();
    },
  });
  ({ github, bot } = await startGithubAndBot({
    cluster: staging,
    owner,
    clonesPrefix: 'gradual-hostile-clones-',
    logger: createLogger({ level: 'debug', destination: sink }),
  }));
  ({ alice, bob, mallory } = await seedPeople(github, owner, { alice: 'admin', bob: 'write', mallory: 'write' }));
  await createRepository(github, alice, {
    owner,
    repo,
    files: {
      '.gradual.yml': policyYaml(),
      'staging/web/rollout.yaml': rolloutYaml('example.test/web:blue'),
      'production/web/rollout.yaml': rolloutYaml('example.test/web:blue'),
    },
    collaborators: { bob: 'write' },
  });
  // The first push to main is applied by drift correction: both environments start at blue.
  for (const cluster of [staging, production]) await untilFirstRevisionHealthy(cluster);
}, 300_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
});

describe('a hostile contributor', { timeout: 420_000 }, () => {
  it('the namespace escape: a file under staging naming production’s namespace is a plan error at its line, and /deploy applies nothing anywhere', async () => {
    const escape = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: escape\n  namespace: ${production.namespace}\ndata: { owned: "yes" }\n`;
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'escape',
      files: { 'staging/web/escape.yaml': escape },
      message: 'staging: a config map',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'escape', title: 'escape' });
    const plan = await untilCheck(sha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    expect(plan.conclusion).toBe('failure');
    expect(await annotationsOf(plan.id)).toEqual([
      {
        path: 'staging/web/escape.yaml',
        start_line: 5,
        message: `ConfigMap ${production.namespace}/escape: namespace "${production.namespace}" is outside environment "staging", which may deploy only to "${staging.namespace}"`,
      },
    ]);
    // Even an admin's /deploy applies nothing of it: the plan is invalid.
    const { reply } = await command(alice, number, '/deploy');
    expect(reply).toContain('**staging**: invalid');
    expect(await configMapExists(production.namespace, 'escape')).toBe(false);
    expect(await configMapExists(staging.namespace, 'escape')).toBe(false);
    expect(await checkRuns(sha, 'gradual/deploy staging').then((runs) => runs.filter((run) => run.conclusion === 'success'))).toEqual([]);
    await close(bob, { owner, repo, number });
  });

  it('a ClusterRoleBinding is refused at its kind: line and never reaches the cluster', async () => {
    const binding = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: hostile-${staging.namespace}\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\nsubjects:\n  - { kind: ServiceAccount, name: default, namespace: ${staging.namespace} }\n`;
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'binding',
      files: { 'staging/web/binding.yaml': binding },
      message: 'staging: a binding',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'binding', title: 'binding' });
    const plan = await untilCheck(sha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    expect(plan.conclusion).toBe('failure');
    const [annotation] = await annotationsOf(plan.id);
    expect(annotation).toMatchObject({ path: 'staging/web/binding.yaml', start_line: 2 });
    expect(annotation?.message).toContain('kind ClusterRoleBinding.rbac.authorization.k8s.io is not allowed in environment "staging"');
    const { reply } = await command(alice, number, '/deploy');
    expect(reply).toContain('**staging**: invalid');
    const rbac = staging.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await expect(rbac.readClusterRoleBinding({ name: `hostile-${staging.namespace}` })).rejects.toMatchObject({ code: 404 });
    await close(bob, { owner, repo, number });
  });

  it('a RoleBinding granting the namespace’s admin ClusterRole is refused at its kind: line and never reaches the cluster', async () => {
    const binding = `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: hostile-admin\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin }\nsubjects:\n  - { kind: User, name: mallory }\n`;
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'role-binding',
      files: { 'staging/web/role-binding.yaml': binding },
      message: 'staging: a role binding',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'role-binding', title: 'role binding' });
    const plan = await untilCheck(sha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    expect(plan.conclusion).toBe('failure');
    const [annotation] = await annotationsOf(plan.id);
    expect(annotation).toMatchObject({ path: 'staging/web/role-binding.yaml', start_line: 2 });
    expect(annotation?.message).toContain(
      `RoleBinding ${staging.namespace}/hostile-admin: kind RoleBinding.rbac.authorization.k8s.io is not allowed in environment "staging"`,
    );
    const { reply } = await command(alice, number, '/deploy');
    expect(reply).toContain('**staging**: invalid');
    const rbac = staging.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await expect(rbac.readNamespacedRoleBinding({ namespace: staging.namespace, name: 'hostile-admin' })).rejects.toMatchObject({
      code: 404,
    });
    await close(bob, { owner, repo, number });
  });

  it('a Secret through the plan: in its own namespace it shows "changed, values hidden"; in another namespace it is refused unread; the live values appear nowhere', async () => {
    const same = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ndata:\n  password: ${Buffer.from('guess').toString('base64')}\n`;
    const sameSha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'secret-same',
      files: { 'staging/web/secret.yaml': same },
      message: 'staging: the secret',
    });
    const sameNumber = await openPullRequest(bob, { owner, repo, head: 'secret-same', title: 'secret (same namespace)' });
    const samePlan = await untilCheck(sameSha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    expect(samePlan.conclusion).toBe('success');
    expect(samePlan.summary).toContain(`Secret ${staging.namespace}/db-credentials`);
    expect(samePlan.summary).toContain('`data.password`: changed, values hidden');
    expect(samePlan.summary).not.toContain(Buffer.from('guess').toString('base64'));

    const other = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: ${production.namespace}\ndata:\n  password: ${Buffer.from('guess').toString('base64')}\n`;
    const otherSha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'secret-other',
      files: { 'staging/web/secret.yaml': other },
      message: 'staging: production’s secret',
    });
    const otherNumber = await openPullRequest(bob, { owner, repo, head: 'secret-other', title: 'secret (another namespace)' });
    const otherPlan = await untilCheck(otherSha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    expect(otherPlan.conclusion).toBe('failure');
    expect(await annotationsOf(otherPlan.id)).toEqual([expect.objectContaining({ path: 'staging/web/secret.yaml', start_line: 5 })]);

    for (const plan of [samePlan, otherPlan]) for (const value of secretValues) expect(plan.summary).not.toContain(value);
    // Unchanged: nobody deployed, and the live passwords are what they were.
    expect(await secretPassword(staging.namespace)).toBe(stagingPassword);
    expect(await secretPassword(production.namespace)).toBe(productionPassword);
    await close(bob, { owner, repo, number: sameNumber });
    await close(bob, { owner, repo, number: otherNumber });
  });

  it('a Secret from a fork: the plan compares with main’s manifests and never reads the cluster', async () => {
    await forkRepository(mallory, { owner, repo });
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\nstringData:\n  password: guess\n`;
    const sha = await pushBranch(mallory, {
      owner: 'mallory',
      repo,
      branch: 'peek',
      files: { 'staging/web/secret.yaml': secret },
      message: 'staging: peek',
    });
    const number = await openPullRequest(mallory, { owner, repo, head: 'mallory:peek', base: 'main', title: 'peek' });
    const plan = await untilCheck(sha, stagingPlan, 'the plan', (run) => run.status === 'completed');
    // The cluster has this Secret; main's manifests do not: "create" shows the cluster was not read.
    expect(plan.summary).toMatch(/compared with `main@[0-9a-f]{7}`'s manifests/u);
    expect(plan.summary).toMatch(
      new RegExp(`Secret ${staging.namespace}/db-credentials \\| \`staging/web/secret.yaml:1\` \\| created`, 'u'),
    );
    for (const value of secretValues) expect(plan.summary).not.toContain(value);
    expect(await secretPassword(staging.namespace)).toBe(stagingPassword);
    await close(alice, { owner, repo, number });
  });

  let multi: { number: number; sha: string };

  it('a multi-environment /deploy from a writer deploys staging only; production refuses it with the reason and stays as it was', async () => {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'green',
      files: {
        'staging/web/rollout.yaml': rolloutYaml('example.test/web:green'),
        'production/web/rollout.yaml': rolloutYaml('example.test/web:green'),
      },
      message: 'web: green everywhere',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'green', title: 'green everywhere' });
    multi = { number, sha };
    await untilCheck(sha, productionPlan, 'the plan', (run) => run.status === 'completed');
    const { reaction, reply } = await command(bob, number, '/deploy');
    expect(reaction).toBe('confused');
    expect(reply).toContain('**staging**: deployed');
    expect(reply).toContain(`**production**: not done — \`/deploy\` needs maintain permission on ${owner}/${repo}; @bob has write.`);
    await staging.untilRollout(
      'web',
      'staging at green',
      (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/web:green',
    );
    expect((await production.readRollout('web')).spec.template?.spec?.containers?.[0]?.image).toBe('example.test/web:blue');
    expect(await checkRuns(sha, 'gradual/deploy production').then((runs) => runs.filter((run) => run.conclusion === 'success'))).toEqual(
      [],
    );
  });

  it('a multi-environment /promote from a writer moves staging only; production (and its button) refuse with the reason and stay paused', async () => {
    // A maintainer deploys production; both Rollouts pause at their step 2.
    const deployed = await command(alice, multi.number, '/deploy');
    expect(deployed.reply).toContain('**production**: deployed');
    for (const cluster of [staging, production]) {
      await untilCheck(
        multi.sha,
        `gradual/rollout ${cluster.namespace}/web`,
        'paused for a person',
        (run) => run.conclusion === 'action_required',
      );
    }
    const before = await production.readRollout('web');
    expect(before.status?.currentStepIndex).toBe(1);

    const { reaction, reply } = await command(bob, multi.number, '/promote');
    expect(reaction).toBe('confused');
    expect(reply).toContain(
      `\`${production.namespace}/web\` (production): \`/promote\` needs maintain permission on ${owner}/${repo}; @bob has write.`,
    );
    await staging.untilRollout('web', 'staging promoted past its pause', (rollout) => (rollout.status?.currentStepIndex ?? 0) >= 2);

    // The check run's Promote button on production's Rollout, pressed by the same writer.
    const [productionCheck] = await checkRuns(multi.sha, `gradual/rollout ${production.namespace}/web`);
    if (productionCheck === undefined) throw new Error('no rollout check for production');
    const repliesBefore = (await comments(multi.number)).length;
    // Staging, promoted, goes on to complete meanwhile, and the report loop posts its notice on this pull request
    // then: a reply to the button is a bot comment that is neither a notice nor the sticky comment.
    const buttonReplies = async (): Promise<string[]> =>
      (await comments(multi.number))
        .slice(repliesBefore)
        .filter((item) => item.login.endsWith('[bot]') && parseNoticeKey(item.body) === undefined && !isStickyComment(item.body))
        .map((item) => item.body);
    await pressCheckRunButton({ apiUrl: github.server.url, login: 'bob', checkRunId: productionCheck.id, identifier: 'promote' });
    await waitUntil(async () => (await buttonReplies()).length > 0, {
      what: 'the reply to the button',
      timeoutMs: 60_000,
    });
    const buttonReply = (await buttonReplies()).join('\n');
    expect(buttonReply).toContain('Not done: `/promote` needs maintain permission');

    const after = await production.readRollout('web');
    expect(after.status?.currentStepIndex).toBe(1);
    expect(after.status?.pauseConditions?.length ?? 0).toBeGreaterThan(0);
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
  });

  it('the cross-repository lock: closing #N of another repository, or /unlock there, does not release this repository’s #N', async () => {
    const holder = `${owner}/${repo}#${String(multi.number)}`;
    expect(await leaseHolder(staging.namespace, 'staging')).toBe(holder);

    // Repository B deploys to the same staging namespace, and gets pull requests up to the same number.
    await createRepository(github, alice, {
      owner,
      repo: otherRepo,
      files: {
        '.gradual.yml': `environments:\n  - name: staging\n    paths: ['staging/**/*.yaml']\n    namespace: ${staging.namespace}\n`,
        'README.md': '# other\n',
      },
    });
    let number = 0;
    let sha = '';
    while (number < multi.number) {
      const last = number + 1 === multi.number;
      const branch = `b${String(number + 1)}`;
      sha = await pushBranch(alice, {
        owner,
        repo: otherRepo,
        branch,
        files: last
          ? { 'staging/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other }\n' }
          : { 'README.md': `# other ${branch}\n` },
        message: branch,
      });
      number = await openPullRequest(alice, { owner, repo: otherRepo, head: branch, title: branch });
    }
    expect(number).toBe(multi.number);
    const waiting = await untilCheck(
      sha,
      'gradual/deploy staging',
      'waiting for the other repository',
      (run) => run.status === 'queued',
      otherRepo,
    );
    expect(waiting.title).toBe(`Waiting for ${holder} to release staging`);

    const unlock = await command(alice, number, '/unlock', otherRepo);
    expect(unlock.reaction).toBe('confused');
    expect(unlock.reply).toContain(`is held by ${holder}, another repository's pull request`);
    expect(await leaseHolder(staging.namespace, 'staging')).toBe(holder);

    const logged = botLog.length;
    await close(alice, { owner, repo: otherRepo, number });
    await waitUntil(
      () =>
        Promise.resolve(
          botLog.slice(logged).some((line) => line.includes('closed pull request does not hold the lock; left to its holder')),
        ),
      { what: 'the log line of the close', timeoutMs: 60_000 },
    );
    expect(await leaseHolder(staging.namespace, 'staging')).toBe(holder);
    expect(await configMapExists(staging.namespace, 'other')).toBe(false);
    expect((await staging.readRollout('web')).spec.template?.spec?.containers?.[0]?.image).toBe('example.test/web:green');
  });

  it('no live Secret value reached a check run, a comment or a log line', async () => {
    const numbers = (await octokitFor(alice).rest.pulls.list({ owner, repo, state: 'all', per_page: 100 })).data.map((pull) => ({
      number: pull.number,
      sha: pull.head.sha,
    }));
    const seen: string[] = [...botLog];
    for (const { number, sha } of numbers) {
      for (const item of await comments(number)) seen.push(item.body);
      const runs = await octokitFor(alice).rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 });
      for (const run of runs.data.check_runs) seen.push(run.output.title ?? '', run.output.summary ?? '', run.output.text ?? '');
    }
    expect(seen.length).toBeGreaterThan(10);
    for (const value of secretValues) expect(seen.filter((text) => text.includes(value))).toEqual([]);
    expect(github.violations).toEqual([]);
  });
});
