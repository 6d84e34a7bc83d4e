import { createHash } from 'node:crypto';
import type { CompiledTemplate, FieldSection, NotificationConfig } from './config.js';
import { formatOncePer, triggerTime } from './trigger-expr.js';
import type { GoValue } from './go-values.js';
import { templateVars } from './template-vars.js';
import { destinationsByTrigger, triggerForReason, type Destination } from './subscriptions.js';

/*
 * What a reconcile's Events send. Argo Rollouts sends notifications from its event recorder: each
 * Event with a reason fires the trigger the reason names, for the destinations subscribed to it;
 * a condition with a `when` sends when it is true, one without always (record.go's
 * sendNotifications). The planner is pure: it renders every notification now, from the Rollout as
 * the reconcile read it (Argo records Events against that object), and names each with a key recorded in the notified annotation, so the
 * same transition replayed (a reconcile retried, a controller restarted before the status write
 * settled) does not send twice. The key is notifications-engine's (trigger, condition, service,
 * recipient), prefixed with the oncePer value when the condition has one, else with the
 * transition: the Event and the status it was planned from.
 */

export interface TransitionEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RenderedNotification {
  message: string | undefined;
  slack:
    { attachments: string | undefined; blocks: string | undefined; username: string | undefined; icon: string | undefined } | undefined;
  webhook: Record<string, { method: string | undefined; path: string | undefined; body: string }>;
  /** teams, email and pagerdutyv2: each field rendered. */
  sections: Partial<Record<FieldSection, Record<string, string>>>;
  github?: RenderedGithub | undefined;
}

/** GitHubNotification after its templater ran: the repository URL and revision, and what to write there. */
export interface RenderedGithub {
  repoURL: string;
  revision: string;
  status: { state: string; label: string; targetURL: string } | undefined;
  /** content already ends with the comment tag's marker when a tag is set, as the templater appends it. */
  pullRequestComment: { content: string; commentTag: string } | undefined;
}

/** notifications-engine's commentTagFormat. */
export function githubCommentMarker(tag: string): string {
  return `<!-- argocd-notifications ${tag} -->`;
}

export interface PlannedSend {
  trigger: string;
  destination: Destination;
  templates: string[];
  notification: RenderedNotification;
  /** The notified annotation's key for this send. */
  key: string;
  event: TransitionEvent;
}

export interface NotificationPlan {
  sends: PlannedSend[];
  /** Triggers that could not run (an expression or template failing on this Rollout), each with its place. */
  problems: { trigger: string; event: TransitionEvent; message: string }[];
}

export interface NotificationInput {
  config: NotificationConfig;
  /** The Rollout as JSON, as the reconcile read it. */
  rollout: {
    metadata?:
      | { name?: string | undefined; labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined }
      | undefined;
  };
  /** The status the reconcile started from (part of each transition's identity). */
  previousStatus: unknown;
  events: readonly TransitionEvent[];
  /** The notified annotation as read (key → unix seconds). */
  notified: Readonly<Record<string, number>>;
  /** The clock's reading (ms) for templates' `call .time.Now`; without it such a template fails to render. */
  nowMillis?: number | undefined;
}

/** notifications-engine's condition hash: sha1 of the `when`, base64url without padding. */
export function conditionHash(when: string): string {
  return createHash('sha1').update(when).digest('base64url');
}

function transitionId(previousStatus: unknown, event: TransitionEvent): string {
  return createHash('sha256')
    .update(JSON.stringify([previousStatus ?? null, event.reason, event.message]))
    .digest('base64url')
    .slice(0, 16);
}

