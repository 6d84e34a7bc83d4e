import { CustomObjectsApi } from '@kubernetes/client-node';
import { comment, merge, openPullRequest, personOctokit, pushBranch } from '../local/github/person.js';
import { waitUntil } from '../local/wait-until.js';
import {
  demoCheckNames,
  demoOwner,
  demoRepository,
  demoRolloutFile,
  demoRolloutName,
  demoRolloutYaml,
  demoSecondColor,
  demoThirdColor,
} from './demo-manifests.js';
import { readDemoRollout, untilRolloutHealthy, type DemoSession } from './demo-session.js';
import { colorResponseSchema } from './schema.js';
import type { StoryStep } from './timeline.js';

/** The share of pull request #2's requests that fail. */
export const demoInjectedErrorRate = 0.65;
const owner = demoOwner;
const repo = demoRepository;

export interface StoryContext {
  session: DemoSession;
  /** How long one expectation may take to hold (the rollout's own pauses are 10 s). */
  timeoutMs: number;
  /** Filled in as the story goes. */
  pulls: { first?: { number: number; sha: string }; second?: { number: number; sha: string } };
}

interface CheckView {
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

async function untilCheck(
  context: StoryContext,
  sha: string,
  name: string,
  what: string,
  holds: (check: CheckView) => boolean,
): Promise<CheckView> {
  const octokit = personOctokit(context.session.people.alice);
  let last: CheckView | undefined;
  try {
    await waitUntil(
      async () => {
        const run = (await octokit.rest.checks.listForRef({ owner, repo, ref: sha, check_name: name })).data.check_runs[0];
        last =
          run === undefined
            ? undefined
            : { status: run.status, conclusion: run.conclusion, title: run.output.title ?? '', summary: run.output.summary ?? '' };
        return last !== undefined && holds(last);
      },
      { what: `${name} on ${sha.slice(0, 7)}: ${what}`, timeoutMs: context.timeoutMs, intervalMs: 250 },
    );
  } catch (error) {
    const seen = last === undefined ? 'no such check run' : `${last.status}/${String(last.conclusion)} "${last.title}"`;
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last seen: ${seen}`, { cause: error });
  }
  if (last === undefined) throw new Error(`${name}: no check run`);
  return last;
}

async function headSha(context: StoryContext, number: number): Promise<string> {
  return (await personOctokit(context.session.people.alice).rest.pulls.get({ owner, repo, pull_number: number })).data.head.sha;
}

/** Sends `count` requests through the gateway, ten at a time, and counts the colours that answered. */
async function sampleColors(gatewayUrl: string, count: number): Promise<Map<string, number>> {
  const colors = new Map<string, number>();
  let sent = 0;
  async function worker(): Promise<void> {
    while (sent < count) {
      sent += 1;
      const answer = colorResponseSchema.parse(await (await fetch(`${gatewayUrl}/color`)).json());
      colors.set(answer.color, (colors.get(answer.color) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: 10 }, () => worker()));
  return colors;
}

async function canaryWeight(context: StoryContext): Promise<number | undefined> {
  const api = context.session.kubeConfig.makeApiClient(CustomObjectsApi);
  const service = (await api.getNamespacedCustomObject({
    group: 'networking.istio.io',
    version: 'v1alpha3',
    namespace: context.session.namespace,
    plural: 'virtualservices',
    name: demoRolloutName,
  })) as {
    spec?: { http?: { name?: string; route?: { destination?: { host?: string }; weight?: number }[] }[] };
  };
  const primary = service.spec?.http?.find((route) => route.name === 'primary');
  return primary?.route?.find((destination) => destination.destination?.host === `${demoRolloutName}-canary`)?.weight;
}

function pausedAtFirstStep(context: StoryContext, which: 'first' | 'second'): StoryStep<StoryContext> {
  const checks = demoCheckNames(context.session.namespace);
  return {
    title: `the rollout check pauses at step 2 of 7 (setWeight 20 reached) on #${which === 'first' ? '1' : '2'}`,
    run: async () => {
      const sha = context.pulls[which]?.sha ?? '';
      const check = await untilCheck(
        context,
        sha,
        checks.rollout,
        'paused for a person at step 2',
        (run) => run.conclusion === 'action_required',
      );
      if (!/Step 2\/7/u.test(check.title)) throw new Error(`expected "Step 2/7" in the check's title, got "${check.title}"`);
      const weight = await canaryWeight(context);
      if (weight !== 20) throw new Error(`expected the VirtualService's canary weight at 20, got ${String(weight)}`);
      return `"${check.title}", VirtualService canary weight 20`;
    },
  };
}

/** The Argo Rollouts demo's story on pull requests: a promotion merged, then injected errors failing the analysis and the merge. */
export function demoStory(context: StoryContext): StoryStep<StoryContext>[] {
  const { session } = context;
  const { alice, bob } = session.people;
  const checks = demoCheckNames(session.namespace);
  return [
    {
      title: 'pull request #1 (blue → yellow): gradual/plan passes and shows the image change',
      run: async () => {
        const sha = await headSha(context, 1);
        context.pulls.first = { number: 1, sha };
        const plan = await untilCheck(context, sha, checks.plan, 'completed', (run) => run.status === 'completed');
        if (plan.conclusion !== 'success') throw new Error(`gradual/plan concluded ${String(plan.conclusion)}: ${plan.title}`);
        if (!plan.summary.includes(`:${demoSecondColor}`)) throw new Error('the plan does not show the new image');
        return `"${plan.title}"`;
      },
    },
    pausedAtFirstStep(context, 'first'),
    {
      title: 'the gateway sends about 20 % of 500 requests to yellow',
      run: async () => {
        const colors = await sampleColors(session.traffic.gatewayUrl, 500);
        const share = (colors.get(demoSecondColor) ?? 0) / 500;
        const seen = [...colors].map(([color, count]) => `${color} ${String(count)}`).join(', ');
        if (share < 0.12 || share > 0.28) throw new Error(`yellow answered ${(share * 100).toFixed(1)} % (${seen}); expected 12–28 %`);
        return `${(share * 100).toFixed(1)} % yellow (${seen})`;
      },
    },
    {
      title: 'bob comments /promote; the bot reacts 🚀',
      run: async () => {
        const id = await comment(bob, { owner, repo, number: 1, body: '/promote' });
        const octokit = personOctokit(alice);
        await waitUntil(
          async () =>
            (await octokit.rest.reactions.listForIssueComment({ owner, repo, comment_id: id })).data.some(
              (reaction) => reaction.content === 'rocket',
            ),
          {
            what: '🚀 on /promote',
            timeoutMs: context.timeoutMs,
            intervalMs: 250,
          },
        );
        return `comment ${String(id)}`;
      },
    },
    {
      title: 'the steps 40 → 60 → 100 run, the analysis passes, the rollout check succeeds',
      run: async () => {
        const check = await untilCheck(
          context,
          context.pulls.first?.sha ?? '',
          checks.rollout,
          'success',
          (run) => run.status === 'completed' && run.conclusion !== 'action_required',
        );
        if (check.conclusion !== 'success') throw new Error(`the rollout check concluded ${String(check.conclusion)}: ${check.title}`);
        return `"${check.title}"`;
      },
    },
    {
      title: 'alice merges pull request #1 (branch protection satisfied)',
      run: async () => `merge commit ${(await merge(alice, { owner, repo, number: 1 })).slice(0, 7)}`,
    },
    {
      title: 'the environment runs yellow, Healthy',
      run: async () => {
        await untilRolloutHealthy(session.kubeConfig, demoSecondColor, context.timeoutMs);
        return `phase ${(await readDemoRollout(session.kubeConfig))?.status?.phase ?? '?'}`;
      },
    },
    {
      title: `pull request #2 (yellow → green) with ${String(demoInjectedErrorRate * 100)} % errors injected into green`,
      run: async () => {
        session.traffic.setErrorRate(demoThirdColor, demoInjectedErrorRate);
        const sha = await pushBranch(bob, {
          owner,
          repo,
          branch: demoThirdColor,
          files: { [demoRolloutFile]: demoRolloutYaml(demoThirdColor, session.namespace) },
          message: `rollouts-demo: ${demoThirdColor}`,
        });
        const number = await openPullRequest(bob, { owner, repo, head: demoThirdColor, title: `Roll out ${demoThirdColor}` });
        context.pulls.second = { number, sha };
        return `#${String(number)} at ${sha.slice(0, 7)}`;
      },
    },
    pausedAtFirstStep(context, 'second'),
    {
      title: 'the background analysis fails on success-rate; the rollout check fails',
      run: async () => {
        const check = await untilCheck(
          context,
          context.pulls.second?.sha ?? '',
          checks.rollout,
          'failure',
          (run) => run.conclusion === 'failure',
        );
        if (!`${check.title}\n${check.summary}`.includes('success-rate'))
          throw new Error(`the failed check does not name the metric: "${check.title}"`);
        return `"${check.title}"`;
      },
    },
    {
      title: 'the rollout is aborted: Degraded, all traffic back on yellow',
      run: async () => {
        const rollout = (await readDemoRollout(session.kubeConfig)) as
          { status?: { phase?: string; abort?: boolean; message?: string } } | undefined;
        if (rollout?.status?.abort !== true || rollout.status.phase !== 'Degraded')
          throw new Error(`expected an aborted, Degraded rollout; status: ${JSON.stringify(rollout?.status ?? null)}`);
        await waitUntil(async () => (await canaryWeight(context)) === 0, {
          what: 'the canary weight back to 0',
          timeoutMs: context.timeoutMs,
          intervalMs: 250,
        });
        return `"${rollout.status.message ?? ''}"`;
      },
    },
    {
      title: 'the bot comments the abort on pull request #2',
      run: async () => {
        const number = context.pulls.second?.number ?? 0;
        const octokit = personOctokit(alice);
        let body = '';
        await waitUntil(
          async () => {
            const comments = (await octokit.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 })).data;
            body = comments.find((item) => /abort/iu.test(item.body ?? '') && (item.body ?? '').includes('success-rate'))?.body ?? '';
            return body !== '';
          },
          { what: 'a comment about the abort', timeoutMs: context.timeoutMs, intervalMs: 250 },
        );
        return `"${
          body
            .split('\n')
            .find((line) => line.trim() !== '' && !line.startsWith('<!--'))
            ?.slice(0, 100) ?? ''
        }"`;
      },
    },
    {
      title: 'merging pull request #2 is refused',
      run: async () => {
        const number = context.pulls.second?.number ?? 0;
        const status = await personOctokit(alice)
          .rest.pulls.merge({ owner, repo, pull_number: number })
          .then(
            () => 200,
            (error: unknown) => (error as { status?: number }).status ?? 0,
          );
        if (status !== 405) throw new Error(`expected 405 from the merge, got ${String(status)}`);
        return 'HTTP 405: required check failed';
      },
    },
  ];
}
