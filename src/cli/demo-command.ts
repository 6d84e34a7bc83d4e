import { join } from 'node:path';
import { Command } from 'commander';
import { rootLogger } from '../log/index.js';
import { defaultEnvironmentDir, describeEnvironment } from './local-command.js';

/**
 * For now the demo brings the local environment up (or finds it running) and
 * says how to reach it; the pull-request story lands with the bot and traffic.
 * With --detach it returns at once; otherwise it keeps the environment until
 * Ctrl-C and then stops it.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('run the local demo: bring up the embedded environment and show how to reach it')
    .option('--dir <dir>', 'folder of the demo environment', join(defaultEnvironmentDir(), '..', 'demo'))
    .option('--detach', 'leave the environment running and return')
    .action(async (options: { dir: string; detach?: boolean }) => {
      const logger = rootLogger();
      const { environmentExists, localDown, localStatus, localUp } = await import('../local/index.js');
      const running = (await environmentExists(options.dir)) && (await localStatus({ dir: options.dir })).processes.every((p) => p.running);
      const environment = running ? (await localStatus({ dir: options.dir })).environment : await localUp({ dir: options.dir, logger });
      process.stdout.write(`${describeEnvironment(environment)}\n`);
      if (options.detach === true || !process.stdin.isTTY) {
        process.stdout.write(`The demo environment keeps running. Stop it with: npm run gradual -- local down --dir ${environment.dir}\n`);
        return;
      }
      process.stdout.write('Press Ctrl-C to stop the demo environment.\n');
      await new Promise<void>((resolve) => process.once('SIGINT', () => {
        resolve();
      }));
      await localDown({ dir: environment.dir, logger });
    });
}
