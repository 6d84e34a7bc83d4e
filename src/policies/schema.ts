import { Cron } from 'croner';
import picomatch from 'picomatch';
import { z } from 'zod';
import { parseGoDuration } from '../api/index.js';
import { kindNamePattern } from './confinement.js';
import { metricHostPattern } from './metric-hosts.js';
import { commandNames, deployTriggers, manifestLimitCeilings, permissionLevels, type CommandName } from './types.js';

/*
 * The shape of a policy file (`policies/default.yml` and a repository's
 * `.gradual.yml`) as written: every field optional, so that a repository
 * states only what it narrows. Values are checked here (a cron schedule that
 * parses, a time zone that exists); what a value may be compared with the
 * defaults is checked by narrowPolicy, which knows both.
 */

/** A DNS-1123 label, as Kubernetes names namespaces; environment names follow it so they can name locks and check runs. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u, 'expected lower-case letters, digits and "-", starting and ending with a letter or digit')
  .max(63);

const teamName = z.string().regex(/^@?[A-Za-z0-9][-A-Za-z0-9_.]*\/[A-Za-z0-9][-A-Za-z0-9_.]*$/u, 'expected a team as "org/team-slug"');

const manifestGlob = z
  .string()
  .min(1)
  .superRefine((glob, context) => {
    if (glob.startsWith('/') || glob.split('/').includes('..')) {
      context.addIssue({ code: 'custom', message: `expected a glob relative to the repository root, got ${JSON.stringify(glob)}` });
      return;
    }
    try {
      picomatch.parse(glob);
    } catch (cause) {
      context.addIssue({ code: 'custom', message: `not a glob: ${cause instanceof Error ? cause.message : String(cause)}` });
    }
  });

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A date, or a date and time, with an optional UTC offset; without one it is read in the window's time zone. */
export const localDateTimePattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:\d{2})?$/u;

const freezeWindowSchema = z
  .strictObject({
    name: z.string().min(1),
    schedule: z.string().min(1).optional(),
    duration: z.string().min(1).optional(),
    start: z.string().regex(localDateTimePattern, 'expected a date and time such as "2026-12-20T18:00"').optional(),
    end: z.string().regex(localDateTimePattern, 'expected a date and time such as "2027-01-04T08:00"').optional(),
    timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone such as "Europe/Berlin"').optional(),
  })
  .superRefine((window, context) => {
    const recurring = window.schedule !== undefined || window.duration !== undefined;
    const fixed = window.start !== undefined || window.end !== undefined;
    if (recurring === fixed) {
      context.addIssue({ code: 'custom', path: [], message: 'a freeze window needs either "schedule" and "duration" or "start" and "end"' });
      return;
    }
    if (recurring) {
      if (window.schedule === undefined) context.addIssue({ code: 'custom', path: ['schedule'], message: 'missing field "schedule" (a cron expression such as "0 18 * * FRI")' });
      if (window.duration === undefined) context.addIssue({ code: 'custom', path: ['duration'], message: 'missing field "duration" (such as "62h")' });
      if (window.schedule !== undefined) {
        const problem = cronProblem(window.schedule);
        if (problem !== undefined) context.addIssue({ code: 'custom', path: ['schedule'], message: problem });
      }
      if (window.duration !== undefined) {
        const seconds = parseGoDuration(window.duration);
        if (seconds === undefined || seconds <= 0) {
          context.addIssue({ code: 'custom', path: ['duration'], message: `expected a positive duration such as "30m" or "62h", got ${JSON.stringify(window.duration)}` });
        }
      }
      return;
    }
    if (window.start === undefined) context.addIssue({ code: 'custom', path: ['start'], message: 'missing field "start"' });
    if (window.end === undefined) context.addIssue({ code: 'custom', path: ['end'], message: 'missing field "end"' });
  });

