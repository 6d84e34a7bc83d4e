import { describe, expect, it } from 'vitest';
import { FIRING_TRIGGERS, namesInConfigMap, subscriptionIssues } from './subscription-issues.js';

const key = (rest: string): string => `notifications.argoproj.io/subscribe.${rest}`;

describe('subscriptionIssues', () => {
  it.each([
    ['a catalogue trigger', { [key('on-rollout-aborted.slack')]: 'ops' }, {}, []],
    ['a trigger an Event reason names', { [key('on-rollout-resumed.slack')]: 'ops' }, {}, []],
    ['a service-only subscription', { [key('slack')]: 'ops' }, {}, []],
    ['other annotations', { 'example.com/x': 'y', 'notifications.argoproj.io/other': 'z' }, {}, []],
    [
      'a misspelt trigger',
      { [key('on-rollout-abort.slack')]: 'ops' },
      {},
      ['unknown notification trigger "on-rollout-abort": no Event fires it (did you mean "on-rollout-aborted"?)'],
    ],
    ['a custom trigger the ConfigMap defines', { [key('on-my-thing.slack')]: 'ops' }, { triggers: new Set(['on-my-thing']) }, []],
    [
      'a service the ConfigMap does not configure',
      { [key('on-rollout-aborted.slak')]: 'ops' },
      { services: new Set(['slack', 'receiver']) },
      ['unknown notification service "slak": argo-rollouts-notification-configmap configures receiver, slack (did you mean "slack"?)'],
    ],
    [
      'too many dots',
      { [key('a.b.c')]: '' },
      {},
      ['expected notifications.argoproj.io/subscribe.<trigger>.<service> or notifications.argoproj.io/subscribe.<service>'],
    ],
  ])('%s', (_name, annotations, known, messages) => {
    const issues = subscriptionIssues(annotations, known);
    expect(issues.map((issue) => issue.message)).toEqual(messages);
    for (const issue of issues) expect(issue.path.slice(0, 2)).toEqual(['metadata', 'annotations']);
  });

  it("knows Argo's nine catalogue triggers", () => {
    for (const trigger of [
      'on-rollout-completed',
      'on-rollout-step-completed',
      'on-rollout-updated',
      'on-rollout-paused',
      'on-rollout-aborted',
      'on-analysis-run-running',
      'on-analysis-run-failed',
      'on-analysis-run-error',
      'on-scaling-replica-set',
    ])
      expect(FIRING_TRIGGERS.has(trigger)).toBe(true);
  });

  it('reads trigger and service names from ConfigMap data', () => {
    expect(namesInConfigMap({ 'trigger.on-x': '', 'service.slack': '', 'service.webhook.receiver': '', 'template.t': '' })).toEqual({
      triggers: new Set(['on-x']),
      services: new Set(['slack', 'receiver']),
    });
  });
});
