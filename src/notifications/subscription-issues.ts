import { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
import { SUBSCRIBE_PREFIX, annotationSubscriptions, triggerForReason } from './subscriptions.js';

/*
 * What `gradual lint` and the bot's plan say about a Rollout's subscribe annotations. In Argo Rollouts a trigger
 * fires only when the controller records an Event whose reason names it (utils/record/record.go), so a trigger no
 * Event reason names never fires: such an annotation is a mistake (a typo of on-rollout-aborted, say), reported at
 * its line. A service is checked when the notification ConfigMap is among the files read (its `service.*` keys);
 * otherwise it lives in the cluster and cannot be judged here. Pure.
 */

/** The Event reasons Argo Rollouts records (utils/conditions/conditions.go, and its AnalysisRun phases). */
const ARGO_EVENT_REASONS = [
  'AnalysisRunError',
  'AnalysisRunFailed',
  'AnalysisRunInconclusive',
  'AnalysisRunRunning',
  'AnalysisRunSuccessful',
  'ExperimentFailed',
  'InvalidSpec',
  'NewReplicaSetCreated',
  'ProgressDeadlineExceeded',
  'ReplicaSetCreateError',
  'RolloutAborted',
  'RolloutAddedToInformer',
  'RolloutCompleted',
  'RolloutDeleted',
  'RolloutHealthy',
  'RolloutNotCompleted',
  'RolloutPaused',
  'RolloutResumed',
  'RolloutRetry',
  'RolloutStepCompleted',
  'RolloutUpdated',
  'ScalingReplicaSet',
  'TrafficWeightUpdated',
] as const;

/** Triggers that can fire: Argo's catalogue, and every trigger an Event reason names. */
export const FIRING_TRIGGERS: ReadonlySet<string> = new Set([
  ...Object.keys(BUILTIN_CATALOGUE)
    .filter((key) => key.startsWith('trigger.'))
    .map((key) => key.slice('trigger.'.length)),
  ...ARGO_EVENT_REASONS.map(triggerForReason),
]);

export interface SubscriptionIssue {
  path: string[];
  message: string;
}

export interface KnownNotifications {
  /** Triggers the ConfigMap among the files defines, beside FIRING_TRIGGERS. */
  triggers?: ReadonlySet<string> | undefined;
  /** Services the ConfigMap among the files defines; undefined when no ConfigMap was read. */
  services?: ReadonlySet<string> | undefined;
}

/** The trigger and service names a notification ConfigMap's data defines (`trigger.<name>`, `service.<type>[.<name>]`). */
export function namesInConfigMap(data: Readonly<Record<string, unknown>>): { triggers: Set<string>; services: Set<string> } {
  const triggers = new Set<string>();
  const services = new Set<string>();
  for (const key of Object.keys(data)) {
    if (key.startsWith('trigger.')) triggers.add(key.slice('trigger.'.length));
    const service = /^service\.([^.]+)(?:\.([^.]+))?$/.exec(key);
    if (service !== null) services.add(service[2] ?? service[1] ?? '');
  }
  return { triggers, services };
}

function closest(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of names) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Problems with a Rollout's `notifications.argoproj.io/subscribe.*` annotations, each at the annotation's path. */
export function subscriptionIssues(annotations: unknown, known: KnownNotifications = {}): SubscriptionIssue[] {
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return [];
  const strings = Object.fromEntries(
    Object.entries(annotations).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const triggers = new Set([...FIRING_TRIGGERS, ...(known.triggers ?? [])]);
  const issues: SubscriptionIssue[] = [];
  for (const subscription of annotationSubscriptions(strings)) {
    const path = ['metadata', 'annotations', subscription.key];
    const parts = subscription.key.slice(SUBSCRIBE_PREFIX.length).split('.');
    if (parts.length > 2 || parts.some((part) => part === '')) {
      issues.push({ path, message: `expected ${SUBSCRIBE_PREFIX}<trigger>.<service> or ${SUBSCRIBE_PREFIX}<service>` });
      continue;
    }
    if (subscription.trigger !== undefined && !triggers.has(subscription.trigger)) {
      const hint = closest(subscription.trigger, triggers);
      issues.push({
        path,
        message: `unknown notification trigger "${subscription.trigger}": no Event fires it${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
      });
    }
    if (known.services !== undefined && !known.services.has(subscription.service)) {
      const hint = closest(subscription.service, known.services);
      issues.push({
        path,
        message: `unknown notification service "${subscription.service}": argo-rollouts-notification-configmap configures ${
          known.services.size === 0 ? 'none' : [...known.services].sort().join(', ')
        }${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
      });
    }
  }
  return issues;
}
