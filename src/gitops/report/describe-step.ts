import type { CanaryStep } from '../../api/index.js';
import { escapeUntrusted } from './markdown.js';

/**
 * One canary step in words, as the step list shows it: Markdown, with the names a pull request wrote (template
 * names) escaped, so a name cannot format the list or start a link.
 */
export function describeStep(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `set weight ${String(step.setWeight)}%`;
  if (step.pause !== undefined) return step.pause.duration === undefined ? 'pause until promoted' : `pause ${String(step.pause.duration)}`;
  if (step.analysis !== undefined) {
    const templates = (step.analysis.templates ?? []).map((template) => escapeUntrusted(template.templateName));
    return templates.length === 0 ? 'analysis' : `analysis (${templates.join(', ')})`;
  }
  if (step.experiment !== undefined) {
    const { templates, duration, analyses } = step.experiment;
    const parts = [
      templates.map((template) => `${escapeUntrusted(template.name)} (${template.specRef})`).join(', '),
      ...(duration === undefined || duration === '' ? [] : [escapeUntrusted(duration)]),
      ...((analyses ?? []).length === 0
        ? []
        : [`analysis ${(analyses ?? []).map((analysis) => escapeUntrusted(analysis.templateName)).join(', ')}`]),
    ].filter((part) => part !== '');
    return parts.length === 0 ? 'experiment' : `experiment: ${parts.join(' · ')}`;
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
