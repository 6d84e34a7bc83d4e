/**
 * Where a deployed object came from. The bot is stateless: these annotations (on every
 * object it applies, and on the environment's lock) are how a restarted bot knows which
 * pull request a Rollout reports to.
 */
export const gradualAnnotations = {
  repository: 'gradual.dev/repository',
  pullRequest: 'gradual.dev/pull-request',
  headSha: 'gradual.dev/head-sha',
  installation: 'gradual.dev/installation-id',
  environment: 'gradual.dev/environment',
  /** HMAC of the others and the object's identity (provenance.ts); the reporter believes nothing unsigned. */
  signature: 'gradual.dev/signature',
} as const;

/** The pull request (or default-branch commit) a deployed object reports to. */
export interface DeploymentOrigin {
  /** `owner/name`. */
  repository: string;
  /** Absent for a default-branch deploy (drift correction, rollback after a close). */
  pullRequest?: number;
  headSha: string;
  installationId: number;
  environment: string;
}

export function originAnnotations(origin: DeploymentOrigin): Record<string, string> {
  return {
    [gradualAnnotations.repository]: origin.repository,
    [gradualAnnotations.headSha]: origin.headSha,
    [gradualAnnotations.installation]: String(origin.installationId),
    [gradualAnnotations.environment]: origin.environment,
    // The default branch's commit clears the pull request: an empty value (SSA would otherwise keep the old owner's).
    [gradualAnnotations.pullRequest]: origin.pullRequest === undefined ? '' : String(origin.pullRequest),
  };
}

/**
 * Reads an origin back from an object's annotations; undefined when it claims none. Unverified: anyone who
 * can write the object can write these; verifyProvenance (provenance.ts) says whether the bot signed them.
 */
export function originOf(annotations: Readonly<Record<string, string>> | undefined): DeploymentOrigin | undefined {
  const repository = annotations?.[gradualAnnotations.repository];
  const headSha = annotations?.[gradualAnnotations.headSha];
  const installationId = Number(annotations?.[gradualAnnotations.installation]);
  const environment = annotations?.[gradualAnnotations.environment];
  if (repository === undefined || headSha === undefined || environment === undefined || !Number.isSafeInteger(installationId))
    return undefined;
  const pullRequest = Number(annotations?.[gradualAnnotations.pullRequest] ?? '');
  return { repository, headSha, installationId, environment, ...(Number.isSafeInteger(pullRequest) && pullRequest > 0 && { pullRequest }) };
}
