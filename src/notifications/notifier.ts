import { ApiException } from '@kubernetes/client-node';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RestClient } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { outboundPolicy, type OutboundPolicy } from '../providers/outbound/outbound-request.js';
import { NOTIFICATION_CONFIGMAP, NOTIFICATION_SECRET, parseNotificationConfig, type ParsedConfig } from './config.js';
import { planNotifications, readNotified, recordNotified, type TransitionEvent } from './plan-notifications.js';
import { sendNotification } from './send-notification.js';
import { SENT_LEDGER_CONFIGMAP, ledgerSent, ledgerWithEntry, type LedgerRollout } from './sent-ledger.js';
import { NOTIFIED_ANNOTATION } from './subscriptions.js';

/*
 * The imperative shell of notifications. A reconcile hands it the Rollout it wrote and the Events
 * it recorded; the shell reads the ConfigMap and Secret, asks the pure planner what to send, and
 * sends in the background: the reconcile never waits for a service (each send has a timeout), and
 * a failing service is an Event and notification_send_error, not a retried reconcile. What went
 * out is recorded in the ledger ConfigMap (sent-ledger.ts) before it is sent and before the next batch for
 * the same Rollout is planned (batches for one Rollout run in order), so a transition is sent once, also
 * by a controller started after this one was killed.
 */

/** What the controller's caller chooses; the controller adds its clients, clock, registry and Event recorder. */
export interface NotifierSettings {
  /** The controller's namespace, where the ConfigMap and Secret live. */
  namespace: string;
  policy?: OutboundPolicy;
  /** Per send; Argo's webhook client retries within a few seconds, so a few seconds is what a service gets. */
  timeoutMs?: number;
}

export interface NotifierOptions extends NotifierSettings {
  rest: RestClient;
  logger: Logger;
  registry?: Registry;
  now?: () => number;
  /** Records an Event on the Rollout (the controller's recorder). */
  recordEvent(rollout: NotifiedRollout, event: TransitionEvent): void;
}

export interface NotifiedRollout {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?:
    | {
        name?: string | undefined;
        namespace?: string | undefined;
        uid?: string | undefined;
        labels?: Record<string, string> | undefined;
        annotations?: Record<string, string> | undefined;
      }
    | undefined;
}

export interface Notifier {
  /** Never throws and never waits for a service. */
  notify(rollout: NotifiedRollout, previousStatus: unknown, events: readonly TransitionEvent[]): void;
  /** Resolves when every batch handed over so far is done (tests, shutdown). */
  idle(): Promise<void>;
}

