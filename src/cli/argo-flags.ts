import { Option, InvalidArgumentError, type Command } from 'commander';
import { portOption } from './dashboard-command.js';
import { StartupError } from './startup-error.js';

/**
 * Argo Rollouts' controller flags (cmd/rollouts-controller/main.go at v1.9.1),
 * so a Deployment written for `rollouts-controller` starts Gradual unchanged.
 * Three kinds:
 * - spellings of a Gradual flag or a setting Gradual has (`--metricsPort`,
 *   `--leader-elect=false`, `--loglevel`, `--namespaced`, `--context`, the
 *   leader-election durations): they do what Argo's do;
 * - flags for parts Gradual does not have (client throttling, the Experiment,
 *   Service and Ingress controllers, traffic routers' API versions, klog,
 *   pprof): accepted, and a warning at start names each one given;
 * - flags whose silent absence would be unsafe (`--controllers`, ALB target
 *   group verification): refused, with the reason.
 */

const argoGroup = "Argo Rollouts' spellings (rollouts-controller v1.9 flags; they do what Argo's do):";
const ignoredGroup = 'Accepted from Argo Rollouts, no effect in Gradual (a warning names each one given):';

/** pflag's booleans: `--flag`, `--flag=true`, `--flag=false` (and 1/0, t/f as strconv.ParseBool takes them). */
export function goBoolean(value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError('true or false');
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.Duration text as Argo's leader-election flags take it (`15s`, `1m30s`, `500ms`), in milliseconds. */
export function goDurationMs(value: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/u.test(value) ? value.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/gu) : null;
  if (parts === null) throw new InvalidArgumentError('a duration such as 15s, 1m30s or 500ms');
  let total = 0;
  for (const part of parts) {
    const unit = /ms|s|m|h$/u.exec(part)?.[0] ?? 's';
    total += Number(part.slice(0, part.length - unit.length)) * (durationUnits[unit] ?? 1000);
  }
  if (total <= 0) throw new InvalidArgumentError('a duration above zero');
  return total;
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError('a whole number');
  return number;
}

function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Argo's flags for parts Gradual does not have: the flag and the reason given in the warning. */
export const ignoredArgoFlags: readonly { flags: string; why: string; parse?: (value: string, previous: never) => unknown }[] = [
  { flags: '--kloglevel <n>', why: 'Gradual has no klog', parse: wholeNumber },
  { flags: '--qps <n>', why: 'Gradual does not throttle its API client', parse: Number },
  { flags: '--burst <n>', why: 'Gradual does not throttle its API client', parse: wholeNumber },
  { flags: '--rollout-resync <seconds>', why: "Gradual's informers do not resync on a period", parse: wholeNumber },
  { flags: '--experiment-threads <n>', why: 'the Experiment controller runs with --rollout-threads workers', parse: wholeNumber },
  { flags: '--service-threads <n>', why: 'Gradual has no separate Service controller', parse: wholeNumber },
  { flags: '--ingress-threads <n>', why: 'Gradual has no separate Ingress controller', parse: wholeNumber },
  { flags: '--ephemeral-metadata-threads <n>', why: 'Gradual sets ephemeral metadata in the Rollout reconcile', parse: wholeNumber },
  {
    flags: '--ephemeral-metadata-update-pod-retries <n>',
    why: 'Gradual sets ephemeral metadata in the Rollout reconcile',
    parse: wholeNumber,
  },
  { flags: '--aws-target-group-binding-api-version <version>', why: 'Gradual does not verify ALB target groups (no AWS calls)' },
  { flags: '--alb-tag-key-resource-id <key>', why: 'Gradual does not verify ALB target groups (no AWS calls)' },
  { flags: '--istio-api-version <version>', why: "Gradual uses networking.istio.io/v1alpha3 (Argo's default)" },
  { flags: '--ambassador-api-version <version>', why: "Gradual uses getambassador.io/v2 Mappings (Argo's default)" },
  { flags: '--traffic-split-api-version <version>', why: "Gradual uses split.smi-spec.io/v1alpha1 (Argo's default)" },
  { flags: '--traefik-api-group <group>', why: "Gradual uses traefik.containo.us (Argo's default)" },
  { flags: '--traefik-api-version <version>', why: "Gradual uses traefik.containo.us/v1alpha1 (Argo's default)" },
  { flags: '--ingress-api-version <version>', why: 'Gradual uses networking.k8s.io/v1' },
  { flags: '--appmesh-crd-version <version>', why: "Gradual uses appmesh.k8s.aws/v1beta2 (Argo's default)" },
  { flags: '--alb-ingress-classes <class>', why: 'Gradual does not select Ingresses by their class', parse: repeatable },
  { flags: '--nginx-ingress-classes <class>', why: 'Gradual does not select Ingresses by their class', parse: repeatable },
  {
    flags: '--self-service-notification-enabled [bool]',
    why: "Gradual reports on the pull request, not through Argo's notification engine",
    parse: goBoolean,
  },
  { flags: '--enable-pprof-address <address>', why: 'Node has no pprof; use node --inspect' },
];

