import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand, type CommandResult } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';

// No controller runs here: these tests check what each verb writes to a real API server
// (with Gradual's Rollout CRD and its status subresource), and what it reads back.
const environment = inject('gradualEnv');
const kubeconfig = environment.kubernetes.kubeconfig;
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const namespace = `it-verbs-${randomUUID().slice(0, 8)}`;
const rollouts = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', namespace } as const;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The real `gradual` command, as a person runs it (through tsx from the sources). */
function cliInvocation(args: string[]): { command: string; args: string[]; cwd: string } {
  const cli = ownCliInvocation();
  return { ...cli, args: [...cli.args, ...args] };
}

function gradual(...args: string[]): Promise<CommandResult> {
  const cli = cliInvocation([...args, '--kubeconfig', kubeconfig, '-n', namespace]);
  return runCommand(cli.command, cli.args, { cwd: cli.cwd });
}

interface Running {
  /** Resolves once stdout contains the text. */
  printed: (text: string) => Promise<void>;
  stdout: () => string;
  exited: Promise<number | null>;
  interrupt: () => void;
}

/** A verb that keeps running (a watch), with its output as it comes. */
function start(...args: string[]): Running {
  const cli = cliInvocation([...args, '--kubeconfig', kubeconfig, '-n', namespace]);
  const child = spawn(cli.command, cli.args, { cwd: cli.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  // Decoded as a stream: the tree's glyphs are multi-byte and may straddle chunks.
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.filter((w) => stdout.includes(w.text))) waiter.resolve();
  });
  return {
    printed: (text) =>
      new Promise((resolve) => {
        if (stdout.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
    stdout: () => stdout,
    exited: new Promise((resolve) => child.on('close', resolve)),
    interrupt: () => child.kill('SIGINT'),
  };
}

interface Stored {
  metadata: { name: string; uid: string; generation: number };
  spec: {
    paused?: boolean;
    restartAt?: string;
    template: { metadata?: { labels?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
  };
  status?: Record<string, unknown>;
}

function read(name: string): Promise<Stored> {
  return customObjects.getNamespacedCustomObject({ ...rollouts, name }) as Promise<Stored>;
}

async function setStatus(name: string, status: Record<string, unknown>): Promise<void> {
  await customObjects.patchNamespacedCustomObjectStatus({ ...rollouts, name, body: { status } }, mergePatch);
}

function template(name: string, image: string, hash?: string): Stored['spec']['template'] {
  return {
    metadata: { labels: { app: name, ...(hash === undefined ? {} : { 'rollouts-pod-template-hash': hash }) } },
    spec: { containers: [{ name: 'web', image }] },
  };
}

/** A canary Rollout as a person applies it, then the status a controller would have written. */
async function createRollout(name: string, status: Record<string, unknown>): Promise<Stored> {
  await customObjects.createNamespacedCustomObject({
    ...rollouts,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: template(name, 'example.test/web:2'),
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '10s' } }] } },
      },
    },
  });
  await setStatus(name, { observedGeneration: '1', ...status });
  return read(name);
}

/** A ReplicaSet the Rollout would own for a revision (the controller-manager and KWOK give it pods). */
async function createReplicaSet(rollout: Stored, hash: string, revision: number, image: string, replicas: number): Promise<void> {
  const name = rollout.metadata.name;
  await apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name: `${name}-${hash}`,
        labels: { app: name, 'rollouts-pod-template-hash': hash },
        annotations: { 'rollout.argoproj.io/revision': String(revision) },
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name, uid: rollout.metadata.uid, controller: true }],
      },
      spec: {
        replicas,
        selector: { matchLabels: { app: name, 'rollouts-pod-template-hash': hash } },
        template: template(name, image, hash),
      },
    },
  });
}

const pausedAtStep = {
  currentStepIndex: 1,
  pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
  controllerPause: true,
};

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
    what: 'default ServiceAccount',
    timeoutMs: 30_000,
  });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

