import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { compileExpr, type CompiledExpr } from './trigger-expr.js';
import { parseGoTemplate, type GoTemplate } from './go-template.js';

/*
 * argo-rollouts-notification-configmap and argo-rollouts-notification-secret, read as
 * notifications-engine's ParseConfig reads them (pkg/api/config.go): `trigger.<name>` (a YAML list
 * of conditions), `template.<name>` (a YAML notification), `service.<type>[.<name>]` (the
 * service's options, `$key` replaced from the Secret), `subscriptions`, `defaultTriggers` and
 * `defaultTriggers.<service>`. Every expression and template is compiled here, so a condition or
 * template the renderer cannot reproduce exactly is refused when the ConfigMap is read, naming its
 * key, and a bad ConfigMap sends nothing rather than part of what it configures.
 */

export const NOTIFICATION_CONFIGMAP = 'argo-rollouts-notification-configmap';
export const NOTIFICATION_SECRET = 'argo-rollouts-notification-secret';

/** The service types Gradual sends to. */
export const SUPPORTED_SERVICE_TYPES = ['webhook', 'slack', 'teams', 'email', 'pagerdutyv2', 'github'] as const;
/** notifications-engine's other service types: refused by name until Gradual sends to them. */
export const REFUSED_SERVICE_TYPES = [
  'alertmanager',
  'awssqs',
  'gcppubsub',
  'googlechat',
  'grafana',
  'mattermost',
  'nats',
  'newrelic',
  'opsgenie',
  'pagerduty',
  'pushover',
  'rocketchat',
  'teams-workflows',
  'telegram',
  'webex',
] as const;

export type ServiceType = (typeof SUPPORTED_SERVICE_TYPES)[number];

