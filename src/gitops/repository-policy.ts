import { lockedDownPolicy, parseRepositoryPolicy, type PolicyError, type RepositoryPolicy } from '../policies/index.js';
import type { BotServices, RepositoryContext } from './services.js';

export const policyFile = '.gradual.yml';

/**
 * The repository's policy, read from its DEFAULT branch — never from a pull
 * request's head, so a pull request cannot grant itself rights. A broken file
 * fails closed (admins only, no environment), and the errors are reported.
 */
export async function loadRepositoryPolicy(
  context: RepositoryContext,
  services: BotServices,
  defaultBranch: string,
): Promise<{ policy: RepositoryPolicy; errors: PolicyError[] }> {
  const text = await context.github.readFile(policyFile, defaultBranch);
  const result = parseRepositoryPolicy(text, policyFile, services.defaults);
  // Fail closed: a broken file does not fall back to the (possibly wider) defaults, but to admins only and no environment.
  return result.ok ? { policy: result.policy, errors: [] } : { policy: lockedDownPolicy, errors: result.errors };
}
