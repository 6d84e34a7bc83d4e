import { z } from 'zod';

/** One process the environment started, recorded so `down` can stop exactly it. */
export const managedProcessSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  /** The executable path, checked against /proc/<pid>/cmdline before signalling, so a reused pid is never killed. */
  command: z.string(),
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot): with `command`, it tells a reused pid from ours. */
  startTime: z.string(),
  logFile: z.string(),
});
export type ManagedProcess = z.infer<typeof managedProcessSchema>;

/** `D/env.json`: every URL and path of one embedded local environment. */
export const localEnvironmentSchema = z.object({
  dir: z.string(),
  startedAt: z.string(),
  versions: z.object({
    kubernetes: z.string(),
    etcd: z.string(),
    kwok: z.string(),
    prometheus: z.string(),
    git: z.string(),
  }),
  kubernetes: z.object({
    apiServerUrl: z.string(),
    kubeconfig: z.string(),
    etcdUrl: z.string(),
    nodes: z.array(z.string()),
  }),
  prometheus: z.object({
    url: z.string(),
    configFile: z.string(),
    /** Tests and the demo drop file_sd target files (`*.json`) here; Prometheus picks them up without a restart. */
    targetsDir: z.string(),
  }),
  git: z.object({
    /** Base URL: a bare repository `D/git/NAME.git` is served at `${url}/NAME.git`; the local GitHub's `owner/name` is `D/git/owner/name.git`. */
    url: z.string(),
    root: z.string(),
  }),
  /** The local GitHub (API server and webhooks); absent in environments made before it existed. */
  github: z
    .object({
      /** The REST base URL (Octokit's `baseUrl`). */
      url: z.string(),
      appId: z.number().int().positive(),
      /** The app's private key (PEM, 0600): sign app JWTs with it. */
      privateKeyFile: z.string(),
      webhookSecretFile: z.string(),
      stateFile: z.string(),
      /** Proves to the local GitHub's `/_local/people` that the caller may act as anyone (0600). */
      adminTokenFile: z.string().optional(),
      /** Where webhooks are delivered (`local up --webhook-url`); absent: none are. */
      webhookUrl: z.string().optional(),
    })
    .optional(),
  /** The reference Argo Rollouts controller, when started with `local up --with-argo`. */
  argoRollouts: z.object({ version: z.string(), instanceId: z.string(), metricsUrl: z.string() }).optional(),
  processes: z.array(managedProcessSchema),
});
export type LocalEnvironment = z.infer<typeof localEnvironmentSchema>;
