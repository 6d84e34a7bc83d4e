export { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
export {
  NOTIFICATION_CONFIGMAP,
  NOTIFICATION_SECRET,
  REFUSED_SERVICE_TYPES,
  SUPPORTED_SERVICE_TYPES,
  parseNotificationConfig,
  type NotificationConfig,
  type ParsedConfig,
} from './config.js';
export { createNotifier, type Notifier, type NotifierOptions, type NotifierSettings } from './notifier.js';
export { planNotifications, type NotificationPlan, type PlannedSend } from './plan-notifications.js';
export {
  ANNOTATION_PREFIX,
  NOTIFIED_ANNOTATION,
  SUBSCRIBE_PREFIX,
  annotationSubscriptions,
  destinationsByTrigger,
  triggerForReason,
} from './subscriptions.js';
export { LEDGER_MAX_BYTES, SENT_LEDGER_CONFIGMAP, ledgerSent, ledgerWithEntry } from './sent-ledger.js';
export { FIRING_TRIGGERS, namesInConfigMap, subscriptionIssues, type KnownNotifications } from './subscription-issues.js';