function cronProblem(schedule: string): string | undefined {
  try {
    // No callback: croner only computes dates and starts no timer.
    new Cron(schedule, { mode: '5-part' });
    return undefined;
  } catch (cause) {
    return `expected a cron schedule of five fields (minute hour day-of-month month day-of-week), got ${JSON.stringify(schedule)}: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
}

const commandRuleSchema = z.strictObject({
  permission: z.enum(permissionLevels).optional(),
  teams: z.array(teamName).optional(),
  codeowners: z.boolean().optional(),
});

const commandRulesSchema = z.strictObject(
  Object.fromEntries(commandNames.map((name) => [name, commandRuleSchema.optional()])) as Record<CommandName, z.ZodOptional<typeof commandRuleSchema>>,
);

/** `Service`, `Deployment.apps`, `Rollout.argoproj.io`: a kind and its API group, as Kubernetes spells them. */
const kindName = z.string().regex(kindNamePattern, 'expected a kind as "Kind" (core group) or "Kind.group", such as "Service" or "Deployment.apps"');
const manifestLimitsSchema = z.strictObject({
  fileBytes: z.int().min(1).max(manifestLimitCeilings.fileBytes).optional(),
  fileNodes: z.int().min(1).max(manifestLimitCeilings.fileNodes).optional(),
  fileObjects: z.int().min(1).max(manifestLimitCeilings.fileObjects).optional(),
  pullRequestBytes: z.int().min(1).max(manifestLimitCeilings.pullRequestBytes).optional(),
  pullRequestNodes: z.int().min(1).max(manifestLimitCeilings.pullRequestNodes).optional(),
  pullRequestObjects: z.int().min(1).max(manifestLimitCeilings.pullRequestObjects).optional(),
});

const rulesShape = {
  trigger: z.enum(deployTriggers).optional(),
  requiredApprovals: z.int().min(0).max(100).optional(),
  allowForks: z.boolean().optional(),
  commands: commandRulesSchema.optional(),
  freezeWindows: z.array(freezeWindowSchema).optional(),
  kinds: z.array(kindName).optional(),
  manifestLimits: manifestLimitsSchema.optional(),
  /** false: an object whose manifest was removed from git is not deleted, and a deploy that would delete one is refused. */
  prune: z.boolean().optional(),
  /** The hosts web and prometheus metrics may be pointed at; absent: any host (the controller's address rules still apply). */
  metricHosts: z
    .array(z.string().transform((host) => host.toLowerCase()).pipe(z.string().regex(metricHostPattern, 'expected a host name such as "prometheus.monitoring", "*.example.com" or an IP address')))
    .optional(),
};

const environmentSchema = z.strictObject({
  name: dnsLabel,
  paths: z.array(manifestGlob).min(1),
  namespace: dnsLabel.optional(),
  /** Several namespaces, the first given to manifests that name none; instead of `namespace`. */
  namespaces: z.array(dnsLabel).min(1).optional(),
  ...rulesShape,
});

export const policyFileSchema = z
  .strictObject({
    ...rulesShape,
    environments: z.array(environmentSchema).optional(),
  })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    for (const [index, environment] of (file.environments ?? []).entries()) {
      if (seen.has(environment.name)) context.addIssue({ code: 'custom', path: ['environments', index, 'name'], message: `environment "${environment.name}" is defined twice` });
      seen.add(environment.name);
      if (environment.namespace !== undefined && environment.namespaces !== undefined) {
        context.addIssue({ code: 'custom', path: ['environments', index, 'namespaces'], message: 'write either "namespace" or "namespaces" (the first of which is the default), not both' });
      }
      for (const [position, namespace] of (environment.namespaces ?? []).entries()) {
        if (environment.namespaces?.indexOf(namespace) !== position) context.addIssue({ code: 'custom', path: ['environments', index, 'namespaces', position], message: `namespace "${namespace}" is listed twice` });
      }
    }
  });

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyFileRules = Omit<PolicyFile, 'environments'>;
export type PolicyFileEnvironment = z.infer<typeof environmentSchema>;
export type PolicyFileFreezeWindow = z.infer<typeof freezeWindowSchema>;
export type PolicyFileCommandRule = z.infer<typeof commandRuleSchema>;
export type PolicyFileManifestLimits = z.infer<typeof manifestLimitsSchema>;
