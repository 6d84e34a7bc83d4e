import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../log/index.js';
import { ensureDebianPackages } from '../debian-packages.js';
import { createRepositoryFromFolder, openPullRequest, pushBranch, setBranchProtection, type Person } from './person.js';
import { seedInstallation, seedPerson } from './seed.js';
import { startTestGithub, type TestGithub } from './testing.js';

const owner = 'acme';
const repo = 'deploys';
const check = 'gradual/rollout';
/** Kept after the run (gitignored), so a person can look at what the browser saw. */
const artifacts = resolve('test-artifacts');

let github: TestGithub;
let app: Octokit;
let browser: Browser;
let checkRunId: number;

beforeAll(async () => {
  // Debian's chromium, installed by apt when missing, as the environment installs prometheus and git.
  await ensureDebianPackages(['chromium'], createLogger({ level: 'warn' }));
  github = await startTestGithub({ git: true });
  const now = new Date();
  const tokens = await github.server.update((state) => ({
    installation: seedInstallation(state, owner, now).id,
    alice: seedPerson(state, { login: 'alice', role: 'admin', now }),
  }));
  app = new Octokit({
    baseUrl: github.server.url,
    authStrategy: createAppAuth,
    auth: { appId: github.appId, privateKey: github.privateKey, installationId: tokens.installation },
  });
  const alice: Person = { login: 'alice', token: tokens.alice, apiUrl: github.server.url };
  const folder = await mkdtemp(join(tmpdir(), 'gradual-manifests-'));
  await writeFile(join(folder, 'rollout.yaml'), 'image: web:v1\n');
  await createRepositoryFromFolder(alice, { owner, repo, folder });
  await pushBranch(alice, { owner, repo, branch: 'v2', files: { 'rollout.yaml': 'image: web:v2\n' }, message: 'web v2' });
  await openPullRequest(alice, { owner, repo, head: 'v2', title: 'Roll out web v2', body: 'Canary **web** to v2.' });
  await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [check], requiredApprovals: 0 });
  const head = (await app.rest.pulls.get({ owner, repo, pull_number: 1 })).data.head.sha;
  const run = await app.rest.checks.create({
    owner,
    repo,
    name: check,
    head_sha: head,
    status: 'in_progress',
    output: {
      title: 'Canary at 20%',
      summary: '| step | weight | analysis |\n| --- | --- | --- |\n| 1 | 20% | Successful |\n| 2 | 50% | Running |',
    },
    actions: [
      { label: 'Promote', description: 'Go to the next step', identifier: 'promote' },
      { label: 'Abort', description: 'Abort the rollout', identifier: 'abort' },
    ],
  });
  checkRunId = run.data.id;
  await app.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'Rollout **started** <script>alert(1)</script>' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser.close();
  await github.stop();
});

describe('the pull-request page in Chromium', { timeout: 60_000 }, () => {
  it("shows the check's summary table and buttons, keeps merge disabled, and Abort delivers check_run.requested_action", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${github.server.url}/${owner}/${repo}/pull/1?as=alice`);
    const summary = page.locator(`.check[data-check-run="${String(checkRunId)}"] .summary table`);
    expect(await summary.locator('th').allTextContents()).toEqual(['step', 'weight', 'analysis']);
    expect(await summary.locator('tr').nth(2).locator('td').allTextContents()).toEqual(['2', '50%', 'Running']);
    expect(await page.locator('button.check-action').allTextContents()).toEqual(['Promote', 'Abort']);
    expect(await page.locator('#merge').isDisabled()).toBe(true);
    expect(await page.locator('.merge-status').textContent()).toBe(`Required status check "${check}" is expected.`);
    expect(await page.locator('#conversation .comment strong').last().textContent()).toBe('started');
    expect(await page.locator('#conversation script').count()).toBe(0);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'pull-page.png'), fullPage: true });

    const from = github.received.length;
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.locator('body[data-pressed="abort"]').waitFor();
    await github.server.idle();
    const delivered = github.received.slice(from).map((webhook) => ({
      event: webhook.headers['x-github-event'],
      payload: JSON.parse(webhook.body) as {
        action: string;
        requested_action?: { identifier: string };
        sender: { login: string };
        check_run: { id: number };
      },
    }));
    expect(
      delivered.map((item) => [
        item.event,
        item.payload.action,
        item.payload.requested_action?.identifier,
        item.payload.sender.login,
        item.payload.check_run.id,
      ]),
    ).toEqual([['check_run', 'requested_action', 'abort', 'alice', checkRunId]]);
    expect(errors).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  it('enables merge once the required check succeeds, and merges from the page', async () => {
    await app.rest.checks.update({ owner, repo, check_run_id: checkRunId, conclusion: 'success' });
    const page = await browser.newPage();
    await page.goto(`${github.server.url}/${owner}/${repo}/pull/1?as=alice`);
    expect(await page.locator('#merge').isDisabled()).toBe(false);
    await page.locator('#comment-body').fill('Looks good, merging.');
    await Promise.all([page.waitForEvent('load'), page.locator('#comment').click()]);
    expect(await page.locator('#conversation .comment .markdown').last().textContent()).toContain('Looks good, merging.');
    await Promise.all([page.waitForEvent('load'), page.locator('#merge').click()]);
    expect(await page.locator('.pr-state').textContent()).toBe('merged');
    await github.server.idle();
    expect(github.violations).toEqual([]);
  });
});