function decodeSecret(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

export function createNotifier(options: NotifierOptions): Notifier {
  const logger = options.logger.child({ component: 'notifications' });
  const policy = options.policy ?? outboundPolicy();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const registers = options.registry === undefined ? [] : [options.registry];
  const labelNames = ['namespace', 'name', 'type', 'reason'];
  const success = new Counter({ name: 'notification_send_success', help: 'Notification send success.', labelNames, registers });
  const failure = new Counter({ name: 'notification_send_error', help: 'Error sending the notification', labelNames, registers });
  const performance = new Histogram({
    name: 'notification_send_performance',
    help: 'Notification send performance.',
    labelNames: ['namespace', 'name'],
    buckets: [0.01, 0.15, 0.25, 0.5, 1],
    registers,
  });
  /** Per Rollout, the tail of its batches: one Rollout's batches run in order, so each sees the last one's record. */
  const tails = new Map<string, Promise<void>>();
  let lastConfigError = '';
  let forbiddenReported = false;

  async function readConfig(): Promise<ParsedConfig | undefined> {
    const base = `/api/v1/namespaces/${options.namespace}`;
    let configMap: { data?: Record<string, string> };
    try {
      configMap = await options.rest.request({ method: 'GET', path: `${base}/configmaps/${NOTIFICATION_CONFIGMAP}` });
    } catch (cause) {
      if (cause instanceof ApiException && cause.code === 404) return undefined;
      // Not allowed to read it (an install without the notifications Role rule): notifications are off, said once.
      if (cause instanceof ApiException && cause.code === 403) {
        if (!forbiddenReported)
          logger.warn(
            { status: 403, configMap: `${options.namespace}/${NOTIFICATION_CONFIGMAP}` },
            'cannot read the notification ConfigMap; notifications are off',
          );
        forbiddenReported = true;
        return undefined;
      }
      throw cause;
    }
    let secret: { data?: Record<string, string> } = {};
    try {
      secret = await options.rest.request({ method: 'GET', path: `${base}/secrets/${NOTIFICATION_SECRET}` });
    } catch (cause) {
      if (!(cause instanceof ApiException && cause.code === 404)) throw cause;
    }
    return parseNotificationConfig(configMap.data ?? {}, decodeSecret(secret.data));
  }

  /**
   * What this process recorded per Rollout: kept beside the ledger so a batch planned while the ledger write is in
   * flight sees it, and the only record where the ledger may not be written (an install without its Role rule).
   */
  const recorded = new Map<string, Record<string, number>>();
  let ledgerForbiddenReported = false;
  /** Ledger writes, one at a time in this process: each reads the ConfigMap it replaces. */
  let ledgerTail: Promise<void> = Promise.resolve();
  const ledgerPath = `/api/v1/namespaces/${options.namespace}/configmaps/${SENT_LEDGER_CONFIGMAP}`;

  function ledgerForbidden(cause: unknown): boolean {
    if (!(cause instanceof ApiException && cause.code === 403)) return false;
    if (!ledgerForbiddenReported)
      logger.warn(
        { status: 403, configMap: `${options.namespace}/${SENT_LEDGER_CONFIGMAP}` },
        'cannot read or write the notification ledger; a controller restart may repeat a notification',
      );
    ledgerForbiddenReported = true;
    return true;
  }

  async function readLedger(): Promise<{ data: Record<string, string>; resourceVersion: string } | undefined> {
    try {
      const configMap = await options.rest.request<{ data?: Record<string, string>; metadata?: { resourceVersion?: string } }>({
        method: 'GET',
        path: ledgerPath,
      });
      return { data: configMap.data ?? {}, resourceVersion: configMap.metadata?.resourceVersion ?? '' };
    } catch (cause) {
      if (cause instanceof ApiException && cause.code === 404) return undefined;
      if (ledgerForbidden(cause)) return undefined;
      throw cause;
    }
  }

  /** Replaces this Rollout's ledger entry; a conflict (another writer) is read again, a few times. */
  async function writeLedger(rollout: LedgerRollout, notified: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await readLedger();
      if (current === undefined && ledgerForbiddenReported) return;
      const data = ledgerWithEntry(current?.data, rollout, notified);
      try {
        await options.rest.request(
          current === undefined
            ? {
                method: 'POST',
                path: `/api/v1/namespaces/${options.namespace}/configmaps`,
                body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SENT_LEDGER_CONFIGMAP }, data },
              }
            : {
                method: 'PUT',
                path: ledgerPath,
                body: {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: SENT_LEDGER_CONFIGMAP, resourceVersion: current.resourceVersion },
                  data,
                },
              },
        );
        return;
      } catch (cause) {
        if (ledgerForbidden(cause)) return;
        if (!(cause instanceof ApiException && cause.code === 409)) throw cause;
      }
    }
    throw new Error(`${options.namespace}/${SENT_LEDGER_CONFIGMAP}: five conflicting writes in a row`);
  }

  async function batch(rollout: NotifiedRollout, previousStatus: unknown, events: readonly TransitionEvent[]): Promise<void> {
    const namespace = rollout.metadata?.namespace ?? 'default';
    const name = rollout.metadata?.name ?? '';
    const ledgerRollout = { namespace, name, uid: rollout.metadata?.uid ?? '' };
    const log = logger.child({ rollout: name, namespace });
    const parsed = await readConfig();
    if (parsed === undefined) return;
    if (!parsed.ok) {
      const message = parsed.errors.join('; ');
      if (message !== lastConfigError)
        log.error({ errors: parsed.errors }, 'the notification configuration is invalid; nothing is sent until it is fixed');
      lastConfigError = message;
      for (const event of events) failure.inc({ namespace, name, type: event.type, reason: event.reason });
      return;
    }
    lastConfigError = '';
    // The annotation as notifications-engine writes it (an object it managed before), the ledger, and this process's own record.
    const notified = {
      ...readNotified(rollout.metadata?.annotations?.[NOTIFIED_ANNOTATION]),
      ...ledgerSent((await readLedger())?.data, ledgerRollout),
      ...recorded.get(`${namespace}/${name}`),
    };
    const plan = planNotifications({ config: parsed.config, rollout, previousStatus, events, notified, nowMillis: now() });
    for (const problem of plan.problems) {
      log.warn({ trigger: problem.trigger, reason: problem.event.reason, problem: problem.message }, 'notification trigger failed');
      failure.inc({ namespace, name, type: problem.event.type, reason: problem.event.reason });
    }
    if (plan.sends.length === 0) return;
    // Recorded before sending: a crash mid-send loses a message rather than repeating it on restart, and a
    // reconcile planned meanwhile sees the record. (notifications-engine records after; Argo Rollouts not at all.)
    const patched = recordNotified(
      notified,
      plan.sends.map((send) => send.key),
      Math.floor(now() / 1000),
    );
    recorded.set(`${namespace}/${name}`, readNotified(patched));
    const written = ledgerTail.then(() => writeLedger(ledgerRollout, patched));
    ledgerTail = written.catch(() => undefined);
    try {
      await written;
    } catch (cause) {
      // Sent anyway, recorded in this process: an abort nobody hears of is worse than a repeat after a crash.
      log.warn({ err: cause }, 'could not record the notifications in the ledger; a controller restart may repeat them');
    }
    await Promise.all(
      plan.sends.map(async (send) => {
        const service = parsed.config.services.get(send.destination.service);
        const labels = { namespace, name, type: send.event.type, reason: send.event.reason };
        const where = `${send.trigger} to ${send.destination.service}${send.destination.recipient === '' ? '' : `:${send.destination.recipient}`}`;
        if (service === undefined) {
          failure.inc(labels);
          options.recordEvent(rollout, {
            type: 'Warning',
            reason: 'NotificationFailed',
            message: `Notification ${where} failed: the service ${JSON.stringify(send.destination.service)} is not configured in ${NOTIFICATION_CONFIGMAP}`,
          });
          return;
        }
        const started = now();
        const result = await sendNotification(service, send.destination, send.notification, { policy, timeoutMs });
        performance.observe({ namespace, name }, (now() - started) / 1000);
        if (result.ok) {
          success.inc(labels);
          options.recordEvent(rollout, { type: 'Normal', reason: 'NotificationSent', message: `Notification ${where} sent` });
          log.info({ trigger: send.trigger, service: send.destination.service }, 'notification sent');
        } else {
          failure.inc(labels);
          options.recordEvent(rollout, {
            type: 'Warning',
            reason: 'NotificationFailed',
            message: `Notification ${where} failed: ${result.message}`,
          });
          log.warn({ trigger: send.trigger, service: send.destination.service, problem: result.message }, 'notification failed');
        }
      }),
    );
  }

  return {
    notify(rollout, previousStatus, events) {
      if (events.length === 0) return;
      const key = `${rollout.metadata?.namespace ?? 'default'}/${rollout.metadata?.name ?? ''}`;
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous
        .then(() => batch(rollout, previousStatus, events))
        .catch((cause: unknown) => {
          logger.warn({ err: cause, rollout: key }, 'notifications for this reconcile failed');
        });
      tails.set(key, next);
      void next.then(() => {
        if (tails.get(key) === next) tails.delete(key);
      });
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}
