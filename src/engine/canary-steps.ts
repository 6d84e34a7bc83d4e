import type { CanaryStep, IntOrString, Rollout, RolloutAnalysis } from '../api/index.js';
import { fnv1a32, safeEncodeString } from './pod-template-hash.js';

/**
 * Argo's ComputeStepHash: FNV-1a 32 of Go's json.Marshal of spec.strategy.canary.steps, then
 * SafeEncodeString. Byte-equal to Argo for the step kinds Gradual supports (setWeight, pause,
 * setCanaryScale, analysis), because their Go JSON is reproduced field by field in Go's struct order;
 * the opaque kinds (experiment, analysis, header/mirror routes, plugin) are serialised with
 * sorted keys, which can differ from Go's struct order — harmless, as the hash is only compared
 * with hashes this controller wrote, and those kinds are refused by validation today. Analysis
 * steps are reproduced in Go's order too.
 */
export function computeStepHash(rollout: Rollout): string {
  const canary = rollout.spec.strategy?.canary;
  if (rollout.spec.strategy?.blueGreen !== undefined || canary === undefined) return '';
  const json = canary.steps === undefined ? 'null' : `[${canary.steps.map(stepJson).join(',')}]`;
  return safeEncodeString(String(fnv1a32(new TextEncoder().encode(json))));
}

const OPAQUE_STEP_KINDS = ['setHeaderRoute', 'setMirrorRoute', 'plugin'] as const;

function stepJson(step: CanaryStep): string {
  const members: string[] = [];
  if (step.setWeight !== undefined) members.push(`"setWeight":${String(step.setWeight)}`);
  if (step.pause !== undefined) {
    members.push(step.pause.duration === undefined ? '"pause":{}' : `"pause":{"duration":${JSON.stringify(step.pause.duration)}}`);
  }
  if (step.experiment !== undefined) members.push(`"experiment":${sortedJson(step.experiment)}`);
  if (step.analysis !== undefined) members.push(`"analysis":${rolloutAnalysisJson(step.analysis)}`);
  if (step.setCanaryScale !== undefined) {
    const scale = step.setCanaryScale;
    const inner: string[] = [];
    if (scale.weight !== undefined) inner.push(`"weight":${String(scale.weight)}`);
    if (scale.replicas !== undefined) inner.push(`"replicas":${String(scale.replicas)}`);
    if (scale.matchTrafficWeight === true) inner.push('"matchTrafficWeight":true');
    members.push(`"setCanaryScale":{${inner.join(',')}}`);
  }
  for (const kind of OPAQUE_STEP_KINDS) {
    if (step[kind] !== undefined) members.push(`${JSON.stringify(kind)}:${sortedJson(step[kind])}`);
  }
  return `{${members.join(',')}}`;
}

/** Go's json.Marshal of a RolloutAnalysis: struct order, empty fields omitted, map keys sorted. */
function rolloutAnalysisJson(analysis: RolloutAnalysis): string {
  const members: string[] = [];
  if (analysis.templates !== undefined && analysis.templates.length > 0) {
    const templates = analysis.templates.map(
      (ref) =>
        `{"templateName":${goString(ref.templateName)}${ref.clusterScope === undefined ? '' : `,"clusterScope":${String(ref.clusterScope)}`}}`,
    );
    members.push(`"templates":[${templates.join(',')}]`);
  }
  if (analysis.args !== undefined && analysis.args.length > 0) {
    const args = analysis.args.map((arg) => {
      const parts = [`"name":${goString(arg.name)}`];
      if (arg.value !== undefined && arg.value !== '') parts.push(`"value":${goString(arg.value)}`);
      if (arg.valueFrom !== undefined) {
        const from: string[] = [];
        if (arg.valueFrom.podTemplateHashValue !== undefined)
          from.push(`"podTemplateHashValue":${goString(arg.valueFrom.podTemplateHashValue)}`);
        if (arg.valueFrom.fieldRef !== undefined) from.push(`"fieldRef":{"fieldPath":${goString(arg.valueFrom.fieldRef.fieldPath)}}`);
        parts.push(`"valueFrom":{${from.join(',')}}`);
      }
      return `{${parts.join(',')}}`;
    });
    members.push(`"args":[${args.join(',')}]`);
  }
  if (analysis.dryRun !== undefined && analysis.dryRun.length > 0) {
    members.push(`"dryRun":[${analysis.dryRun.map((rule) => `{"metricName":${goString(rule.metricName)}}`).join(',')}]`);
  }
  if (analysis.measurementRetention !== undefined && analysis.measurementRetention.length > 0) {
    const rules = analysis.measurementRetention.map((rule) => `{"metricName":${goString(rule.metricName)},"limit":${String(rule.limit)}}`);
    members.push(`"measurementRetention":[${rules.join(',')}]`);
  }
  if (analysis.analysisRunMetadata !== undefined) {
    const inner: string[] = [];
    for (const field of ['labels', 'annotations'] as const) {
      const map = analysis.analysisRunMetadata[field];
      if (map !== undefined && Object.keys(map).length > 0) inner.push(`${JSON.stringify(field)}:${sortedJson(map)}`);
    }
    members.push(`"analysisRunMetadata":{${inner.join(',')}}`);
  }
  return `{${members.join(',')}}`;
}

/** Go's encoding/json escapes <, > and & in strings (HTML safety); JSON.stringify does not. */
function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${sortedJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Argo's CanaryStepString, used in RolloutStepCompleted messages: "setWeight: 20", "pause", "pause: 30s". */
export function canaryStepString(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${String(step.setWeight)}`;
  if (step.pause !== undefined) return step.pause.duration === undefined ? 'pause' : `pause: ${intOrStringText(step.pause.duration)}`;
  if (step.experiment !== undefined) return 'experiment';
  if (step.analysis !== undefined) return 'analysis';
  if (step.setCanaryScale !== undefined) {
    const scale = step.setCanaryScale;
    if (scale.weight !== undefined) return `setCanaryScale{weight: ${String(scale.weight)}}`;
    if (scale.matchTrafficWeight === true) return 'setCanaryScale{matchTrafficWeight: true}';
    if (scale.replicas !== undefined) return `setCanaryScale{replicas: ${String(scale.replicas)}}`;
  }
  if (step.plugin !== undefined) return `plugin: ${String(step.plugin.name)}`;
  if (step.setHeaderRoute !== undefined) return `setHeaderRoute: ${step.setHeaderRoute.name}`;
  if (step.setMirrorRoute !== undefined) return `setMirrorRoute: ${step.setMirrorRoute.name}`;
  return 'invalid';
}

function intOrStringText(value: IntOrString): string {
  return typeof value === 'number' ? String(value) : value;
}

/** Argo's GetCurrentCanaryStep: the step at status.currentStepIndex (absent reads 0); undefined past the last step or without steps. */
export function currentCanaryStep(rollout: Rollout): { step: CanaryStep | undefined; index: number | undefined } {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  if (steps.length === 0) return { step: undefined, index: undefined };
  const index = rollout.status?.currentStepIndex ?? 0;
  return { step: steps[index], index };
}