// Each verb is a fresh `gradual` process through tsx: seconds apiece on a loaded two-core machine.
describe('the rollout verbs against a real API server', { timeout: 120_000 }, () => {
  it('pause and resume set spec.paused', async () => {
    await createRollout('pause', {});
    expect(await gradual('pause', 'pause')).toMatchObject({ code: 0, stdout: "rollout 'pause' paused\n" });
    expect((await read('pause')).spec.paused).toBe(true);
    expect(await gradual('resume', 'pause')).toMatchObject({ code: 0, stdout: "rollout 'pause' resumed\n" });
    expect((await read('pause')).spec.paused).toBe(false);
  });

  it('abort and retry rollout set status.abort through the status subresource', async () => {
    await createRollout('abort', { currentPodHash: 'new', stableRS: 'old' });
    expect(await gradual('abort', 'abort')).toMatchObject({ code: 0, stdout: "rollout 'abort' aborted\n" });
    expect((await read('abort')).status?.['abort']).toBe(true);
    expect(await gradual('retry', 'rollout', 'abort')).toMatchObject({ code: 0, stdout: "rollout 'abort' retried\n" });
    expect((await read('abort')).status?.['abort']).toBe(false);
  });

  it('promote clears the pause conditions; unpaused, it skips the step; --full sets promoteFull and unpauses the spec', async () => {
    await createRollout('promote', { ...pausedAtStep, currentPodHash: 'new', stableRS: 'old' });
    expect(await gradual('promote', 'promote')).toMatchObject({ code: 0, stdout: "rollout 'promote' promoted\n" });
    let stored = await read('promote');
    expect(stored.status?.['pauseConditions']).toBeUndefined();
    expect(stored.status?.['currentStepIndex']).toBe(1);

    expect((await gradual('promote', 'promote')).code).toBe(0);
    stored = await read('promote');
    expect(stored.status?.['currentStepIndex']).toBe(2);

    expect((await gradual('pause', 'promote')).code).toBe(0);
    expect(await gradual('promote', 'promote', '--full')).toMatchObject({ code: 0, stdout: "rollout 'promote' fully promoted\n" });
    stored = await read('promote');
    expect(stored.status?.['promoteFull']).toBe(true);
    expect(stored.spec.paused).toBe(false);
  });

  it('restart sets spec.restartAt to now, or --in later', async () => {
    await createRollout('restart', {});
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect(await gradual('restart', 'restart')).toMatchObject({ code: 0, stdout: "rollout 'restart' restarts in 0s\n" });
    const at = Date.parse((await read('restart')).spec.restartAt ?? '');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());

    expect((await gradual('restart', 'restart', '--in', '1m')).code).toBe(0);
    const later = Date.parse((await read('restart')).spec.restartAt ?? '');
    expect(later).toBeGreaterThanOrEqual(before + 60_000);
    expect(later).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('set image changes the named container, and refuses an unknown one', async () => {
    await createRollout('image', {});
    expect(await gradual('set', 'image', 'image', 'web=example.test/web:3')).toMatchObject({
      code: 0,
      stdout: 'rollout "image" image updated\n',
    });
    expect((await read('image')).spec.template.spec.containers[0]?.image).toBe('example.test/web:3');
    const refused = await gradual('set', 'image', 'image', 'nope=x:1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unable to find container named "nope"');
  });

  it('undo restores the template of the previous revision, or of --to-revision N, without the hash label', async () => {
    const rollout = await createRollout('undo', { currentPodHash: 'h3', stableRS: 'h3' });
    await createReplicaSet(rollout, 'h1', 1, 'example.test/web:1', 0);
    await createReplicaSet(rollout, 'h2', 2, 'example.test/web:1.5', 0);
    await createReplicaSet(rollout, 'h3', 3, 'example.test/web:2', 0);

    expect(await gradual('undo', 'undo')).toMatchObject({ code: 0, stdout: "rollout 'undo' undo\n" });
    let stored = await read('undo');
    expect(stored.spec.template.spec.containers[0]?.image).toBe('example.test/web:1.5');
    expect(stored.spec.template.metadata?.labels).toEqual({ app: 'undo' });

    expect((await gradual('undo', 'undo', '--to-revision', '1')).code).toBe(0);
    stored = await read('undo');
    expect(stored.spec.template.spec.containers[0]?.image).toBe('example.test/web:1');
    expect(stored.spec.template.metadata?.labels).toEqual({ app: 'undo' });

    expect(await gradual('undo', 'undo', '--to-revision', '1')).toMatchObject({
      code: 0,
      stdout: 'skipped rollback (current template already matches revision 1)\n',
    });
    const missing = await gradual('undo', 'undo', '--to-revision', '9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('unable to find specified revision 9 in history');
  });

  it('status exits 0 when Healthy and 1 when Degraded; --watch=false leaves a paused rollout at 0; a watch gives up at --timeout', async () => {
    await createRollout('status', { phase: 'Healthy', message: '' });
    expect(await gradual('status', 'status')).toMatchObject({ code: 0, stdout: 'Healthy\n' });

    await setStatus('status', { phase: 'Degraded', message: 'RolloutAborted: metric "success-rate" assessed Failed' });
    const degraded = await gradual('status', 'status', '--watch=false');
    expect(degraded).toMatchObject({ code: 1, stdout: 'Degraded\n' });
    expect(degraded.stderr).toContain(
      'The rollout is in a degraded state with message: RolloutAborted: metric "success-rate" assessed Failed',
    );

    await setStatus('status', { phase: 'Paused', message: 'CanaryPauseStep' });
    expect(await gradual('status', 'status', '--watch=false')).toMatchObject({ code: 0, stdout: 'Paused - CanaryPauseStep\n' });
    const timedOut = await gradual('status', 'status', '--timeout', '1s');
    expect(timedOut).toMatchObject({ code: 1, stdout: 'Paused - CanaryPauseStep\n' });
    expect(timedOut.stderr).toContain('Rollout status watch exceeded timeout');
  });

  it('status waits on a watch until the rollout becomes Healthy', async () => {
    await createRollout('waits', { phase: 'Progressing', message: 'more replicas need to be updated' });
    const running = start('status', 'waits', '--timeout', '60s');
    await running.printed('\n');
    await setStatus('waits', { phase: 'Paused', message: 'CanaryPauseStep' });
    await setStatus('waits', { phase: 'Healthy', message: '' });
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toMatch(/^Progressing - more replicas need to be updated\n(Paused - CanaryPauseStep\n)?Healthy\n$/u);
  });

  it('get rollout --watch renders again when the Rollout changes', async () => {
    await createRollout('live', { phase: 'Paused', message: 'CanaryPauseStep', ...pausedAtStep });
    const running = start('get', 'rollout', 'live', '--watch', '--timeout-seconds', '60');
    await running.printed('॥ Paused');
    await setStatus('live', { phase: 'Healthy', message: '', pauseConditions: null, controllerPause: false, currentStepIndex: 4 });
    await running.printed('✔ Healthy');
    running.interrupt();
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toContain('  Step:          4/4\n');
  });

  it('get rollout prints the summary and the ReplicaSets; list rollouts has a line for it', async () => {
    const rollout = await createRollout('tree', {
      phase: 'Paused',
      message: 'CanaryPauseStep',
      ...pausedAtStep,
      currentPodHash: 'c2',
      stableRS: 'c1',
    });
    await createReplicaSet(rollout, 'c1', 1, 'example.test/web:1', 1);
    await createReplicaSet(rollout, 'c2', 2, 'example.test/web:2', 0);
    const result = await gradual('get', 'rollout', 'tree');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Name:            tree\nNamespace:       ${namespace}\nStatus:          ॥ Paused\nMessage:         CanaryPauseStep\n`,
    );
    expect(result.stdout).toContain('  Step:          1/4\n  SetWeight:     20\n');
    expect(result.stdout).toMatch(/├──# revision:2\n│ {2}└──⧉ tree-c2 +ReplicaSet/u);
    expect(result.stdout).toMatch(/└──# revision:1\n {3}└──⧉ tree-c1 +ReplicaSet .+ stable/u);

    const list = await gradual('list', 'rollouts');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +STRATEGY +STATUS +STEP +SET-WEIGHT +READY +DESIRED +UP-TO-DATE +AVAILABLE\n/u);
    expect(list.stdout).toMatch(/\ntree +Canary +Paused +1\/4 +20 +0\/0 +1 +0 +0\n/u);
  });

  it('an unknown rollout is exit code 1 and says where it looked', async () => {
    for (const args of [
      ['promote', 'nope'],
      ['abort', 'nope'],
      ['status', 'nope'],
      ['get', 'rollout', 'nope'],
    ]) {
      const result = await gradual(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(`rollout "nope" not found in namespace "${namespace}"`);
    }
  });
});
