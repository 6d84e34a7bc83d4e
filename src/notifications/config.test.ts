import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
import { REFUSED_SERVICE_TYPES, parseNotificationConfig } from './config.js';
import { annotationSubscriptions, destinationsByTrigger, triggerForReason } from './subscriptions.js';

const base = {
  ...BUILTIN_CATALOGUE,
  'service.webhook.receiver': 'url: http://127.0.0.1:9/hook\nheaders:\n- name: X-Token\n  value: $webhook-token\n',
  'service.slack': 'token: $slack-token\napiURL: http://127.0.0.1:9/api/\n',
};
const secret = { 'webhook-token': 'w-secret-value', 'slack-token': 'xoxb-secret-value' };

describe('argo-rollouts-notification-configmap', () => {
  it("accepts Argo's catalogue with a webhook and a Slack service, $key references replaced from the Secret", () => {
    const parsed = parseNotificationConfig(base, secret);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect([...parsed.config.triggers.keys()].sort()).toEqual([
      'on-analysis-run-error',
      'on-analysis-run-failed',
      'on-analysis-run-running',
      'on-rollout-aborted',
      'on-rollout-completed',
      'on-rollout-paused',
      'on-rollout-step-completed',
      'on-rollout-updated',
      'on-scaling-replica-set',
    ]);
    expect(parsed.config.services.get('receiver')).toEqual({
      type: 'webhook',
      name: 'receiver',
      options: { url: 'http://127.0.0.1:9/hook', headers: [{ name: 'X-Token', value: 'w-secret-value' }] },
    });
    expect(parsed.config.services.get('slack')).toMatchObject({ type: 'slack', options: { token: 'xoxb-secret-value' } });
  });

  it.each([
    [
      { 'trigger.on-x': '- when: rollout.status.phase ==\n  send: [rollout-aborted]' },
      'key trigger.on-x: [0].when: unexpected end of expression',
    ],
    [{ 'trigger.on-x': '- when: "true"\n  send: [nope]' }, 'key trigger.on-x: sends template "nope", which is not configured'],
    [{ 'trigger.on-x': '- when: "true"' }, 'key trigger.on-x: 0.send'],
    [{ 'template.t': 'message: "{{ env \\"HOME\\" }}"' }, 'key template.t: message: template: t.message:1: function "env" not defined'],
    [{ 'template.t': 'slack:\n  attachments: "{{ .x"' }, 'key template.t: slack.attachments'],
    [
      { 'service.opsgenie': 'apiUrl: x' },
      'key service.opsgenie: the opsgenie service is not supported by Gradual yet (supported: webhook, slack, teams, email, pagerdutyv2, github)',
    ],
    [{ 'service.teams': 'recipientUrls: {ops: not-a-url}' }, 'key service.teams: recipientUrls.ops'],
    [{ 'service.email': 'host: smtp.example.test\nfrom: a@example.test' }, 'key service.email: port'],
    [{ 'service.pagerdutyv2': 'serviceKeys: {}\nextra: 1' }, 'key service.pagerdutyv2'],
    [{ 'template.t': 'teams:\n  title: "{{ .x"' }, 'key template.t: teams.title'],
    [{ 'template.t': 'email:\n  subject: "{{ nope }}"' }, 'key template.t: email.subject'],
    [{ 'service.carrier-pigeon': 'x: 1' }, 'key service.carrier-pigeon: unknown service type "carrier-pigeon"'],
    [{ 'service.webhook.a.b': 'url: http://x' }, 'key service.webhook.a.b: invalid service key'],
    [{ 'service.webhook.w': 'url: not a url' }, 'key service.webhook.w: url'],
    [{ 'service.slack': 'token: $missing-key' }, 'key service.slack: references $missing-key, not in argo-rollouts-notification-secret'],
    [{ subscriptions: '- recipients: [slack:x]\n  selector: env in (a,b)' }, 'key subscriptions: [0].selector: set-based selector'],
    [{ 'trigger.on-x': ': : :' }, 'key trigger.on-x'],
  ])('refuses %j, naming the key', (data, message) => {
    const parsed = parseNotificationConfig({ ...BUILTIN_CATALOGUE, ...data }, secret);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toContain(message);
  });

  it('lists every refused service type by name', () => {
    // github was refused here until Gradual sent to it (send-github.ts); telegram stands in for it.
    expect(REFUSED_SERVICE_TYPES).toEqual(expect.arrayContaining(['pagerduty', 'telegram', 'opsgenie']));
    expect(REFUSED_SERVICE_TYPES).not.toContain('github');
    for (const type of ['opsgenie', 'pagerduty', 'telegram']) {
      const parsed = parseNotificationConfig({ [`service.${type}`]: 'x: y' }, {});
      expect(parsed.ok ? '' : parsed.errors.join()).toContain(`the ${type} service is not supported by Gradual yet`);
    }
  });

  it("reads the github service as Argo's docs configure it, and refuses what it cannot send by name", () => {
    const parsed = parseNotificationConfig(
      {
        ...BUILTIN_CATALOGUE,
        'service.github': 'appID: 12345\ninstallationID: "67890"\nprivateKey: $github-privateKey\n',
        'template.app-deployed': 'message: deployed\ngithub:\n  status:\n    state: success\n    label: cd/{{.rollout.metadata.name}}\n',
      },
      { 'github-privateKey': '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n' },
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.config.services.get('github')).toMatchObject({ type: 'github', options: { appID: 12345, installationID: '67890' } });
      expect(parsed.config.templates.get('app-deployed')?.github?.status).toBeDefined();
    }
    for (const [github, message] of [
      ['  deployment:\n    state: success\n', 'key template.t: github.deployment is not supported by Gradual yet'],
      ['  checkRun:\n    name: x\n', 'key template.t: github.checkRun is not supported by Gradual yet'],
      ['  status:\n    colour: red\n', 'key template.t: github.status: Unrecognized key'],
      ['  pullRequestComment:\n    content: "{{.rollout"\n', 'key template.t: github.pullRequestComment.content'],
    ] as const) {
      const refused = parseNotificationConfig({ 'template.t': `message: m\ngithub:\n${github}` }, {});
      expect(refused.ok ? '' : refused.errors.join('\n')).toContain(message);
    }
    const badId = parseNotificationConfig({ 'service.github': 'appID: abc\ninstallationID: 1\nprivateKey: k\n' }, {});
    expect(badId.ok ? '' : badId.errors.join()).toContain('key service.github: appID');
  });

  it('reads the teams, email and pagerdutyv2 services with their credentials from the Secret', () => {
    const parsed = parseNotificationConfig(
      {
        'service.teams': 'recipientUrls:\n  ops: $teams-url\n',
        'service.email.gmail': 'host: smtp.example.test\nport: 587\nfrom: $email-from\nusername: $email-user\npassword: $email-pw\n',
        'service.pagerdutyv2': 'serviceKeys:\n  my-service: $pd-key\n',
      },
      {
        'teams-url': 'https://example.webhook.office.com/webhookb2/abc',
        'email-from': 'a@example.test',
        'email-user': 'u',
        'email-pw': 'pw',
        'pd-key': 'rk',
      },
    );
    expect(parsed.ok ? '' : parsed.errors.join('\n')).toBe('');
    if (!parsed.ok) return;
    expect(parsed.config.services.get('teams')).toEqual({
      type: 'teams',
      name: 'teams',
      options: { recipientUrls: { ops: 'https://example.webhook.office.com/webhookb2/abc' } },
    });
    expect(parsed.config.services.get('gmail')).toMatchObject({
      type: 'email',
      options: { port: 587, from: 'a@example.test', password: 'pw' },
    });
    expect(parsed.config.services.get('pagerdutyv2')).toMatchObject({
      type: 'pagerdutyv2',
      options: { serviceKeys: { 'my-service': 'rk' } },
    });
  });

  it('a Secret value never appears in an error, even where the service config is wrong', () => {
    const parsed = parseNotificationConfig(
      { 'service.webhook.w': 'url: $webhook-token', 'service.slack': 'token: $slack-token\napiURL: $slack-token' },
      secret,
    );
    expect(parsed.ok).toBe(false);
    const text = parsed.ok ? '' : parsed.errors.join('\n');
    expect(text).toContain('service.webhook.w');
    expect(text).not.toContain('w-secret-value');
    expect(text).not.toContain('xoxb-secret-value');
  });
});

