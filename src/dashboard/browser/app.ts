// The dashboard's browser side: Preact + htm and uPlot, served by the dashboard itself from
// their npm packages (/assets/). Data arrives only by server-sent events (/api/events);
// buttons POST actions with the x-gradual-action header, which no other origin can send, and the
// dashboard's token as a bearer credential (it arrives in the URL's fragment, see actionToken()).
// Compiled by tsc into dist/, or by assets.ts when running from src/.
import type { ExperimentInfo } from '../../rollout-view/experiment-info.js';
import type {
  AnalysisRunView,
  MetricChart as MetricChartView,
  RolloutSummary,
  RolloutTree,
  RolloutView,
  Threshold,
  WeightsView,
} from '../types.js';

/*
 * The few browser globals the page uses, typed here: the project's TypeScript
 * program is Node's (no DOM lib, whose global crypto clashes with the server code).
 */
interface BrowserElement {
  dataset: Record<string, string | undefined>;
}
interface BrowserEventSource {
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  addEventListener(name: string, listener: (message: { data: string }) => void): void;
  close(): void;
}
interface BrowserGlobals {
  document: { body: BrowserElement; getElementById(id: string): BrowserElement | null };
  location: { pathname: string; search: string; hash: string };
  history: { replaceState(state: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  EventSource: new (url: string) => BrowserEventSource;
  confirm(message: string): boolean;
}
const browser = globalThis as unknown as BrowserGlobals;

/*
 * Preact + htm and uPlot, typed by what the page calls. Their own type files
 * would pull the DOM lib into the project's (Node) program, so the modules
 * are loaded by URL and described here.
 */
type VNode = object;
interface PreactHtm {
  html: (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
  render: (tree: VNode, parent: BrowserElement) => void;
  useState: <T>(initial: T) => [T, (next: T | ((previous: T) => T)) => void];
  useEffect: (effect: () => (() => void) | undefined, inputs: readonly unknown[]) => void;
  useRef: <T>(initial: T | null) => { current: T | null };
}
type PlotData = (number | null)[][];
interface PlotSeries {
  label?: string;
  stroke?: string;
  width?: number;
  dash?: number[];
  spanGaps?: boolean;
  points?: { show: boolean; size?: number; fill?: string };
}
interface Plot {
  data: PlotData;
  destroy(): void;
}
interface PlotOptions {
  width: number;
  height: number;
  series: PlotSeries[];
  scales: Record<string, { time?: boolean }>;
  hooks: { draw: ((plot: Plot) => void)[] };
}
type PlotConstructor = new (options: PlotOptions, data: PlotData, target: BrowserElement) => Plot;

const preactUrl = '/assets/preact-htm.js';
const uplotUrl = '/assets/uplot.js';
const { html, render, useEffect, useRef, useState } = (await import(preactUrl)) as PreactHtm;
const { default: uPlot } = (await import(uplotUrl)) as { default: PlotConstructor };

const actionsEnabled = browser.document.body.dataset['actions'] === 'enabled';

const tokenKey = 'gradual-dashboard-action-token';

/*
 * The action token: the dashboard prints its URL with `#token=…`. A fragment
 * is never sent to a server (no access log, no Referer); it is kept in this
 * tab's sessionStorage (not a cookie, so no request carries it on its own and
 * no other site can make the browser send it) and taken out of the address
 * bar, so a screenshot or a copied link does not show it.
 */
function actionToken(): string | undefined {
  const fragment = new URLSearchParams(browser.location.hash.replace(/^#/u, ''));
  const given = fragment.get('token');
  if (given !== null && given !== '') {
    browser.sessionStorage.setItem(tokenKey, given);
    browser.history.replaceState(null, '', `${browser.location.pathname}${browser.location.search}`);
    return given;
  }
  return browser.sessionStorage.getItem(tokenKey) ?? undefined;
}
const token = actionsEnabled ? actionToken() : undefined;

interface StreamState<T> {
  event: string | undefined;
  data: T | undefined;
  connected: boolean;
}

function useEvents<T>(url: string, names: readonly string[]): StreamState<T> {
  const [state, setState] = useState<StreamState<T>>({ event: undefined, data: undefined, connected: false });
  useEffect(() => {
    const source = new browser.EventSource(url);
    source.onopen = () => {
      setState((previous) => ({ ...previous, connected: true }));
    };
    source.onerror = () => {
      setState((previous) => ({ ...previous, connected: false }));
    };
    for (const name of names) {
      source.addEventListener(name, (message) => {
        // The dashboard's own server wrote it from the types above.
        setState({ event: name, data: JSON.parse(message.data) as T, connected: true });
      });
    }
    return () => {
      source.close();
    };
  }, [url]);
  return state;
}

function phaseClass(phase: string): string {
  return `phase phase-${(phase === '' ? 'unknown' : phase).toLowerCase()}`;
}

function RolloutList() {
  const { data } = useEvents<RolloutSummary[]>('/api/events', ['rollouts']);
  if (data === undefined) return html`<p class="loading">Loading…</p>`;
  if (data.length === 0) return html`<p class="empty">No Rollouts.</p>`;
  return html`<h1>Rollouts</h1>
    <table class="rollouts">
      <thead><tr><th>Namespace</th><th>Name</th><th>Strategy</th><th>Status</th><th>Step</th><th>Weight</th><th>Ready</th></tr></thead>
      <tbody>
        ${data.map(
          (r: RolloutSummary) => html`<tr data-rollout=${`${r.namespace}/${r.name}`}>
            <td>${r.namespace}</td>
            <td><a href=${`/rollouts/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`}>${r.name}</a></td>
            <td>${r.strategy}</td>
            <td><span class=${phaseClass(r.status)}>${r.status}</span> <span class="message">${r.message}</span></td>
            <td>${r.step}</td>
            <td>${r.strategy === 'Canary' ? `${r.actualWeight}% (set ${r.setWeight}%)` : ''}</td>
            <td>${r.ready}/${r.desired}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

const buttons: readonly (readonly [string, string])[] = [
  ['promote', 'Promote'],
  ['promote-full', 'Promote full'],
  ['abort', 'Abort'],
  ['retry', 'Retry'],
  ['restart', 'Restart'],
];

function Actions({ namespace, name }: { namespace: string; name: string }) {
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  async function run(action: string): Promise<void> {
    if ((action === 'abort' || action === 'restart' || action === 'promote-full') && !browser.confirm(`${action} ${name}?`)) return;
    setBusy(true);
    try {
      const response = await fetch(`/api/rollouts/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/actions/${action}`, {
        method: 'POST',
        headers: { 'x-gradual-action': action, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      });
      const body = (await response.json()) as { message?: string; error?: string };
      const text = (response.ok ? body.message : body.error) ?? '';
      setResult({ ok: response.ok, text: response.status === 401 && token === undefined ? `${text} (this tab has no token yet)` : text });
    } catch (error) {
      setResult({ ok: false, text: String(error) });
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="actions">
    ${buttons.map(([action, label]) => html`<button type="button" data-action=${action} disabled=${busy} onClick=${() => void run(action)}>${label}</button>`)}
    ${result === undefined ? null : html`<span class=${result.ok ? 'action-result ok' : 'action-result failed'}>${result.text}</span>`}
  </div>`;
}

function Steps({ view }: { view: RolloutView }) {
  if (view.steps.length === 0) return null;
  return html`<section class="steps-section">
    <h2>Steps · <span class="step-position">step ${view.currentStep} of ${view.stepCount}</span></h2>
    <ol class="steps">
      ${view.steps.map((step) => html`<li data-state=${step.state} data-index=${step.index} class=${`step ${step.state}`}>${step.text}${step.state === 'current' ? html` <em>← current</em>` : null}</li>`)}
    </ol>
  </section>`;
}

/** What the Experiment's duration has left, by this browser's clock (as rollout-view/experiment-info.ts experimentTimeLeft words it). */
function timeLeft(experiment: ExperimentInfo, now: number): string {
  const { duration, endsAt } = experiment;
  if (duration === undefined) return 'no duration: runs until its analyses complete or it is terminated';
  if (experiment.finished) return `duration ${duration}`;
  if (endsAt === undefined) return `duration ${duration}, counted from when every template is available`;
  const left = Math.ceil((endsAt - now) / 1000);
  if (left <= 0) return `duration ${duration}, passed`;
  const text = left < 120 ? `${left}s` : `${Math.floor(left / 60)}m${left % 60 === 0 ? '' : `${left % 60}s`}`;
  return `duration ${duration}, ${text} left · ends ${new Date(endsAt).toLocaleTimeString()}`;
}

/** The current step's Experiment, as Argo's `get rollout` shows it under the revision: its templates' ReplicaSets and its AnalysisRuns. */
function Experiment({ experiment }: { experiment: ExperimentInfo | undefined }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    // The time left counts down between the server's updates.
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  if (experiment === undefined) return null;
  return html`<section class="experiment" data-experiment=${experiment.name} data-phase=${experiment.status}>
    <h2>Experiment</h2>
    <h3><code>${experiment.name}</code> <span class=${phaseClass(experiment.status)}>${experiment.status}</span> <span class="message">${experiment.message}</span></h3>
    <p class="time-left">${timeLeft(experiment, now)}</p>
    <table class="experiment-templates">
      <thead><tr><th>Template</th><th>ReplicaSet</th><th>Status</th><th>Ready</th><th>Message</th></tr></thead>
      <tbody>${experiment.templates.map(
        (
          template,
        ) => html`<tr data-template=${template.name}><td class="template-name">${template.name}</td><td><code>${template.replicaSet}</code></td>
          <td><span class=${phaseClass(template.status)}>${template.status}</span></td><td>${template.ready}/${template.replicas}</td><td class="message">${template.message}</td></tr>`,
      )}</tbody>
    </table>
    ${
      experiment.analyses.length === 0
        ? null
        : html`<table class="experiment-analyses">
            <thead><tr><th>Analysis</th><th>AnalysisRun</th><th>Phase</th><th>Measurements</th><th>Message</th></tr></thead>
            <tbody>${experiment.analyses.map(
              (
                analysis,
              ) => html`<tr data-analysis=${analysis.name}><td>${analysis.name}${analysis.requiredForCompletion ? ' (required)' : ''}</td><td><code>${analysis.analysisRun}</code></td>
                <td><span class=${phaseClass(analysis.status)}>${analysis.status}</span></td>
                <td>✔ ${analysis.successful} · ✖ ${analysis.failed} · ? ${analysis.inconclusive} · ⚠ ${analysis.error}</td><td class="message">${analysis.message}</td></tr>`,
            )}</tbody>
          </table>`
    }
  </section>`;
}

function Weights({ weights }: { weights: WeightsView | undefined }) {
  if (weights === undefined) return null;
  return html`<section class="weights">
    <h2>Weights</h2>
    <div class="weight-bar" title=${`canary ${weights.actual}%`}>
      <div class="canary" style=${`width:${weights.actual}%`}></div>
    </div>
    <p><span class="canary-weight">canary ${weights.actual}%</span> · set ${weights.set}% · stable ${weights.stable}%</p>
  </section>`;
}

function Revisions({ tree }: { tree: RolloutTree }) {
  return html`<section class="revisions">
    <h2>Revisions</h2>
    ${tree.replicaSets.map(
      (rs) => html`<div class="replica-set" data-revision=${rs.revision}>
        <h3>revision ${rs.revision} <code>${rs.name}</code> <span class=${phaseClass(rs.status)}>${rs.status}</span>
          ${rs.stable ? html`<span class="tag">stable</span>` : null}${rs.canary ? html`<span class="tag canary">canary</span>` : null}
          ${rs.active ? html`<span class="tag">active</span>` : null}${rs.preview ? html`<span class="tag">preview</span>` : null}</h3>
        <p class="images">${rs.images.join(', ')} · ${rs.available}/${rs.replicas} available</p>
        <ul class="pods">${rs.pods.map((pod) => html`<li class="pod" title=${pod.name}><span class=${phaseClass(pod.status)}>${pod.status}</span> ${pod.name} ${pod.ready}</li>`)}</ul>
      </div>`,
    )}
  </section>`;
}

function thresholdLabel(threshold: Threshold | undefined): string {
  return threshold === undefined ? '' : `${threshold.from} ${threshold.operator} ${threshold.value}`;
}

function MetricChart({ chart }: { chart: MetricChartView }) {
  const element = useRef<BrowserElement>(null);
  useEffect(() => {
    const target = element.current;
    if (target === null) return undefined;
    const xs = chart.points.map((point) => point.at / 1000);
    const ys = chart.points.map((point) => point.value);
    const data: PlotData = chart.threshold === undefined ? [xs, ys] : [xs, ys, xs.map(() => chart.threshold?.value ?? null)];
    const series: PlotSeries[] = [
      {},
      { label: chart.metric, stroke: '#2563eb', width: 2, points: { show: true, size: 9, fill: '#2563eb' }, spanGaps: false },
    ];
    if (chart.threshold !== undefined) {
      series.push({ label: thresholdLabel(chart.threshold), stroke: '#dc2626', dash: [6, 4], width: 1.5, points: { show: false } });
    }
    const plot = new uPlot(
      {
        width: 520,
        height: 200,
        series,
        scales: { x: { time: true } },
        hooks: {
          draw: [
            (u: Plot) => {
              // What the chart drew, for people and tests: one point per measured number.
              target.dataset['drawn'] = String((u.data[1] ?? []).filter((value) => value !== null).length);
            },
          ],
        },
      },
      data,
      target,
    );
    return () => {
      plot.destroy();
    };
  }, [JSON.stringify(chart)]);
  return html`<figure class="metric-chart" data-metric=${chart.metric} data-points=${chart.points.length}>
    <figcaption><strong>${chart.metric}</strong> <span class=${phaseClass(chart.phase)}>${chart.phase}</span> <code>${chart.condition}</code></figcaption>
    <div class="plot" ref=${element}></div>
    <table class="measurements">
      <tbody>${chart.points.map((point) => html`<tr class=${`measurement ${point.phase.toLowerCase()}`}><td>${new Date(point.at).toLocaleTimeString()}</td><td>${point.raw}</td><td>${point.phase}</td></tr>`)}</tbody>
    </table>
  </figure>`;
}

function AnalysisRuns({ runs }: { runs: AnalysisRunView[] }) {
  if (runs.length === 0) return null;
  return html`<section class="analysis">
    <h2>Analysis runs</h2>
    ${runs.map(
      (run) => html`<div class="analysis-run" data-run=${run.name} data-phase=${run.phase}>
        <h3><code>${run.name}</code> <span class=${phaseClass(run.phase)}>${run.phase}</span> <span class="message">${run.message}</span></h3>
        ${run.charts.map((chart) => html`<${MetricChart} key=${chart.metric} chart=${chart} />`)}
      </div>`,
    )}
  </section>`;
}

function RolloutPage({ namespace, name }: { namespace: string; name: string }) {
  const { event, data, connected } = useEvents<RolloutView>(
    `/api/events?rollout=${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
    ['rollout', 'gone'],
  );
  if (event === undefined) return html`<p class="loading">Loading…</p>`;
  if (event === 'gone' || data === undefined) return html`<p class="gone">Rollout ${namespace}/${name} not found.</p>`;
  const view = data;
  return html`<article class="rollout" data-status=${view.status} data-step=${view.currentStep ?? ''} data-connected=${connected ? 'yes' : 'no'}>
    <h1>${view.name} <small>${view.namespace}</small></h1>
    <p class="summary"><span class=${`status ${phaseClass(view.status)}`}>${view.status}</span> <span class="message">${view.message}</span></p>
    <p class="facts">${view.strategy} · ${view.ready}/${view.desired} ready${view.currentStep === undefined ? '' : ` · step ${view.currentStep} of ${view.stepCount}`}</p>
    ${actionsEnabled ? html`<${Actions} namespace=${namespace} name=${name} />` : null}
    <div class="columns">
      <div><${Steps} view=${view} /><${Experiment} experiment=${view.experiment} /><${Weights} weights=${view.weights} /></div>
      <div><${Revisions} tree=${view.tree} /></div>
    </div>
    <${AnalysisRuns} runs=${view.analysisRuns} />
  </article>`;
}

function App() {
  const match = /^\/rollouts\/([^/]+)\/([^/]+)$/u.exec(browser.location.pathname);
  if (match === null) return html`<${RolloutList} />`;
  return html`<${RolloutPage} namespace=${decodeURIComponent(match[1] ?? '')} name=${decodeURIComponent(match[2] ?? '')} />`;
}

const root = browser.document.getElementById('app');
if (root !== null) render(html`<${App} />`, root);
