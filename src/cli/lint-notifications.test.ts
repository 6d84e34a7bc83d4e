import { describe, expect, it } from 'vitest';
import { lintLimits, lintManifests } from '../api/index.js';
import { validateArgoObject } from '../gitops/manifests/validate-argo-object.js';
import { subscriptionIssues } from '../notifications/subscription-issues.js';
import { knownNotifications } from './lint-command.js';

const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  annotations:
    notifications.argoproj.io/subscribe.on-rollout-aborted.receiver: ""
    notifications.argoproj.io/subscribe.on-rolout-paused.receiver: ""
    notifications.argoproj.io/subscribe.on-rollout-completed.pager: ""
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: example.test/web:1}]}
  strategy: {canary: {steps: [{setWeight: 50}]}}
`;
const configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: argo-rollouts-notification-configmap}
data:
  service.webhook.receiver: "url: http://127.0.0.1:1/hook"
`;

describe('gradual lint and the plan on notification subscriptions', () => {
  it('an unknown trigger, and a service the ConfigMap among the files does not configure, are problems at their lines', () => {
    const files = [
      { path: 'rollout.yaml', text: rollout },
      { path: 'notifications.yaml', text: configMap },
    ];
    const known = knownNotifications(files);
    const result = lintManifests(files, lintLimits, (object) =>
      subscriptionIssues((object.metadata as { annotations?: unknown }).annotations, known),
    );
    expect(result.problems.map((p) => [p.file, p.line, p.message])).toEqual([
      ['rollout.yaml', 7, 'unknown notification trigger "on-rolout-paused": no Event fires it (did you mean "on-rollout-paused"?)'],
      ['rollout.yaml', 8, 'unknown notification service "pager": argo-rollouts-notification-configmap configures receiver'],
    ]);
    // Without the ConfigMap among the files, services are not judged (they live in the cluster).
    const alone = lintManifests([files[0] ?? { path: '', text: '' }], lintLimits, (object) =>
      subscriptionIssues(
        (object.metadata as { annotations?: unknown }).annotations,
        knownNotifications([files[0] ?? { path: '', text: '' }]),
      ),
    );
    expect(alone.problems.map((p) => p.line)).toEqual([7]);
  });

  it("the bot's plan (validateArgoObject) reports the unknown trigger at its annotation", () => {
    const issues = validateArgoObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', annotations: { 'notifications.argoproj.io/subscribe.on-rollout-abortd.slack': 'ops' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:1' }] } },
        strategy: { canary: { steps: [{ setWeight: 50 }] } },
      },
    });
    expect(issues).toEqual([
      {
        path: ['metadata', 'annotations', 'notifications.argoproj.io/subscribe.on-rollout-abortd.slack'],
        message: 'unknown notification trigger "on-rollout-abortd": no Event fires it (did you mean "on-rollout-aborted"?)',
      },
    ]);
  });
});
