import type { Logger } from '../log/index.js';
import { createGitServer } from './git-server.js';

/** Runs the git server in this process until SIGTERM/SIGINT (the `local serve-git` verb that `local up` starts). */
export async function serveGit(options: { root: string; port: number; logger: Logger; notifyUrl?: string }): Promise<void> {
  const notifyUrl = options.notifyUrl;
  const server = createGitServer({
    root: options.root,
    logger: options.logger,
    ...(notifyUrl !== undefined && { onPush: (push) => notifyPush(notifyUrl, push) }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      resolve();
    });
  });
  options.logger.info({ component: 'git-server', port: options.port, root: options.root }, 'serving bare repositories');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/**
 * Tells the local GitHub (another process) which repository was pushed; it
 * reads the new branch heads from the repository itself.
 */
export async function notifyPush(url: string, push: { repository: string; pusher: string | undefined }): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ repository: push.repository, ...(push.pusher !== undefined && { pusher: push.pusher }) }),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`push notice to ${url} for ${push.repository} answered ${String(response.status)}`);
}
