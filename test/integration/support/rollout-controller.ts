import { afterAll, beforeAll } from 'vitest';
import {
  createRolloutController,
  type RolloutController,
  type RolloutControllerOptions,
} from '../../../src/engine/controller/rollout-controller.js';
import { createLogger } from '../../../src/log/index.js';
import type { TestCluster } from './test-cluster.js';

/**
 * The test file's namespace and a Rollout controller watching it, in this process: set up
 * before the file's tests, stopped and torn down after them. Returns the running controller.
 */
export function withRolloutController(
  cluster: TestCluster,
  options: Partial<Omit<RolloutControllerOptions, 'kubeConfig' | 'namespace'>> = {},
): () => RolloutController {
  let controller: RolloutController | undefined;
  beforeAll(async () => {
    await cluster.setUp();
    controller = createRolloutController({
      kubeConfig: cluster.kubeConfig,
      namespace: cluster.namespace,
      logger: createLogger({ level: 'warn' }),
      ...options,
    });
    await controller.start();
  });
  afterAll(async () => {
    await controller?.stop();
    await cluster.tearDown();
  });
  return () => {
    if (controller === undefined) throw new Error('the controller starts in beforeAll');
    return controller;
  };
}
