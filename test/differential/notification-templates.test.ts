/*
 * Template parity with Argo Rollouts: each template below (Argo's built-in catalogue, templates
 * from Argo's and notifications-engine's documentation, and templates exercising the functions
 * Gradual offers) is rendered for the same fixed Rollouts, destination and instant by Argo's own
 * code (test/infra/argo-notifications: record.NewAPIFactorySettings for the variables,
 * notifications-engine's api.ParseConfig and templates.NewService for parsing and rendering) and
 * by Gradual's renderer; every rendered field must be the same text. A template Argo refuses or
 * fails on must be refused or fail here too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../src/local/cache-dir.js';
import { createLogger } from '../../src/log/index.js';
import { BUILTIN_CATALOGUE } from '../../src/notifications/builtin-catalogue.js';
import { parseNotificationConfig } from '../../src/notifications/config.js';
import { renderNotification } from '../../src/notifications/plan-notifications.js';
import { templateVars } from '../../src/notifications/template-vars.js';
import { ensureArgoNotificationsRender, renderWithArgo, type ArgoRenderResult } from './support/argo-notifications-render.js';

const NOW = '2026-12-07T10:11:12Z';

const canary = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: {
    name: 'checkout',
    namespace: 'shop',
    creationTimestamp: '2026-12-01T08:00:00Z',
    labels: { app: 'checkout', team: 'payments' },
    annotations: { 'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'deploys' },
  },
  spec: {
    replicas: 5,
    selector: { matchLabels: { app: 'checkout' } },
    strategy: {
      canary: {
        steps: [{ setWeight: 20 }, { pause: { duration: '30s' } }, { setWeight: 60 }, { pause: {} }],
        maxSurge: '25%',
      },
    },
    template: {
      metadata: { labels: { app: 'checkout' } },
      spec: {
        containers: [
          { name: 'checkout', image: 'ghcr.io/shop/checkout:1.4.2', ports: [{ containerPort: 8080 }] },
          { name: 'envoy', image: 'envoyproxy/envoy:v1.31.0' },
        ],
      },
    },
  },
  status: {
    currentStepIndex: 1,
    currentPodHash: '6c9f8d7b5',
    stableRS: '5f7d9c8b4',
    replicas: 6,
    updatedReplicas: 2,
    readyReplicas: 6,
    availableReplicas: 6,
    phase: 'Paused',
    message: 'CanaryPauseStep',
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-12-07T10:01:02Z' }],
    conditions: [
      {
        type: 'Progressing',
        status: 'True',
        reason: 'RolloutPaused',
        lastTransitionTime: '2026-12-07T10:01:02Z',
        message: 'Rollout is paused',
      },
      {
        type: 'Available',
        status: 'True',
        reason: 'AvailableReason',
        lastTransitionTime: '2026-12-01T08:00:30Z',
        message: 'Rollout has minimum availability',
      },
    ],
    canary: { weights: { canary: { weight: 20 }, stable: { weight: 80 } } },
    observedGeneration: '7',
  },
};

const blueGreen = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-30T23:59:59Z' },
  spec: {
    replicas: 2,
    strategy: { blueGreen: { activeService: 'web-active', previewService: 'web-preview', autoPromotionEnabled: false } },
    template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
  status: { updatedReplicas: 2, phase: 'Healthy', blueGreen: { activeSelector: 'abc', previewSelector: 'def' } },
};

/** Templates from Argo's documentation (docs/features/notifications.md, docs/generated/notification-services), Argo CD's `.app` read as `.rollout`. */
const DOCUMENTATION: Record<string, string> = {
  'my-purple-template':
    'message: |\n  Rollout {{.rollout.metadata.name}} has purple image\nslack:\n    attachments: |\n        [{\n          "title": "{{ .rollout.metadata.name}}",\n          "color": "#800080"\n        }]\n',
  'email-app-sync-succeeded':
    'email:\n  subject: Application {{.rollout.metadata.name}} has been successfully synced.\nmessage: |\n  {{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application {{.rollout.metadata.name}} has been successfully synced at {{.rollout.status.operationState.finishedAt}}.\n  Sync operation details are available at: {{.context.argocdUrl}}/applications/{{.rollout.metadata.name}}?operation=true .\n',
  'pagerduty-rollout-aborted':
    'message: Rollout {{.rollout.metadata.name}} is aborted.\npagerdutyv2:\n  summary: "Rollout {{.rollout.metadata.name}} is aborted."\n  severity: "critical"\n  source: "{{.rollout.metadata.name}}"\n',
  'teams-app-sync-succeeded':
    'teams:\n  themeColor: "#000080"\n  sections: |\n    [{\n      "facts": [\n        {\n          "name": "Sync Status",\n          "value": "{{.rollout.status.sync.status}}"\n        },\n        {\n          "name": "Repository",\n          "value": "{{.rollout.spec.source.repoURL}}"\n        }\n      ]\n    }]\n  potentialAction: |-\n    [{\n      "@type":"OpenUri",\n      "name":"Operation Details",\n      "targets":[{\n        "os":"default",\n        "uri":"{{.context.argocdUrl}}/applications/{{.rollout.metadata.name}}?operation=true"\n      }]\n    }]\n  title: Application {{.rollout.metadata.name}} has been successfully synced\n  text: Application {{.rollout.metadata.name}} has been successfully synced at {{.rollout.status.operationState.finishedAt}}.\n  summary: "{{.rollout.metadata.name}} sync succeeded"\n',
  'teams-facts':
    'teams:\n  facts: |\n    [{\n      "name": "Sync Status",\n      "value": "{{.rollout.status.sync.status}}"\n    },\n    {\n      "name": "Repository",\n      "value": "{{.rollout.spec.source.repoURL}}"\n    }]\n',
  'webhook-github-commit-status':
    'webhook:\n  github:\n    method: POST\n    path: /repos/shop/checkout/statuses/{{.rollout.status.currentPodHash}}\n    body: |\n      {\n        {{if eq .rollout.status.phase "Running"}} "state": "pending"{{end}}\n        {{if eq .rollout.status.phase "Paused"}} "state": "success"{{end}}\n        {{if eq .rollout.status.phase "Error"}} "state": "error"{{end}}\n        {{if eq .rollout.status.phase "Failed"}} "state": "error"{{end}},\n        "description": "ArgoCD",\n        "target_url": "{{.context.argocdUrl}}/applications/{{.rollout.metadata.name}}",\n        "context": "continuous-delivery/{{.rollout.metadata.name}}"\n      }\n',
  // The documented form calls a helper Argo Rollouts does not offer (.repo is Argo CD's): both sides fail.
  'webhook-github-repo-helper':
    'webhook:\n  github:\n    method: POST\n    path: /repos/{{call .repo.FullNameByRepoURL .rollout.spec.source.repoURL}}/statuses/x\n',
  'slack-username-icon':
    'message: "{{.rollout.metadata.name}} to {{.recipient}}"\nslack:\n  username: "{{.rollout.metadata.name}}-bot"\n  icon: ":{{.rollout.metadata.namespace}}:"\n  blocks: |\n    [{"type": "section", "text": {"type": "mrkdwn", "text": "*{{.rollout.metadata.name}}* is {{.rollout.status.phase}}"}}]\n',
};