/** Renders the templates in order, later ones overriding earlier fields, as FormatNotification merges them. */
export function renderNotification(templates: readonly CompiledTemplate[], vars: GoValue): RenderedNotification {
  const out: RenderedNotification = { message: undefined, slack: undefined, webhook: {}, sections: {}, github: undefined };
  for (const template of templates) {
    if (template.message !== undefined) out.message = template.message.execute(vars);
    if (template.slack !== undefined) {
      out.slack = {
        attachments: template.slack.attachments?.execute(vars) ?? out.slack?.attachments,
        blocks: template.slack.blocks?.execute(vars) ?? out.slack?.blocks,
        username: template.slack.username?.execute(vars) ?? out.slack?.username,
        icon: template.slack.icon?.execute(vars) ?? out.slack?.icon,
      };
    }
    for (const [section, fields] of Object.entries(template.sections) as [
      FieldSection,
      Record<string, { execute(vars: GoValue): string }>,
    ][]) {
      const rendered = (out.sections[section] ??= {});
      for (const [field, fieldTemplate] of Object.entries(fields)) {
        const value = fieldTemplate.execute(vars);
        // Teams' and email's templaters keep an earlier template's field when this one renders empty; PagerDuty's sets it always.
        if (value !== '' || section === 'pagerdutyv2') rendered[field] = value;
      }
    }
    if (template.github !== undefined) {
      // GitHubNotification's templater: each template with a github section renders its repo URL and revision; status and
      // comment only when it has them, replacing an earlier template's.
      const github = template.github;
      const previous = out.github;
      let pullRequestComment = previous?.pullRequestComment;
      if (github.pullRequestComment !== undefined) {
        const content = github.pullRequestComment.content.execute(vars);
        const tag = github.pullRequestComment.commentTag;
        pullRequestComment = { content: tag === '' ? content : `${content}\n${githubCommentMarker(tag)}`, commentTag: tag };
      }
      out.github = {
        repoURL: github.repoURLPath.execute(vars),
        revision: github.revisionPath.execute(vars),
        status:
          github.status === undefined
            ? previous?.status
            : {
                state: github.status.state.execute(vars),
                label: github.status.label.execute(vars),
                targetURL: github.status.targetURL.execute(vars),
              },
        pullRequestComment,
      };
    }
    for (const [service, webhook] of Object.entries(template.webhook)) {
      out.webhook[service] = { method: webhook.method, path: webhook.path?.execute(vars), body: webhook.body?.execute(vars) ?? '' };
    }
  }
  return out;
}

export function planNotifications(input: NotificationInput): NotificationPlan {
  const { config, rollout } = input;
  const sends: PlannedSend[] = [];
  const problems: NotificationPlan['problems'] = [];
  const byTrigger = destinationsByTrigger(config, rollout.metadata?.labels, rollout.metadata?.annotations);
  // The variables conditions see: the Rollout as JSON and record.go's time functions. Templates see templateVars' (per destination).
  const exprVars: Record<string, unknown> = { rollout, time: triggerTime(input.nowMillis) };
  const planned = new Set<string>();
  for (const event of input.events) {
    if (event.reason === '') continue;
    const trigger = triggerForReason(event.reason);
    const destinations = byTrigger.get(trigger) ?? [];
    if (destinations.length === 0) continue;
    const conditions = config.triggers.get(trigger);
    // Argo skips a lifecycle Event with no trigger configured quietly ("is not configured" at debug).
    if (conditions === undefined) continue;
    for (const condition of conditions) {
      let oncePer: string | undefined;
      try {
        if (condition.when !== undefined && condition.when.evaluate(exprVars) !== true) continue;
        if (condition.oncePer !== undefined) oncePer = formatOncePer(condition.oncePer.evaluate(exprVars));
      } catch (cause) {
        problems.push({
          trigger,
          event,
          message: `trigger.${trigger}[${String(condition.index)}]: ${cause instanceof Error ? cause.message : String(cause)}`,
        });
        continue;
      }
      const templates = condition.send
        .map((name) => config.templates.get(name))
        .filter((template): template is CompiledTemplate => template !== undefined);
      const conditionKey = `[${String(condition.index)}].${conditionHash(condition.when?.source ?? '')}`;
      for (const destination of destinations) {
        const base = `${trigger}:${conditionKey}:${destination.service}:${destination.recipient}`;
        const key = `${oncePer ?? transitionId(input.previousStatus, event)}:${base}`;
        if (Object.hasOwn(input.notified, key) || planned.has(key)) continue;
        // Rendered per destination, as notifications-engine's api.Send does: templates see serviceType and recipient.
        let notification: RenderedNotification;
        try {
          notification = renderNotification(templates, templateVars(rollout, destination, input.nowMillis));
        } catch (cause) {
          problems.push({ trigger, event, message: cause instanceof Error ? cause.message : String(cause) });
          continue;
        }
        planned.add(key);
        sends.push({ trigger, destination, templates: condition.send, notification, key, event });
      }
    }
  }
  return { sends, problems };
}

/** The most entries the notified annotation keeps (newest first): an annotation is capped at 256 KiB with the others. */
export const NOTIFIED_CAP = 200;

/** Parses the notified annotation; anything unreadable starts afresh (it only suppresses repeats). */
export function readNotified(value: string | undefined): Record<string, number> {
  if (value === undefined || value === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return {};
  }
}

/** The notified annotation after recording `keys` at `nowSeconds`, oldest entries dropped past the cap. */
export function recordNotified(previous: Readonly<Record<string, number>>, keys: readonly string[], nowSeconds: number): string {
  const merged: Record<string, number> = { ...previous };
  for (const key of keys) merged[key] = nowSeconds;
  const kept = Object.entries(merged)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, NOTIFIED_CAP);
  return JSON.stringify(Object.fromEntries(kept.sort((a, b) => a[0].localeCompare(b[0]))));
}
