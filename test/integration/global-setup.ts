import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { rootLogger } from '../../src/log/index.js';
import { localDown, localUp, readEnvironment } from '../../src/local/index.js';

/**
 * One embedded environment per test run, shared by every integration file.
 * GRADUAL_TEST_ENV_DIR points at an environment already running (from
 * `gradual local up --dir D`) to skip start-up in a development loop; it is
 * then left running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = rootLogger().child({ component: 'test-environment' });
  const reuse = process.env['GRADUAL_TEST_ENV_DIR'];
  if (reuse !== undefined && reuse !== '') {
    project.provide('gradualEnv', await readEnvironment(reuse));
    return () => Promise.resolve();
  }
  const dir = await mkdtemp(join(tmpdir(), 'gradual-test-env-'));
  const startedAt = Date.now();
  const environment = await localUp({ dir, logger });
  logger.info({ seconds: Math.round((Date.now() - startedAt) / 1000) }, 'test environment up');
  project.provide('gradualEnv', environment);
  return async () => {
    await localDown({ dir, logger });
    await rm(dir, { recursive: true, force: true });
  };
}
