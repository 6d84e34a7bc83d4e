import { describe, expect, it } from 'vitest';
import { SetupError } from './errors.js';
import { waitUntil } from './wait-until.js';

describe('waitUntil', () => {
  it.each([
    { case: 'returns false', failure: (): boolean => false },
    {
      case: 'throws',
      failure: (): boolean => {
        throw new Error('connection refused');
      },
    },
  ])('resolves once the check turns true after it $case', async ({ failure }) => {
    let calls = 0;

    await waitUntil(
      () => {
        calls += 1;
        return Promise.resolve(calls >= 3 ? true : failure());
      },
      { what: 'the thing', timeoutMs: 5_000, intervalMs: 1 },
    );

    expect(calls).toBe(3);
  });

  it.each([
    { case: 'an Error', thrown: new Error('connect ECONNREFUSED 127.0.0.1:6443'), problem: 'connect ECONNREFUSED 127.0.0.1:6443' },
    { case: 'a string', thrown: 'HTTP 503 from /readyz', problem: 'HTTP 503 from /readyz' },
  ])('times out with NOT_READY naming what it waited for and the last problem ($case)', async ({ thrown, problem }) => {
    let calls = 0;
    const error: unknown = await waitUntil(
      () => {
        calls += 1;
        // Only the latest problem is reported: earlier ones differ.
        if (calls === 1) throw new Error('an earlier problem');
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a check may throw anything; the message must still carry it
        throw thrown;
      },
      { what: 'the test API server', timeoutMs: 30, intervalMs: 5 },
    ).catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'NOT_READY' });
    const message = (error as SetupError).message;
    expect(message).toContain('the test API server');
    expect(message).toContain(problem);
    expect(message).not.toContain('an earlier problem');
    expect(calls).toBeGreaterThan(1);
  });

  it('times out with "not ready yet" when the check only ever returns false', async () => {
    await expect(waitUntil(() => Promise.resolve(false), { what: 'KWOK nodes', timeoutMs: 20, intervalMs: 5 })).rejects.toMatchObject({
      code: 'NOT_READY',
      message: expect.stringMatching(/^KWOK nodes was not ready after .*not ready yet/) as unknown,
    });
  });

  it('ends the wait early with the abortOn rejection', async () => {
    const died = new SetupError('PROCESS_EXITED', 'etcd exited (code 1) before it was ready');
    let rejectExited: (error: Error) => void = () => undefined;
    const exited = new Promise<never>((_, reject) => {
      rejectExited = reject;
    });
    let calls = 0;
    const startedAt = Date.now();

    const waiting = waitUntil(
      () => {
        calls += 1;
        if (calls === 2) rejectExited(died);
        return Promise.resolve(false);
      },
      { what: 'etcd', timeoutMs: 3_000, intervalMs: 5, abortOn: [exited] },
    );

    await expect(waiting).rejects.toBe(died);
    expect(calls).toBe(2);
    expect(Date.now() - startedAt).toBeLessThan(1_500);
  });

  // Promise.race alone only stops *waiting* for the loop; the loop must stop too, or it would keep calling `check`
  // until the deadline (listing nodes for 60 s after KWOK died) and keep a failing `gradual local up` alive.
  it('stops calling the check once an abortOn promise has rejected', async () => {
    const timeoutMs = 100;
    let calls = 0;
    let callsAfterAbort = 0;
    let aborted = false;
    let reportLateCall: () => void = () => undefined;
    const lateCall = new Promise<void>((resolve) => {
      reportLateCall = resolve;
    });
    const exited = Promise.reject(new SetupError('PROCESS_EXITED', 'kwok exited (code 1) before it was ready'));

    await expect(
      waitUntil(
        () => {
          calls += 1;
          if (aborted) {
            callsAfterAbort += 1;
            reportLateCall();
          }
          return Promise.resolve(false);
        },
        { what: 'KWOK nodes', timeoutMs, intervalMs: 1, abortOn: [exited] },
      ),
    ).rejects.toMatchObject({ code: 'PROCESS_EXITED' });
    aborted = true;
    // Bounded by the wait's own deadline: past it, even the current loop has stopped calling.
    await Promise.race([lateCall, new Promise((resolve) => setTimeout(resolve, timeoutMs * 2))]);

    expect(calls).toBeLessThanOrEqual(1);
    expect(callsAfterAbort).toBe(0);
  });
});
