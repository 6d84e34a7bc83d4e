import type { CanaryStep, IntOrString, Rollout } from '../api/index.js';
import { fnv1a32, safeEncodeString } from './pod-template-hash.js';

/**
 * Argo's ComputeStepHash: FNV-1a 32 of Go's json.Marshal of spec.strategy.canary.steps, then
 * SafeEncodeString. Byte-equal to Argo for the step kinds Gradual supports (setWeight, pause,
 * setCanaryScale), because their Go JSON is reproduced field by field in Go's struct order;
 * the opaque kinds (experiment, analysis, header/mirror routes, plugin) are serialised with
 * sorted keys, which can differ from Go's struct order — harmless, as the hash is only compared
 * with hashes this controller wrote, and those kinds are refused by validation today.
 */
export function computeStepHash(rollout: Rollout): string {
  const canary = rollout.spec.strategy?.canary;
  if (rollout.spec.strategy?.blueGreen !== undefined || canary === undefined) return '';
  const json = canary.steps === undefined ? 'null' : `[${canary.steps.map(stepJson).join(',')}]`;
  return safeEncodeString(String(fnv1a32(new TextEncoder().encode(json))));
}

const OPAQUE_STEP_KINDS = ['experiment', 'analysis', 'setHeaderRoute', 'setMirrorRoute', 'plugin'] as const;

function stepJson(step: CanaryStep): string {
  const members: string[] = [];
  if (step.setWeight !== undefined) members.push(`"setWeight":${String(step.setWeight)}`);
  if (step.pause !== undefined) {
    members.push(step.pause.duration === undefined ? '"pause":{}' : `"pause":{"duration":${JSON.stringify(step.pause.duration)}}`);
  }
  for (const kind of OPAQUE_STEP_KINDS.slice(0, 2)) {
    if (step[kind] !== undefined) members.push(`${JSON.stringify(kind)}:${sortedJson(step[kind])}`);
  }
  if (step.setCanaryScale !== undefined) {
    const scale = step.setCanaryScale;
    const inner: string[] = [];
    if (scale.weight !== undefined) inner.push(`"weight":${String(scale.weight)}`);
    if (scale.replicas !== undefined) inner.push(`"replicas":${String(scale.replicas)}`);
    if (scale.matchTrafficWeight === true) inner.push('"matchTrafficWeight":true');
    members.push(`"setCanaryScale":{${inner.join(',')}}`);
  }
  for (const kind of OPAQUE_STEP_KINDS.slice(2)) {
    if (step[kind] !== undefined) members.push(`${JSON.stringify(kind)}:${sortedJson(step[kind])}`);
  }
  return `{${members.join(',')}}`;
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
  if (step.setHeaderRoute !== undefined) return `setHeaderRoute: ${String(step.setHeaderRoute.name)}`;
  if (step.setMirrorRoute !== undefined) return `setMirrorRoute: ${String(step.setMirrorRoute.name)}`;
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