/** Templates exercising the language and the functions (Go's builtins, sprig's, Argo's time helpers). */
const FUNCTIONS: Record<string, string> = {
  builtins:
    'message: |\n  {{- $r := .rollout -}}\n  {{ len $r.spec.template.spec.containers }} {{ index $r.spec.template.spec.containers 1 "image" }} {{ printf "%s/%s %v %q" $r.metadata.namespace $r.metadata.name $r.spec.replicas $r.status.phase }}\n  {{ range $k, $v := $r.metadata.labels }}{{ $k }}={{ $v }};{{ end }}\n  {{ with $r.status.canary }}{{ .weights.canary.weight }}{{ else }}none{{ end }} {{ if and $r.spec.strategy.canary (gt (len $r.spec.strategy.canary.steps) 2) }}long{{ else if $r.spec.strategy.blueGreen }}bg{{ end }}\n  {{ .rollout.spec.replicas }} {{ .rollout.status.nothing }} {{ not .rollout.spec.paused }} {{ eq .rollout.kind "Rollout" "Deployment" }} {{ print 1 2 "a" 3 }}\n',
  'sprig-strings':
    'message: |\n  {{ .rollout.metadata.name | upper }} {{ lower "ABC" }} {{ trim "  x  " }} {{ quote .rollout.metadata.name 3 }} {{ squote .rollout.metadata.name }} {{ .rollout.status.missing | default "none" }}\n  {{ trunc 5 .rollout.metadata.name }} {{ trunc -3 .rollout.metadata.name }} {{ replace "o" "0" .rollout.metadata.name }} {{ contains "eck" .rollout.metadata.name }} {{ hasPrefix "check" .rollout.metadata.name }} {{ hasSuffix "out" .rollout.metadata.name }}\n  {{ trimPrefix "check" .rollout.metadata.name }} {{ trimSuffix "out" .rollout.metadata.name }} {{ repeat 3 "ab" }} {{ substr 1 4 .rollout.metadata.name }} {{ b64enc .rollout.metadata.name }} {{ b64dec "Y2hlY2tvdXQ=" }} {{ toString .rollout.spec.replicas }} {{ cat "a" .rollout.spec.replicas "b" }}\n  {{ nospace "a b  c" }} {{ .rollout.metadata.name | indent 2 }}|{{ .rollout.metadata.name | nindent 2 }}|\n',
  'sprig-numbers-json':
    'message: |\n  {{ add .rollout.status.currentStepIndex 1 }} {{ sub 10 3 }} {{ mul 2 .rollout.spec.replicas }} {{ div 17 5 }} {{ mod 17 5 }} {{ max 3 9 4 }} {{ min 3 9 4 }}\n  {{ toJson .rollout.metadata.labels }} {{ toJson .rollout.spec.template.spec.containers }}\n  {{ toPrettyJson .rollout.status.canary }}\n  {{ join "," (list "a" "b" .rollout.metadata.name) }}\n',
  'time-helpers':
    'message: |\n  {{ (call .time.Parse .rollout.metadata.creationTimestamp).Format "2006-01-02 15:04:05 Mon Jan" }} {{ (call .time.Parse .rollout.metadata.creationTimestamp).Unix }}\n  {{ (call .time.Now).Format "Jan 2, 2006 at 3:04pm (MST)" }} {{ (call .time.Now).UTC.Format "15:04" }}\n  {{ (call .time.Now).Sub (call .time.Parse .rollout.metadata.creationTimestamp) }} {{ ((call .time.Now).Sub (call .time.Parse (index .rollout.status.conditions 0).lastTransitionTime)).Minutes }}\n  {{ if ((call .time.Parse .rollout.metadata.creationTimestamp).Before (call .time.Now)) }}before{{ end }} {{ (call .time.Now).Format "Monday 02/01/06 15:04:05.000 -0700 Z07:00" }}\n',
  'time-parse-bad': 'message: "{{ call .time.Parse .rollout.metadata.name }}"\n',
  'missing-function': 'message: "{{ shout .rollout.metadata.name }}"\n',
  'nil-field': 'message: "{{ .rollout.status.canary.weights.canary.weight }}"\n',
  'service-and-recipient': 'message: "{{ .serviceType }}:{{ .recipient }} {{ if eq .serviceType \\"slack\\" }}slack!{{ end }}"\n',
};

