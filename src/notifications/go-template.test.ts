import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
import { parseNotificationConfig } from './config.js';
import { parseGoTemplate } from './go-template.js';
import { fromJson } from './go-values.js';
import { renderNotification } from './plan-notifications.js';

// A fixed Rollout, as Argo's toObjectMap hands it to templates (JSON: every number a float64).
const rollout = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', tier: 'front' } },
  spec: {
    replicas: 5,
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } },
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'argoproj/rollouts-demo:purple' },
          { name: 'proxy', image: 'envoy:1.29' },
        ],
      },
    },
  },
  status: {
    currentStepIndex: 1,
    updatedReplicas: 2,
    phase: 'Paused',
    message: 'CanaryPauseStep',
    conditions: [{ type: 'Paused', status: 'True' }],
  },
};
const data = fromJson({ rollout });

function render(source: string): string {
  return parseGoTemplate('t', source).execute(data);
}

describe('Go text/template subset, expected text derived from text/template and sprig semantics', () => {
  it.each([
    // Argo's docs (features/notifications.md): the purple template's message.
    ['Rollout {{.rollout.metadata.name}} has purple image\n', 'Rollout web has purple image\n'],
    // The catalogue's messages.
    ["Scaling Rollout {{.rollout.metadata.name}}'s replicaset to {{.rollout.spec.replicas}}.", "Scaling Rollout web's replicaset to 5."],
    ['step number {{ add .rollout.status.currentStepIndex 1}}/{{len .rollout.spec.strategy.canary.steps}}', 'step number 2/3'],
    ['{{if .rollout.spec.strategy.blueGreen}}BlueGreen{{end}}{{if .rollout.spec.strategy.canary}}Canary{{end}}', 'Canary'],
    // A missing map key prints <no value>; a chain through one stays <no value>.
    ['{{.rollout.spec.nope}}|{{.rollout.nope.deeper}}', '<no value>|<no value>'],
    // JSON numbers are float64: %d refuses them the way fmt does; len's int it takes.
    [
      '{{printf "%d" .rollout.spec.replicas}} {{printf "%d" (len .rollout.spec.strategy.canary.steps)}} {{printf "%v/%s" .rollout.spec.replicas .rollout.metadata.name}}',
      '%!d(float64=5) 3 5/web',
    ],
    ['{{printf "%q" .rollout.metadata.name}} {{.rollout.metadata.name | quote}} {{quote "a\\"b\\n"}}', '"web" "web" "a\\"b\\n"'],
    [
      '{{.rollout.metadata.name | upper}} {{lower "ABC"}} {{default "none" .rollout.spec.nope}} {{default "none" .rollout.metadata.name}}',
      'WEB abc none web',
    ],
    ['{{toJson .rollout.metadata.labels}} {{toJson "<&>"}}', '{"app":"web","tier":"front"} "\\u003c\\u0026\\u003e"'],
    [
      '{{index .rollout.spec.template.spec.containers 1 | toJson}} {{index .rollout.metadata.labels "app"}}',
      '{"image":"envoy:1.29","name":"proxy"} web',
    ],
    // Trim markers eat the whitespace beside them.
    ['a  {{- "b" -}}  \n c', 'abc'],
    ['{{range $k, $v := .rollout.metadata.labels}}{{$k}}={{$v}};{{end}}', 'app=web;tier=front;'],
    [
      '{{range .rollout.spec.template.spec.containers}}[{{.name}}]{{else}}none{{end}}{{range .rollout.spec.nope}}x{{else}}empty{{end}}',
      '[app][proxy]empty',
    ],
    [
      '{{with .rollout.status}}{{.phase}}: {{.message}}{{end}}{{with .rollout.spec.nope}}x{{else}} none{{end}}',
      'Paused: CanaryPauseStep none',
    ],
    ['{{if eq .rollout.status.phase "Degraded"}}bad{{else if eq .rollout.status.phase "Paused"}}paused{{else}}ok{{end}}', 'paused'],
    [
      '{{if and .rollout.spec.strategy.canary (not .rollout.spec.strategy.blueGreen)}}c{{end}} {{or .rollout.spec.nope "fallback"}}',
      'c fallback',
    ],
    [
      '{{$name := .rollout.metadata.name}}{{range .rollout.spec.template.spec.containers}}{{$name}}/{{.name}} {{end}}',
      'web/app web/proxy ',
    ],
    [
      '{{.rollout.spec.strategy.canary.steps}} {{.rollout.metadata.labels}}',
      '[map[setWeight:20] map[pause:map[]] map[setWeight:60]] map[app:web tier:front]',
    ],
    ['{{/* a comment */}}x{{- /* trimmed */ -}} y', 'xy'],
    ['{{ 3 }} {{ 1.5 }} {{ true }} {{ "s" }} {{ `raw` }}', '3 1.5 true s raw'],
    ['{{ (index .rollout.spec.template.spec.containers 0).image }}', 'argoproj/rollouts-demo:purple'],
  ])('%s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it.each([
    ['{{ env "HOME" }}', 'function "env" not defined'],
    ['{{ urlquery "x" }}', 'function "urlquery" is not supported'],
    ['{{define "x"}}y{{end}}', '{{define}} is not supported'],
    ['{{template "x"}}', '{{template}} is not supported'],
    ['{{if .a}}', 'unexpected EOF'],
    ['{{ .a }', 'unclosed action'],
    ['{{ $undefined }}', 'undefined variable "$undefined"'],
    ['{{end}}', 'unexpected {{end}}'],
  ])('refuses %s when parsed, naming it', (source, message) => {
    expect(() => parseGoTemplate('t', source)).toThrow(message);
  });

  it.each([
    ['{{ .rollout.status.message.deeper }}', "can't evaluate field deeper in type string"],
    ['{{ index .rollout.spec.template.spec.containers 9 }}', 'index out of range: 9'],
    ['{{ eq .rollout.spec.replicas 5 }}', 'incompatible types for comparison'],
    ['{{ upper .rollout.spec.replicas }}', 'expected string; got float64'],
  ])('fails %s at execution as Go does', (source, message) => {
    expect(() => render(source)).toThrow(message);
  });

  it('a hostile template stays bounded: nested ranges over the Rollout render without recursion into code', () => {
    const source =
      '{{range .rollout.spec.template.spec.containers}}{{range $.rollout.spec.template.spec.containers}}{{.name}}{{end}}{{end}}';
    expect(render(source)).toBe('appproxyappproxy');
    // Template text is data, never evaluated as JavaScript.
    expect(render('{{ "${process.exit(1)}" }}')).toBe('${process.exit(1)}');
  });
});

