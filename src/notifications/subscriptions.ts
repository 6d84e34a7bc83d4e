import type { GlobalSubscription, LabelRequirement, NotificationConfig } from './config.js';

/*
 * Who hears about a trigger: the ConfigMap's `subscriptions` whose selector matches the Rollout's
 * labels, merged with the Rollout's `notifications.argoproj.io/subscribe.<trigger>.<service>:
 * <recipient;recipient>` annotations (notifications-engine pkg/subscriptions/annotations.go). An
 * annotation without a trigger (`subscribe.<service>`) subscribes to the service's default triggers.
 */

export const ANNOTATION_PREFIX = 'notifications.argoproj.io';
export const SUBSCRIBE_PREFIX = `${ANNOTATION_PREFIX}/subscribe.`;
/** Where Gradual records what it has sent, under notifications-engine's name. */
export const NOTIFIED_ANNOTATION = `notified.${ANNOTATION_PREFIX}`;

export interface Destination {
  service: string;
  recipient: string;
}

export interface AnnotationSubscription {
  /** The annotation's key, for errors that point at it. */
  key: string;
  /** undefined for `subscribe.<service>` (the default triggers). */
  trigger: string | undefined;
  service: string;
  recipients: string[];
}

/** parseRecipients: `;`-separated, trimmed, empty ones dropped; an empty value is one empty recipient (a webhook needs none). */
export function parseRecipients(value: string): string[] {
  if (value === '') return [''];
  return value
    .split(';')
    .map((recipient) => recipient.trim())
    .filter((recipient) => recipient !== '');
}

/** The subscribe annotations of an object, in key order. */
export function annotationSubscriptions(annotations: Readonly<Record<string, string>> | undefined): AnnotationSubscription[] {
  const out: AnnotationSubscription[] = [];
  for (const key of Object.keys(annotations ?? {}).sort()) {
    if (!key.startsWith(SUBSCRIBE_PREFIX)) continue;
    const parts = key.slice(SUBSCRIBE_PREFIX.length).split('.');
    const [first = '', second] = parts;
    out.push({
      key,
      trigger: second === undefined ? undefined : first,
      service: second ?? first,
      recipients: parseRecipients(annotations?.[key] ?? ''),
    });
  }
  return out;
}

function selectorMatches(selector: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return selector.every((requirement) => {
    const has = Object.hasOwn(labels, requirement.key);
    switch (requirement.operator) {
      case '=':
        return has && labels[requirement.key] === requirement.value;
      case '!=':
        return !has || labels[requirement.key] !== requirement.value;
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

function globalDestinations(
  subscriptions: readonly GlobalSubscription[],
  defaultTriggers: readonly string[],
  labels: Readonly<Record<string, string>>,
): Map<string, Destination[]> {
  const out = new Map<string, Destination[]>();
  for (const subscription of subscriptions) {
    if (!selectorMatches(subscription.selector, labels)) continue;
    for (const trigger of subscription.triggers.length > 0 ? subscription.triggers : defaultTriggers) {
      out.set(trigger, [...(out.get(trigger) ?? []), ...subscription.recipients]);
    }
  }
  return out;
}

/** Destinations by trigger, de-duplicated (notifications-engine's Destinations.Merge). */
export function destinationsByTrigger(
  config: NotificationConfig,
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): Map<string, Destination[]> {
  const merged = globalDestinations(config.subscriptions, config.defaultTriggers, labels ?? {});
  for (const subscription of annotationSubscriptions(annotations)) {
    const triggers =
      subscription.trigger !== undefined
        ? [subscription.trigger]
        : (config.serviceDefaultTriggers.get(subscription.service) ?? config.defaultTriggers);
    for (const trigger of triggers) {
      const list = merged.get(trigger) ?? [];
      for (const recipient of subscription.recipients) list.push({ service: subscription.service, recipient });
      merged.set(trigger, list);
    }
  }
  for (const [trigger, list] of merged) {
    const seen = new Set<string>();
    merged.set(
      trigger,
      list.filter((destination) => {
        const key = `${destination.service}\u0000${destination.recipient}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }
  return merged;
}

/** Argo Rollouts' translateReasonToTrigger: an Event's reason names the trigger it fires (RolloutStepCompleted → on-rollout-step-completed). */
export function triggerForReason(reason: string): string {
  const first = reason.replace(/(.)([A-Z][a-z]+)/g, '$1-$2');
  return `on-${first.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}
