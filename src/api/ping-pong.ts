import type { CanaryStrategy, RolloutStatus } from './types.js';

/**
 * Argo's GetStableAndCanaryServices(rollout, true) with canary.pingPong: the
 * ping Service is stable when status.canary.stablePingPong says `ping`, else
 * the pong one is (so a first rollout starts its canary on ping); the other
 * holds the canary. Undefined without pingPong.
 */
export function pingPongServices(
  canary: Pick<CanaryStrategy, 'pingPong'> | undefined,
  status: Pick<RolloutStatus, 'canary'> | undefined,
): { stable: string; canary: string } | undefined {
  const pingPong = canary?.pingPong;
  if (pingPong === undefined) return undefined;
  return status?.canary?.stablePingPong === 'ping'
    ? { stable: pingPong.pingService, canary: pingPong.pongService }
    : { stable: pingPong.pongService, canary: pingPong.pingService };
}
