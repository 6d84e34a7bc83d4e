import type { StepView } from './types.js';

function durationText(value: unknown): string {
  return typeof value === 'number' ? `${String(value)}s` : typeof value === 'string' ? value : '';
}

function templateNames(analysis: unknown): string {
  if (typeof analysis !== 'object' || analysis === null || !('templates' in analysis) || !Array.isArray(analysis.templates)) return '';
  const names: string[] = [];
  for (const template of analysis.templates as unknown[]) {
    if (typeof template === 'object' && template !== null && 'templateName' in template && typeof template.templateName === 'string')
      names.push(template.templateName);
  }
  return names.join(', ');
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

/** One step's words: `setWeight 20`, `pause`, `pause 10s`, `analysis success-rate`, `setCanaryScale 50%`. */
export function describeStep(step: Readonly<Record<string, unknown>>): { kind: string; text: string } {
  const kind = Object.keys(step)[0] ?? 'unknown';
  const value = step[kind];
  switch (kind) {
    case 'setWeight':
      return { kind, text: `setWeight ${String(value)}` };
    case 'pause': {
      const duration = durationText(field(value, 'duration'));
      return { kind, text: duration === '' ? 'pause' : `pause ${duration}` };
    }
    case 'analysis': {
      const names = templateNames(value);
      return { kind, text: names === '' ? 'analysis' : `analysis ${names}` };
    }
    case 'setCanaryScale': {
      const weight = field(value, 'weight');
      const replicas = field(value, 'replicas');
      const scale =
        typeof weight === 'number' ? `${weight}%` : typeof replicas === 'number' ? `${replicas} replicas` : 'matchTrafficWeight';
      return { kind, text: `setCanaryScale ${scale}` };
    }
    case 'experiment': {
      const templates = field(value, 'templates');
      const names = Array.isArray(templates)
        ? (templates as unknown[]).flatMap((template) => {
            const name = field(template, 'name');
            const specRef = field(template, 'specRef');
            return typeof name === 'string' ? [typeof specRef === 'string' ? `${name} (${specRef})` : name] : [];
          })
        : [];
      const duration = durationText(field(value, 'duration'));
      return { kind, text: ['experiment', names.join(', '), duration].filter((part) => part !== '').join(' ') };
    }
    case 'setHeaderRoute':
    case 'setMirrorRoute': {
      const name = field(value, 'name');
      return { kind, text: typeof name === 'string' ? `${kind} ${name}` : kind };
    }
    default:
      return { kind, text: kind };
  }
}

/**
 * The canary steps with the current one marked: before it done, after it
 * pending. An index at or past the end (or an absent one after completion)
 * means every step is done; the controller sets the index to 0 on a new
 * revision, so absent means the first step.
 */
export function stepViews(steps: readonly Readonly<Record<string, unknown>>[], currentStepIndex: number | undefined): StepView[] {
  const current = currentStepIndex ?? 0;
  return steps.map((step, index) => ({
    index,
    ...describeStep(step),
    state: index < current ? 'done' : index === current ? 'current' : 'pending',
  }));
}
