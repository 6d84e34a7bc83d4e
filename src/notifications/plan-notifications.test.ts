import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
import { parseNotificationConfig, type NotificationConfig } from './config.js';
import { NOTIFIED_CAP, planNotifications, readNotified, recordNotified, type TransitionEvent } from './plan-notifications.js';

function config(extra: Record<string, string> = {}): NotificationConfig {
  const parsed = parseNotificationConfig(
    { ...BUILTIN_CATALOGUE, 'service.webhook.receiver': 'url: http://127.0.0.1:9/', 'service.slack': 'token: t', ...extra },
    {},
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.config;
}

const rollout = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    annotations: {
      'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '',
      'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'deploys',
    },
  },
  spec: {
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    template: { spec: { containers: [{ name: 'app', image: 'demo:1' }] } },
  },
  status: { currentStepIndex: 1, phase: 'Paused' },
};
const stepCompleted: TransitionEvent = {
  type: 'Normal',
  reason: 'RolloutStepCompleted',
  message: 'Rollout step 1/2 completed (setWeight: 20)',
};
const aborted: TransitionEvent = { type: 'Warning', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' };

describe('planNotifications', () => {
  it('sends each subscribed trigger its Event fires, once per destination, rendered from the written Rollout', () => {
    const plan = planNotifications({
      config: config(),
      rollout,
      previousStatus: { currentStepIndex: 0 },
      events: [stepCompleted, aborted, { type: 'Normal', reason: 'RolloutPaused', message: 'x' }],
      notified: {},
    });
    expect(plan.problems).toEqual([]);
    expect(plan.sends.map((send) => [send.trigger, send.destination, send.notification.message])).toEqual([
      ['on-rollout-step-completed', { service: 'slack', recipient: 'deploys' }, 'Rollout web step number 2/2 has been completed.'],
      ['on-rollout-aborted', { service: 'receiver', recipient: '' }, 'Rollout web has been aborted.'],
    ]);
  });

  it('the same transition replayed (the notified annotation holds its keys) sends nothing; the next transition sends again', () => {
    const input = { config: config(), rollout, previousStatus: { currentStepIndex: 0 }, events: [stepCompleted], notified: {} };
    const first = planNotifications(input);
    expect(first.sends).toHaveLength(1);
    const notified = readNotified(
      recordNotified(
        {},
        first.sends.map((send) => send.key),
        1000,
      ),
    );
    expect(planNotifications({ ...input, notified }).sends).toEqual([]);
    // Next step: another previous status, so another transition.
    expect(planNotifications({ ...input, previousStatus: { currentStepIndex: 1 }, notified }).sends).toHaveLength(1);
  });

  it("a condition's when decides, oncePer keys the send by its value across transitions, and a failing condition is a problem, not a send", () => {
    const custom = config({
      'trigger.on-rollout-aborted':
        "- when: rollout.status.phase == 'Degraded'\n  send: [rollout-aborted]\n- when: rollout.status.currentStepIndex == 1\n  oncePer: rollout.metadata.name\n  send: [rollout-aborted]\n- when: rollout.status.nope.x == 1\n  send: [rollout-aborted]",
    });
    const plan = planNotifications({ config: custom, rollout, previousStatus: {}, events: [aborted], notified: {} });
    expect(plan.sends.map((send) => send.key.split(':')[0])).toEqual(['web']);
    expect(plan.problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining('trigger.on-rollout-aborted[2]: cannot fetch x from <nil>'),
    ]);
    const notified = readNotified(
      recordNotified(
        {},
        plan.sends.map((send) => send.key),
        1,
      ),
    );
    expect(planNotifications({ config: custom, rollout, previousStatus: { other: true }, events: [aborted], notified }).sends).toEqual([]);
  });

  it('an Event with no trigger configured or no subscriber sends nothing', () => {
    expect(
      planNotifications({
        config: config(),
        rollout: { ...rollout, metadata: { name: 'web' } },
        previousStatus: {},
        events: [aborted],
        notified: {},
      }).sends,
    ).toEqual([]);
    expect(
      planNotifications({
        config: config(),
        rollout,
        previousStatus: {},
        events: [{ type: 'Normal', reason: 'RolloutResumed', message: '' }],
        notified: {},
      }).sends,
    ).toEqual([]);
  });

  it('the notified annotation stays bounded and survives garbage', () => {
    const many = Object.fromEntries(Array.from({ length: NOTIFIED_CAP + 50 }, (_, i) => [`k${String(i)}`, i]));
    const recorded = readNotified(recordNotified(many, ['new'], 10_000));
    expect(Object.keys(recorded)).toHaveLength(NOTIFIED_CAP);
    expect(recorded.new).toBe(10_000);
    expect(readNotified('{not json')).toEqual({});
    expect(readNotified('["a"]')).toEqual({});
  });
});
