import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { TerminalError, isRetryable } from '../../errors/terminal-error.js';
import { createFakeClock } from '../../kube/fake-clock.js';
import { createKeyQueue } from '../../kube/key-queue.js';
import { createLogger } from '../../log/index.js';
import type { KubeAction } from '../reconcile-types.js';
import { WriteRefusedError, writeFailure } from './apply-plan.js';

const createReplicaSet: KubeAction = { kind: 'createReplicaSet', replicaSet: { metadata: { name: 'web-6d4f' } } };
const selectService: KubeAction = { kind: 'updateServiceSelector', name: 'web-active', resourceVersion: '1', selector: { app: 'web' } };

function apiError(code: number): ApiException<string> {
  const body = JSON.stringify({
    kind: 'Status',
    message: `HTTP ${String(code)} from the API server`,
    details: { causes: [{ field: 'spec.template.spec.containers[0].image', message: 'Required value' }] },
  });
  return new ApiException(code, `HTTP-Code: ${String(code)}`, body, {});
}

/** How many times the key queue runs a reconcile that always fails with `error`, over ten fake seconds. */
async function attempts(error: unknown): Promise<number> {
  const clock = createFakeClock(0);
  const queue = createKeyQueue({ clock, logger: createLogger({ level: 'silent' }) });
  let calls = 0;
  void queue.run(async (): Promise<undefined> => {
    calls += 1;
    await Promise.resolve();
    throw error;
  });
  queue.add('default/web');
  await clock.advance(10_000);
  await queue.shutdown();
  return calls;
}

describe('writeFailure: what a failed write is to the key queue', () => {
  it.each([
    { name: 'a 422 on a ReplicaSet create', action: createReplicaSet, code: 422, object: 'ReplicaSet "web-6d4f"' },
    { name: 'a 400 on a Service selector write', action: selectService, code: 400, object: 'Service "web-active"' },
  ])('$name is a terminal WriteRefusedError, tried once by the queue', async ({ action, code, object }) => {
    const cause = apiError(code);
    const failure = writeFailure(action, cause);
    expect(failure).toBeInstanceOf(WriteRefusedError);
    expect(failure).toBeInstanceOf(TerminalError);
    expect(failure).toMatchObject({ code: 'WRITE_REFUSED', retryable: false, cause, refusal: { object, status: code } });
    expect(isRetryable(failure)).toBe(false);
    expect(await attempts(failure)).toBe(1);
  });

  it.each([
    { name: 'a 409 conflict on a ReplicaSet create', action: createReplicaSet, code: 409 },
    { name: 'a 403 (quota) on a ReplicaSet create', action: createReplicaSet, code: 403 },
    { name: 'a 500 on a Service selector write', action: selectService, code: 500 },
    {
      name: 'a 422 on a write the Rollout does not shape (an AnalysisRun terminate)',
      action: { kind: 'terminateAnalysisRun', name: 'r' },
      code: 422,
    },
  ] as { name: string; action: KubeAction; code: number }[])(
    '$name is not terminal: the same error, retried with backoff',
    async ({ action, code }) => {
      const cause = apiError(code);
      const failure = writeFailure(action, cause);
      expect(failure).toBe(cause);
      expect(isRetryable(failure)).toBe(true);
      expect(await attempts(failure)).toBeGreaterThan(1);
    },
  );
});
