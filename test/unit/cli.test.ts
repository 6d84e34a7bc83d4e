import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';

function gradual(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  // The bot's variables of the machine running the tests are not this test's.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !['APP_ID', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'WEBHOOK_SECRET', 'GRADUAL_CONFIG', 'GRADUAL_LOG_FORMAT'].includes(name),
    ),
  );
  return runCommand(cli.command, [...cli.args, ...args], { cwd: cli.cwd, env: { ...inherited, ...env } });
}

/** A start-up error as the operator sees it: `gradual: …` lines (details indented), exit 2, no JSON and no stack. */
function expectStartupError(result: Awaited<ReturnType<typeof runCommand>>, ...expected: RegExp[]): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^gradual: /u);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/u);
  expect(result.stderr).not.toMatch(/"stack"|^\{|\bat .*\.ts:\d+/mu);
  for (const pattern of expected) expect(result.stderr).toMatch(pattern);
}

// Each case starts one to three real `gradual` processes through tsx; allow for a loaded two-core machine.
describe('the gradual command', { timeout: 60_000 }, () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await gradual(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it.each([
    [['--help'], ['local', 'demo']],
    [
      ['local', '--help'],
      ['up [options]', 'down [options]', 'status [options]'],
    ],
    [
      ['local', 'up', '--help'],
      ['--dir <dir>', '--nodes <n>', '--apiserver-port <port>', '--prometheus-port <port>', '--git-port <port>'],
    ],
    [
      ['controller', '--help'],
      ['--allow-metadata-addresses', '--max-metric-response-bytes <n>'],
    ],
    [
      ['start', '--help'],
      ['--allow-metadata-addresses', '--max-metric-response-bytes <n>'],
    ],
  ])('gradual %j lists %j', async (args, expected) => {
    const result = await gradual(args);
    expect(result.code).toBe(0);
    for (const text of expected) expect(result.stdout).toContain(text);
  });

  it('refuses a response cap that is not a whole number of bytes', async () => {
    const result = await gradual(['controller', '--max-metric-response-bytes', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('a whole number of bytes, at least 1');
  });

  it('refuses an unknown command with a non-zero exit and a hint', async () => {
    const result = await gradual(['lunch']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'lunch'");
  });

  it('says clearly when there is no environment to stop', async () => {
    const result = await gradual(['local', 'down', '--dir', '/nonexistent/gradual-env']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No local environment in /nonexistent/gradual-env');
  });

  it("`gradual version` prints Gradual's version and the runtime under it", async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await gradual(['version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`gradual: ${version}\nnode: ${process.version}\nplatform: ${process.platform}/${process.arch}\n`);
    expect((await gradual(['version', '--short'])).stdout).toBe(`${version}\n`);
  });

  it('`gradual completion bash` prints a completion script', async () => {
    const result = await gradual(['completion', 'bash']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('complete -F _gradual_completion gradual');
    expect((await gradual(['completion', 'fish'])).code).not.toBe(0);
  });

  describe('start-up errors, one clear line each', () => {
    let folder = '';
    let keyFile = '';
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'gradual-cli-'));
      keyFile = join(folder, 'key.pem');
      await writeFile(
        keyFile,
        generateKeyPairSync('rsa', {
          modulusLength: 2048,
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey,
      );
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('a Gradual config that is not YAML: the file and line', async () => {
      const config = join(folder, 'broken.yaml');
      await writeFile(config, 'clusters: [\n');
      expectStartupError(
        await gradual(['bot', '--config', config], { APP_ID: '1', PRIVATE_KEY_PATH: keyFile, WEBHOOK_SECRET: 'whsec-cli-test' }),
        new RegExp(`^gradual: ${config}:\\d+: `, 'u'),
      );
    });

    it('a Gradual config with wrong fields: one line per problem, each with file:line', async () => {
      const config = join(folder, 'wrong.yaml');
      await writeFile(config, 'clusters: {}\nrepositories:\n  - match: a/b\n    environments: {prod: nope}\n    extra: 1\n');
      const result = await gradual(['bot', '--config', config], {
        APP_ID: '1',
        PRIVATE_KEY_PATH: keyFile,
        WEBHOOK_SECRET: 'whsec-cli-test',
      });
      expectStartupError(
        result,
        /^gradual: invalid Gradual config:$/mu,
        new RegExp(`^  ${config}:1: clusters: `, 'mu'),
        new RegExp(`^  ${config}:5: repositories.0: Unrecognized key: "extra"$`, 'mu'),
      );
    });

    it("the bot's variables: each missing one on its line", async () => {
      expectStartupError(
        await gradual(['bot'], { APP_ID: 'seven' }),
        /^ {2}APP_ID is the GitHub App's numeric id$/mu,
        /^ {2}WEBHOOK_SECRET is required/mu,
      );
      expectStartupError(
        await gradual(['bot'], { APP_ID: '1', WEBHOOK_SECRET: 'whsec-cli-test', PRIVATE_KEY_PATH: join(folder, 'missing.pem') }),
        /^gradual: PRIVATE_KEY_PATH .*missing\.pem cannot be read: ENOENT/u,
      );
    });

    it.each([
      [
        ['controller', '--kubeconfig', '/nonexistent/kubeconfig'],
        /^gradual: cannot load the kubeconfig \/nonexistent\/kubeconfig: ENOENT/u,
      ],
      [['controller', '--controllers=analysis'], /^gradual: --controllers=analysis is not supported/u],
    ])('%j', async (args, message) => {
      expectStartupError(await gradual(args), message);
    });

    it('a log format that does not exist', async () => {
      expectStartupError(
        await gradual(['version'], { GRADUAL_LOG_FORMAT: 'xml' }),
        /GRADUAL_LOG_FORMAT is auto, json or pretty, not "xml"/u,
      );
    });
  });

  it("logs JSON to a pipe, pretty lines when asked (--log-format pretty, Argo's --logformat text)", async () => {
    const args = ['controller', '--kubeconfig', '/nonexistent/kubeconfig', '--qps', '5'];
    const json = await gradual(args);
    expect(JSON.parse(json.stderr.split('\n')[0] ?? '')).toMatchObject({
      level: 40,
      msg: expect.stringContaining('--qps is accepted') as unknown,
    });
    for (const pretty of [await gradual(['--log-format', 'pretty', ...args]), await gradual([...args, '--logformat', 'text'])]) {
      expect(pretty.stderr.split('\n')[0]).toMatch(/^\[[\d:.]+\] WARN: --qps is accepted for Argo Rollouts' manifests/u);
    }
  });

  it('`gradual bot` without APP_ID serves the setup page on loopback, and stops on SIGTERM', async () => {
    const cli = ownCliInvocation();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !['APP_ID', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'WEBHOOK_SECRET', 'GRADUAL_CONFIG', 'HOST', 'GHE_HOST'].includes(name),
      ),
    );
    const child = spawn(cli.command, [...cli.args, 'bot'], {
      cwd: cli.cwd,
      env: {
        ...inherited,
        PORT: '0',
        GRADUAL_WEBHOOK_URL: 'https://gradual.example.test/api/github/webhooks',
        GRADUAL_APP_CREDENTIALS_FILE: join(tmpdir(), 'gradual-cli-never-written.env'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /"url":"(http:\/\/127\.0\.0\.1:\d+\/probot)"/u.exec(stderr)?.[1];
        if (found !== undefined) resolve(found);
      });
      void exited.then(() => {
        reject(new Error(`gradual bot exited before serving the setup page:\n${stderr}`));
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://gradual.example.test/api/github/webhooks');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