const TEMPLATES: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(BUILTIN_CATALOGUE)
      .filter(([key]) => key.startsWith('template.'))
      .map(([key, value]) => [key.slice('template.'.length), value]),
  ),
  ...DOCUMENTATION,
  ...FUNCTIONS,
};

/** Flattens a rendered notification to path → text, dropping empty fields (Go's omitempty). */
function flatten(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value === 'string') {
    if (value !== '') out[prefix] = value;
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) Object.assign(out, flatten(item, prefix === '' ? key : `${prefix}.${key}`));
  }
  return out;
}

/** notifications-engine fields with no text to compare: Slack's delivery options. */
const IGNORED = new Set(['slack.groupingKey', 'slack.deliveryPolicy']);

function renderWithGradual(
  name: string,
  rollout: unknown,
  destination: { service: string; recipient: string },
): { fields?: Record<string, string>; error?: string } {
  const parsed = parseNotificationConfig({ [`template.${name}`]: TEMPLATES[name] ?? '' }, {});
  if (!parsed.ok) return { error: parsed.errors.join('; ') };
  const template = parsed.config.templates.get(name);
  if (template === undefined) return { error: 'not compiled' };
  try {
    const rendered = renderNotification([template], templateVars(rollout, destination, Date.parse(NOW)));
    return { fields: flatten({ ...rendered, sections: undefined, ...rendered.sections }) };
  } catch (cause) {
    return { error: cause instanceof Error ? cause.message : String(cause) };
  }
}

const cases = [
  { rollout: canary, destination: { service: 'slack', recipient: 'deploys' } },
  { rollout: blueGreen, destination: { service: 'webhook', recipient: 'github' } },
];

describe('notification templates render as Argo renders them', () => {
  let argo: ArgoRenderResult[] = [];
  beforeAll(async () => {
    const binary = await ensureArgoNotificationsRender({ cacheRoot: cacheRoot(), logger: createLogger({ level: 'warn' }) });
    argo = await Promise.all(
      cases.map((c) => renderWithArgo(binary, { templates: TEMPLATES, rollout: c.rollout, secrets: {}, now: NOW, ...c.destination })),
    );
  }, 900_000);

  it('Argo renders most of the table (the comparison is not between two failures)', () => {
    const rendered = argo.map((result) => Object.values(result).filter((entry) => entry.notification !== undefined).length);
    expect(rendered[0]).toBeGreaterThanOrEqual(Object.keys(TEMPLATES).length - 3);
    expect(rendered[1]).toBeGreaterThanOrEqual(Object.keys(TEMPLATES).length - 6);
  });

  const rows = cases.flatMap((c, index) =>
    Object.keys(TEMPLATES).map((name) => ({ name, index, rollout: c.rollout, destination: c.destination })),
  );
  it.each(rows)('$name for $rollout.metadata.name via $destination.service', ({ name, index, rollout, destination }) => {
    const reference = argo[index]?.[name];
    expect(reference, `Argo rendered ${name}`).toBeDefined();
    const ours = renderWithGradual(name, rollout, destination);
    if (reference?.error !== undefined) {
      expect(ours.error, `Argo failed (${reference.error}); Gradual must fail too`).toBeDefined();
      return;
    }
    expect(ours.error).toBeUndefined();
    const theirs = Object.fromEntries(Object.entries(flatten(reference?.notification)).filter(([key]) => !IGNORED.has(key)));
    expect(ours.fields).toEqual(theirs);
  });
});