/** The options Commander makes of the flags above (its attribute names: `--qps` → qps, `--kloglevel` → kloglevel). */
function attributeOf(flags: string): string {
  const long = flags.split(' ')[0]?.replace(/^--/u, '') ?? flags;
  return long.replace(/-([a-z])/gu, (_match, letter: string) => letter.toUpperCase());
}

/** Adds Argo's spellings and its accepted-but-ignored flags to `controller` (and so to `start`, which copies its options). */
export function addArgoFlags(command: Command): Command {
  const alias = (option: Option): Command => command.addOption(option.helpGroup(argoGroup));
  alias(new Option('--leader-elect [bool]', 'leader election on or off (--leader-elect=false is --no-leader-elect)').argParser(goBoolean));
  alias(
    new Option('--namespaced [bool]', "watch only --namespace, or the kubeconfig's (in a pod: its own) namespace").argParser(goBoolean),
  );
  alias(new Option('--loglevel <level>', 'log level (as --log-level)').choices(['debug', 'info', 'warn', 'error']));
  alias(new Option('--logformat <format>', 'log format: text (pino-pretty) or json (as --log-format)').choices(['text', 'json']));
  alias(new Option('--metricsPort <port>', 'as --metrics-port').argParser(portOption));
  alias(new Option('--metricsport <port>', 'as --metrics-port (deprecated in Argo too)').argParser(portOption));
  alias(new Option('--healthzPort <port>', 'as --healthz-port').argParser(portOption));
  alias(new Option('--context <name>', 'the kubeconfig context to use'));
  alias(
    new Option(
      '--leader-election-lease-duration <duration>',
      'how long a Lease is held without renewal (Go duration; default 15s)',
    ).argParser(goDurationMs),
  );
  alias(
    new Option(
      '--leader-election-renew-deadline <duration>',
      'how long the leader tries to renew before it stops leading (default 10s)',
    ).argParser(goDurationMs),
  );
  alias(
    new Option('--leader-election-retry-period <duration>', 'the wait between attempts to acquire or renew (default 2s)').argParser(
      goDurationMs,
    ),
  );
  alias(new Option('--version [bool]', 'print the version and exit').argParser(goBoolean));
  for (const flag of ignoredArgoFlags) {
    const option = new Option(flag.flags, flag.why).helpGroup(ignoredGroup);
    command.addOption(flag.parse === undefined ? option : option.argParser(flag.parse as (value: string, previous: unknown) => unknown));
  }
  const refused = 'Refused (Gradual cannot honour it, and ignoring it would be unsafe):';
  command.addOption(
    new Option(
      '--controllers <names>',
      "Argo's --controllers=analysis: Gradual runs the Rollout and AnalysisRun controllers together",
    ).helpGroup(refused),
  );
  command.addOption(
    new Option('--aws-verify-target-group [bool]', 'Gradual does not verify ALB target groups').argParser(goBoolean).helpGroup(refused),
  );
  command.addOption(
    new Option('--alb-verify-weight [bool]', 'Gradual does not verify ALB target groups').argParser(goBoolean).helpGroup(refused),
  );
  return command;
}

/** What the parsed Argo flags come to, for the engine. */
export interface ArgoFlagValues {
  leaderElect?: boolean;
  namespaced?: boolean;
  loglevel?: string;
  logformat?: string;
  metricsPort?: number;
  metricsport?: number;
  healthzPort?: number;
  context?: string;
  leaderElectionLeaseDuration?: number;
  leaderElectionRenewDeadline?: number;
  leaderElectionRetryPeriod?: number;
  version?: boolean;
  controllers?: string;
  awsVerifyTargetGroup?: boolean;
  albVerifyWeight?: boolean;
}

export interface ResolvedArgoFlags {
  /** `--metricsport` folded into metricsPort (`--metricsPort` already is Commander's same attribute). */
  metricsPort: number | undefined;
  logLevel: string | undefined;
  logFormat: 'pretty' | 'json' | undefined;
  /** A warning line for each ignored flag the command line gave. */
  ignored: string[];
}

/** Folds Argo's spellings into Gradual's settings; throws StartupError for a refused flag. Pure: the options in, the settings out. */
export function resolveArgoFlags(options: ArgoFlagValues & Record<string, unknown>): ResolvedArgoFlags {
  if (options.controllers !== undefined) {
    throw new StartupError(
      `--controllers=${options.controllers} is not supported: Gradual runs the Rollout and AnalysisRun controllers together (run Argo's controller for an analysis-only install)`,
    );
  }
  if (options.awsVerifyTargetGroup === true || options.albVerifyWeight === true) {
    throw new StartupError(
      '--aws-verify-target-group is not supported: Gradual does not verify ALB target group weights, and a rollout that relied on that check would proceed without it',
    );
  }
  const ignored = ignoredArgoFlags
    .filter((flag) => options[attributeOf(flag.flags)] !== undefined)
    .map((flag) => `${flag.flags.split(' ')[0] ?? flag.flags} is accepted for Argo Rollouts' manifests and has no effect: ${flag.why}`);
  return {
    metricsPort: options.metricsport ?? options.metricsPort,
    logLevel: options.loglevel,
    logFormat: options.logformat === undefined ? undefined : options.logformat === 'json' ? 'json' : 'pretty',
    ignored,
  };
}
