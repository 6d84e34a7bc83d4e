import type { RouterProblem, RouterProblemCode } from './types.js';
import { GradualError, type ErrorCode } from '../errors/gradual-error.js';

/**
 * A router problem as an exception for the engine: `code` to branch on,
 * the place (kind, namespace/name, field) in the message and the fields.
 * Only NotFound is retryable: the object may be created later, while an
 * invalid spec or a foreign owner needs a person.
 */
const codes: Record<RouterProblemCode, ErrorCode> = { InvalidSpec: 'INVALID_SPEC', NotFound: 'NOT_FOUND', NotOwned: 'NOT_OWNED' };

export class TrafficRoutingError extends GradualError {
  readonly problem: RouterProblem;

  constructor(problem: RouterProblem, options: { cause?: unknown } = {}) {
    super(codes[problem.code], describeProblem(problem), { cause: options.cause, retryable: problem.code === 'NotFound' });
    this.problem = problem;
  }
}

/** `VirtualService ns/web spec.http[0].route: Canary Service 'web-canary' not found in route`. */
export function describeProblem(problem: RouterProblem): string {
  const place = `${problem.kind} ${problem.namespace}/${problem.name}`;
  return `${place}${problem.field === '' ? '' : ` ${problem.field}`}: ${problem.message}`;
}

/** An InvalidSpec on a Rollout field: a router configuration it cannot use. */
export function invalidRolloutSpec(rollout: { namespace: string; name: string }, field: string, message: string): TrafficRoutingError {
  return new TrafficRoutingError({
    code: 'InvalidSpec',
    kind: 'Rollout',
    namespace: rollout.namespace,
    name: rollout.name,
    field,
    message,
  });
}
