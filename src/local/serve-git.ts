import type { Logger } from '../log/index.js';
import { createGitServer } from './git-server.js';

/** Runs the git server in this process until SIGTERM/SIGINT (the `local serve-git` verb that `local up` starts). */
export async function serveGit(options: { root: string; port: number; logger: Logger }): Promise<void> {
  const server = createGitServer({ root: options.root, logger: options.logger });
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
