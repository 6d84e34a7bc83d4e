import type { CanaryStep } from '../../api/index.js';

/** One canary step in words, as the step list and the notices show it. */
export function describeStep(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `set weight ${String(step.setWeight)}%`;
  if (step.pause !== undefined) return step.pause.duration === undefined ? 'pause until promoted' : `pause ${String(step.pause.duration)}`;
  if (step.analysis !== undefined) {
    const templates = (step.analysis.templates ?? []).map((template) => template.templateName);
    return templates.length === 0 ? 'analysis' : `analysis (${templates.join(', ')})`;
  }
  if (step.setCanaryScale !== undefined) {
    const scale = step.setCanaryScale;
    if (scale.matchTrafficWeight === true) return 'canary scale: match traffic weight';
    if (scale.replicas !== undefined) return `canary scale: ${String(scale.replicas)} replicas`;
    if (scale.weight !== undefined) return `canary scale: ${String(scale.weight)}%`;
    return 'canary scale';
  }
  const kind = Object.keys(step)[0];
  return kind ?? 'empty step';
}
