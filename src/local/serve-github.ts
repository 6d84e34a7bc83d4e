import { readFile } from 'node:fs/promises';
import type { Logger } from '../log/index.js';
import { startGithubServer } from './github/index.js';

/** The flags of `local serve-github`: the key and the webhook secret as files. */
export interface ServeGithubFlags {
  dir: string;
  port: number;
  appId: number;
  privateKeyFile: string;
  webhookSecretFile: string;
  webhookUrl?: string;
  gitRoot?: string;
  adminTokenFile?: string;
  gitUrl?: string;
}

/**
 * Runs the local GitHub in this process until SIGTERM/SIGINT (the `local
 * serve-github` verb that `local up` starts). The key and the webhook secret
 * are read from files, so they never appear on a command line.
 */
export async function serveGithub(options: ServeGithubFlags & { logger: Logger }): Promise<void> {
  const server = await startGithubServer({
    dir: options.dir,
    port: options.port,
    appId: options.appId,
    privateKey: await readFile(options.privateKeyFile, 'utf8'),
    webhookSecret: (await readFile(options.webhookSecretFile, 'utf8')).trim(),
    ...(options.webhookUrl !== undefined && { webhookUrl: options.webhookUrl }),
    ...(options.adminTokenFile !== undefined && { adminToken: (await readFile(options.adminTokenFile, 'utf8')).trim() }),
    ...(options.gitRoot !== undefined && options.gitUrl !== undefined && { git: { root: options.gitRoot, url: options.gitUrl } }),
    logger: options.logger,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.stop();
}
