import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { stateFileName } from './github/state-file.js';
import { ownCliInvocation } from './own-cli.js';
import { startProcess } from './process-supervisor.js';
import type { LocalEnvironment, ManagedProcess } from './types.js';
import { waitUntil } from './wait-until.js';

/** The app id of the environment's one GitHub App. */
const localAppId = 1;

/**
 * Starts the local GitHub of an environment (`D/github`): makes the app's
 * private key and the webhook secret once (0600, kept across restarts so
 * state and tokens stay valid), then runs `gradual local serve-github` and
 * waits until it answers `GET /rate_limit`.
 */
export async function startGithub(
  dir: string,
  port: number,
  logger: Logger,
  started: ManagedProcess[],
  options: { git: LocalEnvironment['git']; webhookUrl?: string },
): Promise<NonNullable<LocalEnvironment['github']>> {
  const root = join(dir, 'github');
  await mkdir(root, { recursive: true });
  const privateKeyFile = join(root, 'app-private-key.pem');
  const webhookSecretFile = join(root, 'webhook-secret');
  if (!(await exists(privateKeyFile))) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await writeFile(privateKeyFile, privateKey, { mode: 0o600 });
  }
  if (!(await exists(webhookSecretFile))) await writeFile(webhookSecretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  // `gradual local github …` proves with it that it may mint people's tokens.
  const adminTokenFile = join(root, 'admin-token');
  if (!(await exists(adminTokenFile))) await writeFile(adminTokenFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const cli = ownCliInvocation();
  const process = startProcess({
    name: 'github',
    command: cli.command,
    args: [
      ...cli.args,
      'local',
      'serve-github',
      '--dir',
      root,
      '--port',
      String(port),
      '--app-id',
      String(localAppId),
      '--private-key-file',
      privateKeyFile,
      '--webhook-secret-file',
      webhookSecretFile,
      '--admin-token-file',
      adminTokenFile,
      '--git-root',
      options.git.root,
      '--git-url',
      options.git.url,
      ...(options.webhookUrl === undefined ? [] : ['--webhook-url', options.webhookUrl]),
    ],
    cwd: cli.cwd,
    logFile: join(dir, 'logs', 'github.log'),
  });
  started.push(process.record);
  const url = `http://127.0.0.1:${String(port)}`;
  await waitUntil(async () => (await fetch(`${url}/rate_limit`)).ok, {
    what: `the local GitHub at ${url}`,
    timeoutMs: 180_000,
    abortOn: [process.exited],
  });
  logger.info({ component: 'github', url }, 'ready');
  return {
    url,
    appId: localAppId,
    privateKeyFile,
    webhookSecretFile,
    stateFile: join(root, stateFileName),
    adminTokenFile,
    ...(options.webhookUrl !== undefined && { webhookUrl: options.webhookUrl }),
  };
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