describe("Argo's built-in catalogue (manifests/notifications-install.yaml) for the fixed Rollout", () => {
  const parsed = parseNotificationConfig(BUILTIN_CATALOGUE, {});
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const config = parsed.config;
  // The range body for the two containers: "{{if not $index}},{{end}}" gives the first comma, "{{if $index}},{{end}}" the others;
  // each iteration is the body's text: "\n    ", the first if, "\n    ", the second if, "\n    {…}\n  ".
  const containers =
    '\n    ,\n    \n    {\n      "title": "app",\n      "value": "argoproj/rollouts-demo:purple",\n      "short": true\n    }\n  ' +
    '\n    \n    ,\n    {\n      "title": "proxy",\n      "value": "envoy:1.29",\n      "short": true\n    }\n  ';

  it.each([
    ['rollout-completed', 'Rollout web has been completed.', '#18be52', ''],
    ['rollout-aborted', 'Rollout web has been aborted.', '#E01E5A', ''],
    ['rollout-paused', 'Rollout web has been paused.', '#18be52', ''],
    ['rollout-updated', 'Rollout web has been updated.', '#18be52', ''],
    ['analysis-run-running', "Rollout web's analysis run is running.", '#18be52', ''],
    ['analysis-run-failed', "Rollout web's analysis run failed.", '#E01E5A', ''],
    ['analysis-run-error', "Rollout web's analysis run is in error state.", '#ECB22E', ''],
    [
      'rollout-step-completed',
      'Rollout web step number 2/3 has been completed.',
      '#18be52',
      ',\n  {\n    "title": "Step completed",\n    "value": "2/3",\n    "short": true\n  }',
    ],
    [
      'scaling-replicaset',
      "Scaling Rollout web's replicaset to 5.",
      '#18be52',
      ',\n  {\n    "title": "Desired replica",\n    "value": "5",\n    "short": true\n  },\n  {\n    "title": "Updated replicas",\n    "value": "2",\n    "short": true\n  }',
    ],
  ])('%s', (name, message, color, extraFields) => {
    const template = config.templates.get(name);
    expect(template).toBeDefined();
    const rendered = renderNotification(template === undefined ? [] : [template], data);
    expect(rendered.message).toBe(message);
    const attachments = `[{\n  "title": "web",\n  "color": "${color}",\n  "fields": [\n  {\n    "title": "Strategy",\n    "value": "Canary",\n    "short": true\n  }${extraFields}\n  ${containers}\n  ]\n}]\n`;
    expect(rendered.slack?.attachments).toBe(attachments);
    // What Slack receives parses.
    expect(JSON.parse(rendered.slack?.attachments ?? '')).toHaveLength(1);
  });
});
