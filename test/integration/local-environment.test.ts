import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { localUp, readEnvironment, SetupError, type LocalEnvironment } from '../../src/local/index.js';
import { isRunning } from '../../src/local/process-supervisor.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand, type CommandResult } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';

// These tests start environments of their own, beside the shared one, through
// the real `gradual` command a person would type.
const dirs: string[] = [];

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gradual-env-test-'));
  dirs.push(dir);
  return dir;
}

function gradual(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args], { cwd: cli.cwd, env: { ...process.env, GRADUAL_LOG_LEVEL: 'warn', ...env } });
}

/** Every live process whose command line mentions `dir`: what `down` or a failed `up` must leave empty. */
async function processesMentioning(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (cmdline.includes(dir) && state !== 'Z') found.push(Number(entry));
  }
  return found;
}

function core(environment: LocalEnvironment): CoreV1Api {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
  return kubeConfig.makeApiClient(CoreV1Api);
}

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}

afterAll(async () => {
  for (const dir of dirs) {
    await gradual(['local', 'down', '--dir', dir]);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('gradual local up / down', () => {
  // Two whole control planes start beside the shared one: on a loaded two-core machine that alone can take minutes.
  it('starts two independent environments in parallel and stops every process of each', { timeout: 300_000 }, async () => {
    const [dirA, dirB] = [await newDir(), await newDir()];
    const [upA, upB] = await Promise.all([
      gradual(['local', 'up', '--dir', dirA, '--nodes', '1']),
      gradual(['local', 'up', '--dir', dirB, '--nodes', '2']),
    ]);
    expect(upA.stderr).toBe('');
    expect(upA.code).toBe(0);
    expect(upB.code).toBe(0);
    expect(upA.stdout).toContain(`export KUBECONFIG=${join(dirA, 'kubeconfig')}`);

    const [envA, envB] = [await readEnvironment(dirA), await readEnvironment(dirB)];
    expect(envA.kubernetes.apiServerUrl).not.toBe(envB.kubernetes.apiServerUrl);
    expect(envA.prometheus.url).not.toBe(envB.prometheus.url);
    expect(envA.git.url).not.toBe(envB.git.url);
    expect(envA.kubernetes.nodes).toHaveLength(1);
    expect(envB.kubernetes.nodes).toHaveLength(2);

    // Independent stores: an object created in A does not exist in B.
    const name = `only-in-a-${randomUUID().slice(0, 8)}`;
    await core(envA).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { where: 'a' } } });
    expect((await core(envA).readNamespacedConfigMap({ name, namespace: 'default' })).data).toEqual({ where: 'a' });
    await expect(core(envB).readNamespacedConfigMap({ name, namespace: 'default' })).rejects.toMatchObject({ code: 404 });
    for (const environment of [envA, envB]) {
      expect((await fetch(`${environment.prometheus.url}/-/ready`)).status).toBe(200);
    }

    const status = await gradual(['local', 'status', '--dir', dirA]);
    expect(status.code).toBe(0);
    expect(status.stdout.match(/running/g)).toHaveLength(envA.processes.length);

    const [downA, downB] = await Promise.all([gradual(['local', 'down', '--dir', dirA]), gradual(['local', 'down', '--dir', dirB])]);
    expect(downA.code).toBe(0);
    expect(downB.code).toBe(0);
    expect(downA.stdout).toContain(`Stopped ${String(envA.processes.length)} processes`);
    for (const record of [...envA.processes, ...envB.processes]) {
      expect(await isRunning(record), `${record.name} (${String(record.pid)})`).toBe(false);
    }
    expect(await processesMentioning(dirA)).toEqual([]);
    expect(await processesMentioning(dirB)).toEqual([]);
    // `down` keeps the environment's files: its description and etcd's data are still there.
    await expect(access(join(dirA, 'env.json'))).resolves.toBeUndefined();
    await expect(access(join(dirA, 'etcd'))).resolves.toBeUndefined();

    const stoppedStatus = await gradual(['local', 'status', '--dir', dirA]);
    expect(stoppedStatus.code).toBe(3);
    expect(stoppedStatus.stdout).toContain('stopped  etcd');
  });

  it('refuses a port that is in use, with a clear error, before starting anything', async () => {
    const dir = await newDir();
    const { server, port } = await holdPort();
    try {
      const result = await gradual(['local', 'up', '--dir', dir, '--apiserver-port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${String(port)} asked for the API server (--apiserver-port)`);
      expect(result.stderr).toContain('EADDRINUSE');
      await expect(access(join(dir, 'env.json'))).rejects.toThrow();
      expect(await processesMentioning(dir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('names a cache folder that is not writable', async () => {
    const dir = await newDir();
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const cache = join(blocker, 'cache');
    const result = await gradual(['local', 'up', '--dir', dir], { GRADUAL_CACHE_DIR: cache });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The cache folder ${cache} is not writable (ENOTDIR)`);
    expect(await processesMentioning(dir)).toEqual([]);
  });

  it('rejects a bad node count with the option named', async () => {
    const result = await gradual(['local', 'up', '--dir', await newDir(), '--nodes', 'zero']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("option '--nodes <n>' argument 'zero' is invalid");
  });

  it('a start that fails half-way stops every process it had started', async () => {
    const dir = await newDir();
    const crdDir = join(dir, 'bad-crds');
    await mkdir(crdDir);
    // The control plane and KWOK are up by the time the CRDs are read; this document is broken YAML.
    await writeFile(
      join(crdDir, 'broken.yaml'),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: [unclosed\n',
    );
    const failure: unknown = await localUp({ dir, nodes: 1, crdDir, logger: createLogger({ level: 'silent' }) }).catch(
      (cause: unknown) => cause,
    );
    expect(failure).toBeInstanceOf(SetupError);
    expect((failure as SetupError).code).toBe('INVALID_INPUT');
    expect((failure as SetupError).message).toContain(
      `${join(crdDir, 'broken.yaml')}:4: Flow sequence in block collection must be sufficiently indented`,
    );
    expect(await readdir(join(dir, 'logs'))).toContain('kwok.log');
    expect(await processesMentioning(dir)).toEqual([]);
  });

  it('a SIGTERM while `up` starts stops every process started so far and exits 143', { timeout: 180_000 }, async () => {
    const dir = await newDir();
    const cli = ownCliInvocation();
    const child = spawn(cli.command, [...cli.args, 'local', 'up', '--dir', dir, '--nodes', '1'], {
      cwd: cli.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRADUAL_LOG_LEVEL: 'info' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Half-way: the control plane and KWOK run (each in its own process group), Prometheus and the rest do not yet.
    await waitUntil(() => Promise.resolve(output.includes('"nodes ready"') || child.exitCode !== null), {
      what: 'KWOK to be ready in `local up`',
      timeoutMs: 150_000,
      intervalMs: 100,
    });
    expect((await processesMentioning(dir)).length).toBeGreaterThan(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(output).toContain(`Interrupted (SIGTERM) while starting the local environment in ${dir}`);
    expect(await processesMentioning(dir)).toEqual([]);
    // Nothing claims to run: `status` and `down` find no environment written.
    await expect(access(join(dir, 'env.json'))).rejects.toThrow();
  });
});
