import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot as repositoryRootOfTest } from '../../src/local/own-cli.js';
import { allocatePorts } from '../../src/local/ports.js';
import { pinnedVersions } from '../../src/local/versions.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { buildImageLayout } from './support/image-layout.js';
import { testCluster } from './support/test-cluster.js';

// Gradual as its image runs it (deploy/Dockerfile): the final stage's COPY lines followed into a folder of its
// own (support/image-layout.ts: tsc's dist/ and its stylesheet, package.json, app.yml, deploy/crds, policies,
// and a node_modules holding only what `npm ci --omit=dev` installs), started with `node dist/cli/main.js`
// and NODE_ENV=production. Every other test runs the TypeScript sources through tsx, which resolves what
// plain Node would not (extensionless imports, .ts files, JSON without attributes) — a build that only works
// under tsx would pass them all. KWOK runs no containers, so the image itself is not run here.
const cluster = testCluster('compiled');
const { custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const run = promisify(execFile);
let root = '';
let controller: ChildProcess | undefined;

/** The image's environment; the work tree's own variables (tsx's loader, a developer's KUBECONFIG) left out. */
function productionEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: root, NODE_ENV: 'production', GRADUAL_LOG_LEVEL: 'warn' };
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

interface ImportEdge {
  file: string;
  specifier: string;
  /** import('…') rather than an import/export declaration. */
  dynamic: boolean;
  /** import('…') written inside loadDevelopmentModule(…, () => import('…')): a development-only command's. */
  guarded: boolean;
}

/** The imports of one compiled file, read from its syntax tree. */
function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edges: ImportEdge[] = [];
  const guardedBy = (node: ts.Node): boolean => {
    for (let parent = node.parent as ts.Node | undefined; parent !== undefined; parent = parent.parent) {
      if (ts.isCallExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'loadDevelopmentModule')
        return true;
    }
    return false;
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      edges.push({ file, specifier: node.moduleSpecifier.text, dynamic: false, guarded: false });
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteral(argument))
        edges.push({ file, specifier: argument.text, dynamic: true, guarded: guardedBy(node) });
      else edges.push({ file, specifier: '<computed>', dynamic: true, guarded: guardedBy(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/**
 * Every package the compiled files reachable from `entry` import, with the files that do. `follow` says
 * which edges the walk takes (static ones only, or every one a production command can reach).
 */
async function importedPackages(entry: string, follow: (edge: ImportEdge) => boolean): Promise<Map<string, Set<string>>> {
  const packages = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const edge of importsOf(file, await readFile(file, 'utf8'))) {
      if (!follow(edge)) continue;
      if (edge.specifier.startsWith('.')) pending.push(resolve(dirname(file), edge.specifier));
      else if (!isBuiltin(edge.specifier))
        packages.set(packageOf(edge.specifier), (packages.get(packageOf(edge.specifier)) ?? new Set()).add(file));
    }
  }
  return packages;
}

async function startCompiledController(): Promise<{ child: ChildProcess; metricsPort: number; exited: Promise<number | null> }> {
  const { metrics, healthz } = await allocatePorts({ metrics: undefined, healthz: undefined });
  const child = spawn(
    process.execPath,
    [
      'dist/cli/main.js',
      'controller',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--namespace',
      namespace,
      '--no-leader-elect',
      '--metrics-port',
      String(metrics),
      '--healthz-port',
      String(healthz),
    ],
    // The image's working directory and environment; the work tree's own variables (tsx's loader) left out.
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', GRADUAL_LOG_LEVEL: 'warn' },
    },
  );
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      done(code);
    });
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const early = exited.then((code) => {
    throw new Error(`the compiled controller exited (${String(code)}) before it was ready:\n${stderr}`);
  });
  await Promise.race([
    waitUntil(async () => (await fetch(`http://127.0.0.1:${String(healthz)}/healthz`)).ok, {
      what: 'the compiled controller’s /healthz',
      timeoutMs: 60_000,
    }),
    early,
  ]);
  early.catch(() => undefined);
  return { child, metricsPort: metrics, exited };
}

beforeAll(async () => {
  root = await buildImageLayout();
  await cluster.setUp();
}, 600_000);

