import { describe, expect, test } from 'vitest';
import { canaryRollout } from './testing/fixtures.js';
import { planWriteRefused, type WriteRefusal } from './write-refused.js';

const now = new Date('2026-01-01T00:00:00Z');
const create = { kind: 'createReplicaSet' as const, replicaSet: { metadata: { name: 'demo-abc' } } };
const update = { kind: 'updateReplicaSet' as const, name: 'demo-abc', resourceVersion: '7' };
const service = { kind: 'updateServiceSelector' as const, name: 'demo-stable', resourceVersion: '3', selector: {} };
const nameError = {
  field: 'spec.template.spec.containers[0].name',
  message: 'Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of …',
};

describe('planWriteRefused: a write the API server refused ends on the Rollout', () => {
  test.each<[string, WriteRefusal, { type: string; status: string; reason: string; message: string }, string[]]>([
    [
      "a refused pod template: Argo's InvalidSpec with the first field error under spec.template",
      {
        action: create,
        object: 'ReplicaSet "demo-abc"',
        name: 'demo-abc',
        status: 422,
        message: 'ReplicaSet.apps "demo-abc" is invalid: …',
        causes: [{ field: 'metadata.name', message: 'Too long' }, nameError],
      },
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message: `The Rollout "demo" is invalid: ${nameError.field}: ${nameError.message}`,
      },
      [],
    ],
    [
      "any other refused create: Argo's ReplicaSetCreateError, condition and Warning Event",
      {
        action: create,
        object: 'ReplicaSet "demo-abc"',
        name: 'demo-abc',
        status: 422,
        message: 'ReplicaSet.apps "demo-abc" is invalid: metadata.name: Too long',
        causes: [{ field: 'metadata.name', message: 'Too long' }],
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ReplicaSetCreateError',
        message: 'Failed to create new replica set "demo-abc": ReplicaSet.apps "demo-abc" is invalid: metadata.name: Too long',
      },
      ['Warning ReplicaSetCreateError'],
    ],
    [
      'a 400 without causes on create',
      {
        action: create,
        object: 'ReplicaSet "demo-abc"',
        name: 'demo-abc',
        status: 400,
        message: 'the body of the request was in an unknown format',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ReplicaSetCreateError',
        message: 'Failed to create new replica set "demo-abc": the body of the request was in an unknown format',
      },
      ['Warning ReplicaSetCreateError'],
    ],
    [
      'a refused ReplicaSet update: InvalidSpec naming the object and status',
      {
        action: update,
        object: 'ReplicaSet "demo-abc"',
        name: 'demo-abc',
        status: 422,
        message: 'ReplicaSet.apps "demo-abc" is invalid: metadata.labels: Invalid value',
      },
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message:
          'The Rollout "demo" is invalid: the API server refused the write of ReplicaSet "demo-abc" (HTTP 422): ReplicaSet.apps "demo-abc" is invalid: metadata.labels: Invalid value',
      },
      [],
    ],
    [
      'a refused Service update',
      { action: service, object: 'Service "demo-stable"', name: 'demo-stable', status: 400, message: 'bad selector' },
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message: 'The Rollout "demo" is invalid: the API server refused the write of Service "demo-stable" (HTTP 400): bad selector',
      },
      [],
    ],
  ])('%s', (_name, refusal, condition, events) => {
    const plan = planWriteRefused({ rollout: canaryRollout(), replicaSets: [], services: {}, pods: [], now }, refusal);
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(plan.status.conditions?.find((c) => c.type === condition.type)).toMatchObject(condition);
    expect(plan.status.observedGeneration).toBe('1');
    expect(plan.events.map((event) => `${event.type} ${event.reason}`)).toEqual(events);
    for (const event of plan.events) expect(event.message).toBe(condition.message);
    if (condition.type === 'InvalidSpec')
      expect(plan.status).toMatchObject({ phase: 'Degraded', message: `InvalidSpec: ${condition.message}` });
  });

  test('a long API server message is cut', () => {
    const plan = planWriteRefused(
      { rollout: canaryRollout(), replicaSets: [], services: {}, pods: [], now },
      { action: create, object: 'ReplicaSet "demo-abc"', name: 'demo-abc', status: 400, message: 'x'.repeat(5_000) },
    );
    expect(plan.status.conditions?.[0]?.message?.length).toBeLessThan(1_100);
  });
});
