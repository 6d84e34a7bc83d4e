import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../demo/seeded-random.js';
import { parseManifests } from './parse-manifests.js';

/*
 * A mutation fuzzer for manifests, which come from pull requests (forks included): valid
 * Rollouts, AnalysisTemplates and ConfigMaps, cut, spliced, duplicated and sprinkled with
 * YAML's syntax (anchors, aliases, tags, merge keys, flow and block collections, document
 * markers, directives, tabs, deep nesting), parsed by parseManifests. Seeded, so a failure
 * replays; bounded by a time budget; it prints what it covered.
 *
 * What must hold: parseManifests never throws, every error names its file and a line and
 * column inside the file, and no file takes a second.
 */

const SEED = 20;
const BUDGET_MS = 3_000;
const HANG_MS = 1_000;

const SEEDS = [
  `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: { duration: 30s }
        - analysis: { templates: [{ templateName: health }] }
  template:
    metadata: { labels: { app: web } }
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm: { topologyKey: kubernetes.io/hostname }
      containers:
        - name: web
          image: "nginx:1.25"
          ports: [{ name: http, containerPort: 8080 }]
`,
  `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: health
spec:
  args:
    - name: token
      valueFrom: { secretKeyRef: { name: t, key: token } }
  metrics:
    - name: ok
      interval: 10s
      successCondition: result matches "^2[0-9]{2}$"
      provider:
        web:
          url: http://127.0.0.1:9/health
          headers: [{ key: Authorization, value: "Bearer {{args.token}}" }]
          jsonPath: "{$.status}"
`,
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: &labels { app: web, tier: front }
data:
  mode: canary
  list: |
    a
    b
---
apiVersion: v1
kind: Service
metadata: { name: web, labels: *labels }
spec:
  ports: [{ port: 80, targetPort: 8080 }]
`,
];

const SPRINKLES = [
  ':',
  ': ',
  '- ',
  '-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '*b',
  '!!str ',
  '!!map ',
  '!custom ',
  '? ',
  '<<: *a\n',
  '|',
  '>-',
  '\t',
  '---\n',
  '...\n',
  '%YAML 1.2\n---\n',
  'null',
  '~',
  '.nan',
  '0x1F',
  '1e999',
  'true',
  '\n',
  '\n  ',
  '\n      ',
  '\u00a0',
  '\u{10FFFF}',
  '\0',
  '\uFEFF',
  'name: dup\n',
  'kind: Rollout\n',
  'apiVersion: argoproj.io/v1alpha1\n',
  '[[[[[[[[[[[[',
  '{a: {b: {c: {d: ',
  `${'- '.repeat(60)}x\n`,
  'a: &x [*x]\n',
  'x: &b [a, a, a, a]\ny: [*b, *b, *b, *b]\n',
];

describe('manifests fuzzer', () => {
  it(`random mutations of real manifests for ${String(BUDGET_MS)} ms (seed ${String(SEED)}): no throw, every error at a file:line:column, no file over ${String(HANG_MS)} ms`, () => {
    const random = createSeededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const integer = (max: number): number => Math.floor(random() * max);
    const mutate = (source: string): string => {
      let text = source;
      for (let edits = 1 + integer(3); edits > 0; edits--) {
        const at = integer(text.length + 1);
        switch (integer(5)) {
          case 0:
            text = text.slice(0, at) + text.slice(at + 1 + integer(10));
            break;
          case 1:
            text = text.slice(0, at) + pick(SPRINKLES) + text.slice(at);
            break;
          case 2: {
            const from = integer(text.length);
            text = text.slice(0, at) + text.slice(from, from + integer(80)) + text.slice(at);
            break;
          }
          case 3: {
            const lines = text.split('\n');
            const line = integer(lines.length);
            lines[line] = ' '.repeat(integer(8)) + (lines[line] ?? '').trimStart();
            text = lines.join('\n');
            break;
          }
          default:
            text = text + pick(SEEDS);
        }
      }
      return text;
    };
    const figures = { cases: 0, objects: 0, errors: 0, yamlErrors: 0, schemaErrors: 0, clean: 0, slowestMs: 0 };
    let slowest = '';
    const started = performance.now();
    while (performance.now() - started < BUDGET_MS) {
      const files = Array.from({ length: 1 + integer(2) }, (_, index) => ({
        path: `apps/f${String(index)}.yaml`,
        text: mutate(pick(SEEDS)),
      }));
      const caseStarted = performance.now();
      const parsed = parseManifests(files, { namespace: 'fuzz' });
      const elapsed = performance.now() - caseStarted;
      figures.cases += 1;
      figures.objects += parsed.objects.length;
      figures.errors += parsed.errors.length;
      if (parsed.errors.length === 0) figures.clean += 1;
      for (const error of parsed.errors) {
        const file = files.find((candidate) => candidate.path === error.file);
        expect(file, JSON.stringify(error)).toBeDefined();
        const lines = (file?.text ?? '').split('\n').length;
        expect(error.line, JSON.stringify(error)).toBeGreaterThanOrEqual(1);
        expect(error.line, JSON.stringify(error)).toBeLessThanOrEqual(lines + 1);
        expect(error.column, JSON.stringify(error)).toBeGreaterThanOrEqual(1);
        expect(error.message.length).toBeGreaterThan(0);
        if (error.message.startsWith('YAML:')) figures.yamlErrors += 1;
        else figures.schemaErrors += 1;
      }
      if (elapsed > figures.slowestMs) {
        figures.slowestMs = elapsed;
        slowest = JSON.stringify(files.map((file) => file.text.slice(0, 80)));
      }
    }
    console.log(
      `manifests fuzzer (seed ${String(SEED)}): ${JSON.stringify({ ...figures, slowestMs: Number(figures.slowestMs.toFixed(1)) })}; slowest: ${slowest}`,
    );
    expect(figures.cases).toBeGreaterThan(20);
    expect(figures.yamlErrors).toBeGreaterThan(0);
    expect(figures.schemaErrors).toBeGreaterThan(0);
    expect(figures.slowestMs).toBeLessThan(HANG_MS);
  });
});
