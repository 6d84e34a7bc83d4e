import type { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createEventRecorder } from './event-recorder.js';

/** A CoreV1Api whose Event writes finish when the test says, recording the order they were sent and finished in. */
function slowCore(): { core: CoreV1Api; started: string[]; finished: string[]; finishAll: () => void; inFlight: () => number } {
  const started: string[] = [];
  const finished: string[] = [];
  const waiting: (() => void)[] = [];
  const core = {
    createNamespacedEvent: async ({ body }: { body: { involvedObject: { name: string }; reason: string } }) => {
      const label = `${body.involvedObject.name}:${body.reason}`;
      started.push(label);
      await new Promise<void>((resolve) => waiting.push(resolve));
      finished.push(label);
      return body;
    },
  } as unknown as CoreV1Api;
  return {
    core,
    started,
    finished,
    inFlight: () => waiting.length,
    finishAll: () => {
      for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) next();
    },
  };
}

const log = createLogger({ level: 'silent' });
const subject = (name: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name, namespace: 'ns' } });
const event = (reason: string) => ({ type: 'Normal' as const, reason, message: reason });

describe('the asynchronous Event recorder', () => {
  it('returns at once, writes one object’s Events in order and different objects’ side by side', async () => {
    const fake = slowCore();
    const recorder = createEventRecorder(fake.core);
    recorder.record(subject('a'), [event('First'), event('Second')], new Date(), log);
    recorder.record(subject('b'), [event('Only')], new Date(), log);
    await new Promise((resolve) => setImmediate(resolve));
    // a's second Event waits for its first; b's is written beside it.
    expect(fake.started).toEqual(['a:First', 'b:Only']);
    const flushed = recorder.flush();
    for (let round = 0; round < 3; round += 1) {
      fake.finishAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flushed;
    expect(fake.finished.filter((label) => label.startsWith('a:'))).toEqual(['a:First', 'a:Second']);
    expect(fake.finished).toHaveLength(3);
  });

  it('keeps at most 8 writes in flight', async () => {
    const fake = slowCore();
    const recorder = createEventRecorder(fake.core);
    for (let index = 0; index < 20; index += 1) recorder.record(subject(`r${String(index)}`), [event('E')], new Date(), log);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.inFlight()).toBe(8);
    const flushed = recorder.flush();
    while (fake.finished.length < 20) {
      fake.finishAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flushed;
    expect(fake.started).toHaveLength(20);
  });
});