const conditionSchema = z
  .object({
    when: z.string().optional(),
    send: z.array(z.string().min(1)).min(1, 'send names no template'),
    oncePer: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();

const triggerSchema = z.array(conditionSchema).min(1, 'a trigger needs at least one condition');

const webhookTemplateSchema = z
  .object({ method: z.string().optional(), path: z.string().optional(), body: z.string().optional() })
  .strict();

/** notifications-engine's GitHubNotification (pkg/services/github.go): `deployment` and `checkRun` are refused by name below. */
const githubTemplateSchema = z
  .object({
    repoURLPath: z.string().optional(),
    revisionPath: z.string().optional(),
    status: z.object({ state: z.string().optional(), label: z.string().optional(), targetURL: z.string().optional() }).strict().optional(),
    pullRequestComment: z.object({ content: z.string().optional(), commentTag: z.string().optional() }).strict().optional(),
    deployment: z.unknown().optional(),
    checkRun: z.unknown().optional(),
  })
  .strict();

const templateSchema = z
  .object({
    message: z.string().optional(),
    github: githubTemplateSchema.optional(),
    slack: z
      .object({
        attachments: z.string().optional(),
        blocks: z.string().optional(),
        username: z.string().optional(),
        icon: z.string().optional(),
        groupingKey: z.string().optional(),
        notifyBroadcast: z.boolean().optional(),
        deliveryPolicy: z.string().optional(),
      })
      .strict()
      .optional(),
    webhook: z.record(z.string(), webhookTemplateSchema).optional(),
    // notifications-engine's TeamsNotification, EmailNotification and PagerDutyV2Notification: every field a template.
    teams: z
      .object({
        template: z.string().optional(),
        title: z.string().optional(),
        summary: z.string().optional(),
        text: z.string().optional(),
        themeColor: z.string().optional(),
        facts: z.string().optional(),
        sections: z.string().optional(),
        potentialAction: z.string().optional(),
      })
      .strict()
      .optional(),
    email: z.object({ subject: z.string().optional(), body: z.string().optional() }).strict().optional(),
    pagerdutyv2: z
      .object({
        summary: z.string().optional(),
        severity: z.string().optional(),
        source: z.string().optional(),
        component: z.string().optional(),
        group: z.string().optional(),
        class: z.string().optional(),
        url: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  // Other services' fields (opsgenie, telegram…) are Argo's too: kept, unused.
  .loose();

const headerSchema = z.object({ name: z.string().min(1), value: z.string() }).strict();

const webhookServiceSchema = z
  .object({
    url: z.url(),
    headers: z.array(headerSchema).optional(),
    basicAuth: z.object({ username: z.string(), password: z.string() }).strict().optional(),
    insecureSkipVerify: z.boolean().optional(),
    // notifications-engine's retry and transport knobs; Gradual sends once per attempt window (see send-notifications).
    retryMax: z.number().int().min(0).max(10).optional(),
    retryWaitMin: z.string().optional(),
    retryWaitMax: z.string().optional(),
  })
  .strict();

const slackServiceSchema = z
  .object({
    token: z.string().min(1, 'token is empty'),
    apiURL: z.url().optional(),
    username: z.string().optional(),
    icon: z.string().optional(),
    signingSecret: z.string().optional(),
    channels: z.array(z.string()).optional(),
    disableUnfurl: z.boolean().optional(),
    insecureSkipVerify: z.boolean().optional(),
  })
  .strict();

/** notifications-engine's TeamsOptions: a webhook URL per recipient (each URL is a credential). */
const teamsServiceSchema = z.object({ recipientUrls: z.record(z.string(), z.url()) }).strict();

/** notifications-engine's EmailOptions (gomodules.xyz/notify/smtp): implicit TLS on 465, STARTTLS when offered. */
const emailServiceSchema = z
  .object({
    host: z.string().min(1, 'host is empty'),
    port: z.number().int().min(1).max(65535),
    from: z.string().min(1, 'from is empty'),
    username: z.string().optional(),
    password: z.string().optional(),
    insecure_skip_verify: z.boolean().optional(),
    html: z.boolean().optional(),
  })
  .strict();

/**
 * notifications-engine's GitHubOptions: the app's id and installation id (numbers or strings of digits, as cast.ToInt64E
 * takes them), its private key (PEM, from the Secret) and, for GitHub Enterprise Server, the API's base URL.
 */
const githubServiceSchema = z
  .object({
    appID: z.union([z.number().int().positive(), z.string().regex(/^\d+$/u, 'appID is not a number')]),
    installationID: z.union([z.number().int().positive(), z.string().regex(/^\d+$/u, 'installationID is not a number')]),
    privateKey: z.string().min(1, 'privateKey is empty'),
    enterpriseBaseURL: z.url().optional(),
  })
  .strict();

/** Where PagerDuty's Events API v2 takes events (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty). */
export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** notifications-engine's PagerdutyV2Options: a routing key per recipient; `apiURL` is Gradual's (go-pagerduty's endpoint is fixed). */
const pagerdutyV2ServiceSchema = z.object({ serviceKeys: z.record(z.string(), z.string().min(1)), apiURL: z.url().optional() }).strict();

const subscriptionSchema = z
  .object({
    recipients: z.array(z.string().min(1)),
    triggers: z.array(z.string().min(1)).optional(),
    selector: z.string().optional(),
  })
  .strict();

export type WebhookServiceOptions = z.infer<typeof webhookServiceSchema>;
export type SlackServiceOptions = z.infer<typeof slackServiceSchema>;

export type TeamsServiceOptions = z.infer<typeof teamsServiceSchema>;
export type EmailServiceOptions = z.infer<typeof emailServiceSchema>;
export type PagerDutyV2ServiceOptions = z.infer<typeof pagerdutyV2ServiceSchema>;
export type GithubServiceOptions = z.infer<typeof githubServiceSchema>;

export type ServiceConfig =
  | { type: 'webhook'; name: string; options: WebhookServiceOptions }
  | { type: 'slack'; name: string; options: SlackServiceOptions }
  | { type: 'teams'; name: string; options: TeamsServiceOptions }
  | { type: 'email'; name: string; options: EmailServiceOptions }
  | { type: 'pagerdutyv2'; name: string; options: PagerDutyV2ServiceOptions }
  | { type: 'github'; name: string; options: GithubServiceOptions };

/** The template sections rendered field by field (teams, email, pagerdutyv2). */
export const FIELD_SECTIONS = ['teams', 'email', 'pagerdutyv2'] as const;
export type FieldSection = (typeof FIELD_SECTIONS)[number];

const serviceSchemas = {
  webhook: webhookServiceSchema,
  slack: slackServiceSchema,
  teams: teamsServiceSchema,
  email: emailServiceSchema,
  pagerdutyv2: pagerdutyV2ServiceSchema,
  github: githubServiceSchema,
} as const;

export interface TriggerCondition {
  /** notifications-engine's condition key: `[i].<sha1 of when, base64url>`. */
  index: number;
  when: CompiledExpr | undefined;
  send: string[];
  oncePer: CompiledExpr | undefined;
}

export interface CompiledTemplate {
  name: string;
  message: GoTemplate | undefined;
  slack:
    | {
        attachments: GoTemplate | undefined;
        blocks: GoTemplate | undefined;
        username: GoTemplate | undefined;
        icon: GoTemplate | undefined;
      }
    | undefined;
  webhook: Record<string, { method: string | undefined; path: GoTemplate | undefined; body: GoTemplate | undefined }>;
  /** Per section, its fields' templates, in the order notifications-engine renders them. */
  sections: Partial<Record<FieldSection, Record<string, GoTemplate>>>;
  github: CompiledGithubTemplate | undefined;
}

/** Where GitHubNotification.GetTemplater looks when a template does not say: Argo CD's Application fields (Argo Rollouts documents the same). */
export const DEFAULT_GITHUB_REPO_URL_PATH = '{{.app.spec.source.repoURL}}';
export const DEFAULT_GITHUB_REVISION_PATH = '{{.app.status.operationState.syncResult.revision}}';

export interface CompiledGithubTemplate {
  repoURLPath: GoTemplate;
  revisionPath: GoTemplate;
  status: { state: GoTemplate; label: GoTemplate; targetURL: GoTemplate } | undefined;
  /** commentTag is used as written (notifications-engine does not template it). */
  pullRequestComment: { content: GoTemplate; commentTag: string } | undefined;
}

export interface LabelRequirement {
  key: string;
  operator: '=' | '!=' | 'exists' | '!exists';
  value: string;
}

export interface GlobalSubscription {
  recipients: { service: string; recipient: string }[];
  triggers: string[];
  selector: LabelRequirement[];
}

export interface NotificationConfig {
  triggers: Map<string, TriggerCondition[]>;
  templates: Map<string, CompiledTemplate>;
  services: Map<string, ServiceConfig>;
  subscriptions: GlobalSubscription[];
  defaultTriggers: string[];
  serviceDefaultTriggers: Map<string, string[]>;
}

export type ParsedConfig = { ok: true; config: NotificationConfig } | { ok: false; errors: string[] };

function zodMessage(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

function parseYamlValue(key: string, text: string, errors: string[]): unknown {
  try {
    return parseYaml(text, { prettyErrors: false });
  } catch (cause) {
    errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: not YAML: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
    return undefined;
  }
}

const SECRET_REFERENCE = /[$][\w-]+/g;

/** notifications-engine's replaceStringSecret over every string of the service's YAML; a reference to a missing key is refused. */
function replaceSecrets(value: unknown, secret: Readonly<Record<string, string>>, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(SECRET_REFERENCE, (reference) => {
      const key = reference.slice(1);
      if (!Object.hasOwn(secret, key)) {
        missing.add(key);
        return reference;
      }
      return secret[key] ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => replaceSecrets(item, secret, missing));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecrets(v, secret, missing)]));
  return value;
}

/** An equality-based label selector (`a=b,c!=d,e,!f`); set-based ones are refused by name. */
function parseSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const trimmed = part.trim();
    if (/\s(in|notin)\s*\(/.test(trimmed)) throw new Error(`set-based selector ${JSON.stringify(trimmed)} is not supported`);
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(trimmed);
    if (match !== null) return { key: match[1] ?? '', operator: match[2] === '!=' ? '!=' : '=', value: match[3] ?? '' };
    if (/^![^=!\s]+$/.test(trimmed)) return { key: trimmed.slice(1), operator: '!exists', value: '' };
    if (/^[^=!\s]+$/.test(trimmed)) return { key: trimmed, operator: 'exists', value: '' };
    throw new Error(`cannot parse selector ${JSON.stringify(trimmed)}`);
  });
}

function compileTemplateField(templateName: string, field: string, source: string | undefined, errors: string[]): GoTemplate | undefined {
  if (source === undefined) return undefined;
  try {
    return parseGoTemplate(`${templateName}.${field}`, source);
  } catch (cause) {
    errors.push(
      `${NOTIFICATION_CONFIGMAP} key template.${templateName}: ${field}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    return undefined;
  }
}

/** Every field a template (an empty one renders empty), the paths defaulted as GetTemplater defaults them. */
function compileGithubTemplate(
  templateName: string,
  github: z.infer<typeof githubTemplateSchema>,
  errors: string[],
): CompiledGithubTemplate | undefined {
  const field = (path: string, source: string | undefined): GoTemplate | undefined =>
    compileTemplateField(templateName, `github.${path}`, source ?? '', errors);
  const repoURLPath = field(
    'repoURLPath',
    github.repoURLPath === undefined || github.repoURLPath === '' ? DEFAULT_GITHUB_REPO_URL_PATH : github.repoURLPath,
  );
  const revisionPath = field(
    'revisionPath',
    github.revisionPath === undefined || github.revisionPath === '' ? DEFAULT_GITHUB_REVISION_PATH : github.revisionPath,
  );
  const state = github.status === undefined ? undefined : field('status.state', github.status.state);
  const label = github.status === undefined ? undefined : field('status.label', github.status.label);
  const targetURL = github.status === undefined ? undefined : field('status.targetURL', github.status.targetURL);
  const content =
    github.pullRequestComment === undefined ? undefined : field('pullRequestComment.content', github.pullRequestComment.content);
  if (repoURLPath === undefined || revisionPath === undefined) return undefined;
  return {
    repoURLPath,
    revisionPath,
    status: state === undefined || label === undefined || targetURL === undefined ? undefined : { state, label, targetURL },
    pullRequestComment: content === undefined ? undefined : { content, commentTag: github.pullRequestComment?.commentTag ?? '' },
  };
}

function compileExpression(key: string, field: string, source: string | undefined, errors: string[]): CompiledExpr | undefined {
  if (source === undefined || source.trim() === '') return undefined;
  try {
    return compileExpr(source);
  } catch (cause) {
    errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${field}: ${cause instanceof Error ? cause.message : String(cause)}`);
    return undefined;
  }
}

/**
 * Reads the ConfigMap's and Secret's data (the Secret's values already decoded from base64).
 * Returns every problem at once, each naming its key; the values of the Secret never appear in them.
 */
export function parseNotificationConfig(
  configMapData: Readonly<Record<string, string>>,
  secretData: Readonly<Record<string, string>>,
): ParsedConfig {
  const errors: string[] = [];
  const config: NotificationConfig = {
    triggers: new Map(),
    templates: new Map(),
    services: new Map(),
    subscriptions: [],
    defaultTriggers: [],
    serviceDefaultTriggers: new Map(),
  };
  for (const key of Object.keys(configMapData).sort()) {
    const text = configMapData[key] ?? '';
    if (key.startsWith('trigger.')) {
      const name = key.slice('trigger.'.length);
      const parsed = triggerSchema.safeParse(parseYamlValue(key, text, errors));
      if (!parsed.success) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${zodMessage(parsed.error)}`);
        continue;
      }
      config.triggers.set(
        name,
        parsed.data.map((condition, index) => ({
          index,
          when: compileExpression(key, `[${String(index)}].when`, condition.when, errors),
          send: condition.send,
          oncePer: compileExpression(key, `[${String(index)}].oncePer`, condition.oncePer, errors),
        })),
      );
    } else if (key.startsWith('template.')) {
      const name = key.slice('template.'.length);
      const parsed = templateSchema.safeParse(parseYamlValue(key, text, errors));
      if (!parsed.success) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${zodMessage(parsed.error)}`);
        continue;
      }
      const { message, slack, webhook, github } = parsed.data;
      for (const refused of ['deployment', 'checkRun'] as const) {
        if (github?.[refused] !== undefined)
          errors.push(
            `${NOTIFICATION_CONFIGMAP} key ${key}: github.${refused} is not supported by Gradual yet (github.status and github.pullRequestComment are)`,
          );
      }
      const sections: CompiledTemplate['sections'] = {};
      for (const section of FIELD_SECTIONS) {
        const fields: Record<string, string | undefined> | undefined = parsed.data[section];
        if (fields === undefined) continue;
        const compiled: Record<string, GoTemplate> = {};
        for (const [field, source] of Object.entries(fields)) {
          const template = compileTemplateField(name, `${section}.${field}`, source, errors);
          if (template !== undefined) compiled[field] = template;
        }
        sections[section] = compiled;
      }
      config.templates.set(name, {
        name,
        message: compileTemplateField(name, 'message', message, errors),
        slack:
          slack === undefined
            ? undefined
            : {
                attachments: compileTemplateField(name, 'slack.attachments', slack.attachments, errors),
                blocks: compileTemplateField(name, 'slack.blocks', slack.blocks, errors),
                // notifications-engine's SlackNotification templates username and icon too.
                username: compileTemplateField(name, 'slack.username', slack.username, errors),
                icon: compileTemplateField(name, 'slack.icon', slack.icon, errors),
              },
        webhook: Object.fromEntries(
          Object.entries(webhook ?? {}).map(([service, fields]) => [
            service,
            {
              method: fields.method,
              path: compileTemplateField(name, `webhook.${service}.path`, fields.path, errors),
              body: compileTemplateField(name, `webhook.${service}.body`, fields.body, errors),
            },
          ]),
        ),
        sections,
        github: github === undefined ? undefined : compileGithubTemplate(name, github, errors),
      });
    } else if (key.startsWith('service.')) {
      const parts = key.split('.');
      if (parts.length !== 2 && parts.length !== 3) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: invalid service key; expected 'service.<type>(.<name>)'`);
        continue;
      }
      const type = parts[1] ?? '';
      const name = parts[2] ?? type;
      if ((REFUSED_SERVICE_TYPES as readonly string[]).includes(type)) {
        errors.push(
          `${NOTIFICATION_CONFIGMAP} key ${key}: the ${type} service is not supported by Gradual yet (supported: ${SUPPORTED_SERVICE_TYPES.join(', ')})`,
        );
        continue;
      }
      if (!(SUPPORTED_SERVICE_TYPES as readonly string[]).includes(type)) {
        errors.push(
          `${NOTIFICATION_CONFIGMAP} key ${key}: unknown service type ${JSON.stringify(type)} (supported: ${SUPPORTED_SERVICE_TYPES.join(', ')})`,
        );
        continue;
      }
      const missing = new Set<string>();
      const raw = replaceSecrets(parseYamlValue(key, text, errors), secretData, missing);
      if (missing.size > 0) {
        errors.push(
          `${NOTIFICATION_CONFIGMAP} key ${key}: references ${[...missing].map((k) => `$${k}`).join(', ')}, not in ${NOTIFICATION_SECRET}`,
        );
        continue;
      }
      const parsed = serviceSchemas[type as ServiceType].safeParse(raw);
      if (!parsed.success) {
        // The issue paths and messages only: zod's messages for a url or string never repeat the value (a secret).
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${zodMessage(parsed.error)}`);
        continue;
      }
      if (config.services.has(name)) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: a service named ${JSON.stringify(name)} is configured twice`);
        continue;
      }
      config.services.set(name, { type, name, options: parsed.data } as ServiceConfig);
    } else if (key === 'subscriptions') {
      const parsed = z.array(subscriptionSchema).safeParse(parseYamlValue(key, text, errors));
      if (!parsed.success) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${zodMessage(parsed.error)}`);
        continue;
      }
      for (const [index, subscription] of parsed.data.entries()) {
        try {
          config.subscriptions.push({
            // "slack:my-channel": the service, then the recipient (pkg/api/config.go's GetGlobalDestinations).
            recipients: subscription.recipients.map((recipient) => {
              const [service = '', target = ''] = recipient.split(':');
              return { service, recipient: target };
            }),
            triggers: subscription.triggers ?? [],
            selector: parseSelector(subscription.selector ?? ''),
          });
        } catch (cause) {
          errors.push(
            `${NOTIFICATION_CONFIGMAP} key subscriptions: [${String(index)}].selector: ${cause instanceof Error ? cause.message : String(cause)}`,
          );
        }
      }
    } else if (key === 'defaultTriggers' || key.startsWith('defaultTriggers.')) {
      const parsed = z.array(z.string().min(1)).safeParse(parseYamlValue(key, text, errors));
      if (!parsed.success) {
        errors.push(`${NOTIFICATION_CONFIGMAP} key ${key}: ${zodMessage(parsed.error)}`);
        continue;
      }
      if (key === 'defaultTriggers') config.defaultTriggers = parsed.data;
      else config.serviceDefaultTriggers.set(key.slice('defaultTriggers.'.length), parsed.data);
    }
    // Other keys (context, …) are notifications-engine's or the user's own; ignored as notifications-engine ignores them.
  }
  for (const [name, conditions] of config.triggers) {
    for (const condition of conditions) {
      for (const template of condition.send) {
        if (!configMapData[`template.${template}`])
          errors.push(`${NOTIFICATION_CONFIGMAP} key trigger.${name}: sends template ${JSON.stringify(template)}, which is not configured`);
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