afterAll(async () => {
  controller?.kill('SIGKILL');
  await cluster.tearDown();
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('the compiled build, laid out as the image lays it out', () => {
  it("imports no package the image leaves out (npm ci --omit=dev keeps `dependencies` only), except behind the development-only commands' guard", async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const entry = join(root, 'dist', 'cli', 'main.js');
    // Every import a production command can reach: static ones, and import('…') anywhere but inside
    // loadDevelopmentModule (which `gradual local …` and `gradual demo` use, and which fails in one line).
    const imported = await importedPackages(entry, (edge) => !edge.guarded);
    // A smoke check of the walk itself: the CLI does reach the engine's client and the bot.
    expect([...imported.keys()]).toEqual(expect.arrayContaining(['@kubernetes/client-node', 'probot', 'zod']));
    // The dashboard compiles browser/app.ts with typescript only when it runs from sources; dist/ has tsc's app.js.
    // The setup flow loads Probot's own apps/setup.js by its path inside the installed probot (a dependency):
    // the one import('…') whose specifier is computed, and it is run below (`start` and `bot` without APP_ID).
    const onlyFromSources = new Set(['typescript dist/dashboard/assets.js', '<computed> dist/gitops/app-setup.js']);
    await expect(readFile(join(root, 'dist', 'dashboard', 'browser', 'app.js'), 'utf8')).resolves.toContain('export');
    const missing = [...imported]
      .filter(([name]) => !(name in manifest.dependencies))
      .flatMap(([name, files]) => [...files].map((file) => `${name} ${file.slice(root.length + 1)}`))
      .filter((use) => !onlyFromSources.has(use));
    expect(missing).toEqual([]);
    // And the walk can fail: through the guard, the local GitHub's and the environment's packages are reached.
    const everything = await importedPackages(entry, () => true);
    expect([...everything.keys()]).toEqual(expect.arrayContaining(['openapi-backend', 'ajv', '@peculiar/x509', 'proper-lockfile']));
    for (const devOnly of [
      '@octokit/openapi',
      'openapi-backend',
      'ajv',
      'ajv-formats',
      '@octokit/webhooks-schemas',
      '@peculiar/x509',
      'proper-lockfile',
    ]) {
      expect(manifest.devDependencies, devOnly).toHaveProperty([devOnly]);
    }
  });

  it('lays out what the Dockerfile copies: production packages only, the stylesheet beside the compiled dashboard, app.yml', async () => {
    await expect(readFile(join(root, 'dist', 'dashboard', 'browser', 'dashboard.css'), 'utf8')).resolves.toContain('{');
    await expect(readFile(join(root, 'app.yml'), 'utf8')).resolves.toContain('default_permissions');
    await expect(readFile(join(root, 'node_modules', 'probot', 'package.json'), 'utf8')).resolves.toContain('"name": "probot"');
    await expect(readFile(join(root, 'node_modules', '@octokit', 'openapi', 'package.json'), 'utf8')).rejects.toThrow(/ENOENT/u);
    await expect(readFile(join(root, 'node_modules', 'typescript', 'package.json'), 'utf8')).rejects.toThrow(/ENOENT/u);
  });

  it('`local` and `demo` say in one line that they need the development install', async () => {
    for (const args of [
      ['local', 'up', '--dir', join(root, 'env')],
      ['local', 'status', '--dir', join(root, 'env')],
      ['demo', '--auto'],
    ]) {
      const refused = await run(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, env: productionEnv() }).then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      );
      expect(refused?.code, args.join(' ')).toBe(2);
      expect(refused?.stderr, args.join(' ')).toMatch(
        /^gradual: `gradual (local|demo)` needs the development install \(npm ci, without --omit=dev\): the package \S+ is not installed here[^\n]*\n$/u,
      );
    }
  });

  it('runs `dashboard`: the page, its script and its stylesheet are served', async () => {
    const { port } = await allocatePorts({ port: undefined });
    const child = spawn(
      process.execPath,
      [
        'dist/cli/main.js',
        'dashboard',
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--namespace',
        namespace,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: productionEnv() },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(port)}/`).catch(() => undefined))?.ok === true, {
        what: `the compiled dashboard (stderr: ${stderr})`,
        timeoutMs: 30_000,
      });
      for (const asset of ['dashboard.css', 'app.js', 'preact-htm.js', 'uplot.js']) {
        const response = await fetch(`http://127.0.0.1:${String(port)}/assets/${asset}`);
        expect(response.status, asset).toBe(200);
        expect((await response.text()).length, asset).toBeGreaterThan(100);
      }
    } finally {
      child.kill('SIGTERM');
    }
  });

  it("runs `start` and `bot` without APP_ID: the setup page serves app.yml's manifest", async () => {
    for (const command of ['start', 'bot']) {
      const { port } = await allocatePorts({ port: undefined });
      const extra = command === 'start' ? ['--kubeconfig', cluster.kubeconfigPath, '--no-leader-elect'] : [];
      const child = spawn(process.execPath, ['dist/cli/main.js', command, ...extra], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...productionEnv(),
          PORT: String(port),
          GRADUAL_WEBHOOK_URL: 'https://gradual.example.test/api/github/webhooks',
          GRADUAL_APP_CREDENTIALS_FILE: join(root, `${command}-app.env`),
        },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      try {
        let page = '';
        await waitUntil(
          async () => {
            const response = await fetch(`http://127.0.0.1:${String(port)}/probot`).catch(() => undefined);
            page = response?.ok === true ? await response.text() : '';
            return page !== '';
          },
          { what: `the setup page of the compiled ${command} (stderr: ${stderr})`, timeoutMs: 30_000 },
        );
        expect(page).toContain('https://github.com/settings/apps/new');
        expect(page).toContain('gradual.example.test/api/github/webhooks');
      } finally {
        child.kill('SIGTERM');
      }
    }
  });

  it('`bot` with an incomplete environment says what is missing, one line each, no stack', async () => {
    const refused = await run(process.execPath, ['dist/cli/main.js', 'bot'], { cwd: root, env: { ...productionEnv(), APP_ID: '12' } }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('WEBHOOK_SECRET is required');
    expect(refused?.stderr).not.toMatch(/\bat \S+ \(/u);
  });

  it('carries kustomize at the pinned version where GRADUAL_KUSTOMIZE names it, so the bot renders kustomize directories', async () => {
    const dockerfile = await readFile(join(repositoryRootOfTest, 'deploy', 'Dockerfile'), 'utf8');
    const named = /^ENV GRADUAL_KUSTOMIZE=(\S+)$/mu.exec(dockerfile)?.[1];
    expect(named).toBe('/usr/local/bin/kustomize');
    const { stdout } = await run(join(root, named ?? ''), ['version'], { cwd: root, env: productionEnv() });
    expect(stdout.trim()).toBe(pinnedVersions.kustomize);
  });

  it('prints the package version', async () => {
    const { stdout } = await run(process.execPath, ['dist/cli/main.js', '--version'], { cwd: root, env: productionEnv() });
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toContain(manifest.version);
  });

  it('runs `version`, `completion` and a start-up error the way the sources do', async () => {
    const env = productionEnv();
    const { stdout } = await run(process.execPath, ['dist/cli/main.js', 'version', '--json'], { cwd: root, env });
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(stdout)).toMatchObject({ gradual: manifest.version, node: process.version });
    expect((await run(process.execPath, ['dist/cli/main.js', 'completion', 'zsh'], { cwd: root, env })).stdout).toContain(
      'complete -F _gradual_completion gradual',
    );
    const refused = await run(process.execPath, ['dist/cli/main.js', 'controller', '--controllers=analysis'], { cwd: root, env }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^gradual: --controllers=analysis is not supported[^\n]*\n$/u);
  });

  it('runs `controller`: a canary reaches its pause, /metrics reports it, and SIGTERM stops it cleanly', async () => {
    const started = await startCompiledController();
    controller = started.child;
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      },
    });
    await cluster.untilRollout('web', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'web',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:yellow' }] } } } },
      },
      mergePatch,
    );
    const paused = await cluster.untilRollout(
      'web',
      'the pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
    );
    expect(paused.status?.updatedReplicas).toBe(1);
    const metrics = await (await fetch(`http://127.0.0.1:${String(started.metricsPort)}/metrics`)).text();
    const info = metrics
      .split('\n')
      .filter((line) => line.startsWith('rollout_info{') && line.includes('name="web"') && line.includes(`namespace="${namespace}"`));
    expect(info).toEqual([expect.stringMatching(/phase="Paused".* 1$/)]);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    controller = undefined;
  });
});
