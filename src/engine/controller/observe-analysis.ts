import type { KubernetesObject } from '@kubernetes/client-node';
import {
  analysisRunSchema,
  analysisTemplateSchema,
  clusterAnalysisTemplateSchema,
  type AnalysisRun,
  type AnalysisTemplate,
  type ClusterAnalysisTemplate,
  type Rollout,
} from '../../api/index.js';
import type { AnalysisTemplateCatalog, TemplateEntry } from '../analysis-templates.js';
import { controlledBy } from './observe-rollout.js';

/*
 * The analysis part of a Rollout's observation: its own AnalysisRuns (by controller
 * ownerReference) and the templates it may name. Objects are parsed once per version: the
 * informer replaces an object when it changes, so a WeakMap keyed by the cached object is
 * an exact memo, and a reconcile among thousands of finished runs does not re-validate them.
 */

type Raw = KubernetesObject & { metadata?: { ownerReferences?: { uid: string; controller?: boolean }[] } };

const parsedRuns = new WeakMap<object, AnalysisRun | null>();
const parsedTemplates = new WeakMap<object, TemplateEntry<AnalysisTemplate>>();
const parsedClusterTemplates = new WeakMap<object, TemplateEntry<ClusterAnalysisTemplate>>();

function parseRun(raw: Raw): AnalysisRun | null {
  let parsed = parsedRuns.get(raw);
  if (parsed === undefined) {
    const result = analysisRunSchema.safeParse(raw);
    // A run that breaks the schema is not the Rollout's to judge; the AnalysisRun controller reports it.
    parsed = result.success ? result.data : null;
    parsedRuns.set(raw, parsed);
  }
  return parsed;
}

function entryOf<T>(
  result: { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } },
): TemplateEntry<T> {
  if (result.success) return { ok: true, template: result.data };
  const first = result.error.issues[0];
  const where = first === undefined ? '' : first.path.map(String).join('.');
  return { ok: false, message: first === undefined ? 'does not match the schema' : `${where === '' ? '' : `${where}: `}${first.message}` };
}

function memo<T>(cache: WeakMap<object, TemplateEntry<T>>, raw: Raw, parse: (raw: Raw) => TemplateEntry<T>): TemplateEntry<T> {
  let entry = cache.get(raw);
  if (entry === undefined) {
    entry = parse(raw);
    cache.set(raw, entry);
  }
  return entry;
}

export function observeAnalysis(input: {
  rollout: Rollout;
  analysisRuns: readonly Raw[];
  analysisTemplates: readonly Raw[];
  clusterAnalysisTemplates: readonly Raw[];
}): { analysisRuns: AnalysisRun[]; analysisTemplates: AnalysisTemplateCatalog } {
  const owned = controlledBy(input.rollout.metadata?.uid);
  const analysisRuns: AnalysisRun[] = [];
  for (const raw of input.analysisRuns) {
    if (!owned(raw)) continue;
    const run = parseRun(raw);
    if (run !== null) analysisRuns.push(run);
  }
  const namespaced: Record<string, TemplateEntry<AnalysisTemplate>> = {};
  for (const raw of input.analysisTemplates) {
    const name = raw.metadata?.name;
    if (name !== undefined) namespaced[name] = memo(parsedTemplates, raw, (object) => entryOf(analysisTemplateSchema.safeParse(object)));
  }
  const cluster: Record<string, TemplateEntry<ClusterAnalysisTemplate>> = {};
  for (const raw of input.clusterAnalysisTemplates) {
    const name = raw.metadata?.name;
    if (name !== undefined)
      cluster[name] = memo(parsedClusterTemplates, raw, (object) => entryOf(clusterAnalysisTemplateSchema.safeParse(object)));
  }
  return { analysisRuns, analysisTemplates: { namespaced, cluster } };
}

/** Whether a Rollout names analysis templates at all (only those are woken by template changes). */
export function usesAnalysis(rollout: Rollout): boolean {
  const strategy = rollout.spec.strategy;
  return (
    strategy?.canary?.analysis !== undefined ||
    (strategy?.canary?.steps ?? []).some((step) => step.analysis !== undefined) ||
    strategy?.blueGreen?.prePromotionAnalysis !== undefined ||
    strategy?.blueGreen?.postPromotionAnalysis !== undefined
  );
}