describe('subscriptions', () => {
  it('reads subscribe annotations as notifications-engine does (; separated, trimmed, empty value = one empty recipient)', () => {
    expect(
      annotationSubscriptions({
        'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'my-channel1; my-channel2;',
        'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '',
        'notifications.argoproj.io/subscribe.slack': 'ops',
        other: 'x',
      }),
    ).toEqual([
      {
        key: 'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver',
        trigger: 'on-rollout-aborted',
        service: 'receiver',
        recipients: [''],
      },
      {
        key: 'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack',
        trigger: 'on-rollout-step-completed',
        service: 'slack',
        recipients: ['my-channel1', 'my-channel2'],
      },
      { key: 'notifications.argoproj.io/subscribe.slack', trigger: undefined, service: 'slack', recipients: ['ops'] },
    ]);
  });

  it('merges the ConfigMap subscriptions (selector on labels) and default triggers with the annotations, without duplicates', () => {
    const parsed = parseNotificationConfig(
      {
        ...base,
        subscriptions:
          '- recipients: [slack:ops, receiver]\n  triggers: [on-rollout-aborted]\n  selector: tier=front\n- recipients: [slack:never]\n  selector: tier!=front',
        defaultTriggers: '[on-rollout-completed]',
        'defaultTriggers.slack': '[on-rollout-paused]',
      },
      secret,
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const byTrigger = destinationsByTrigger(
      parsed.config,
      { tier: 'front' },
      { 'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'ops', 'notifications.argoproj.io/subscribe.slack': 'team' },
    );
    expect(byTrigger.get('on-rollout-aborted')).toEqual([
      { service: 'slack', recipient: 'ops' },
      { service: 'receiver', recipient: '' },
    ]);
    expect(byTrigger.get('on-rollout-paused')).toEqual([{ service: 'slack', recipient: 'team' }]);
    expect(byTrigger.get('on-rollout-completed')).toBeUndefined();
  });

  it.each([
    ['RolloutStepCompleted', 'on-rollout-step-completed'],
    ['RolloutAborted', 'on-rollout-aborted'],
    ['AnalysisRunFailed', 'on-analysis-run-failed'],
    ['ScalingReplicaSet', 'on-scaling-replica-set'],
    ['RolloutUpdated', 'on-rollout-updated'],
  ])("Argo's translateReasonToTrigger: %s fires %s", (reason, trigger) => {
    expect(triggerForReason(reason)).toBe(trigger);
  });
});
