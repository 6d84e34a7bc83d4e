import { describe, expect, it } from 'vitest';
import { pingPongServices } from './ping-pong.js';

const pingPong = { pingService: 'web-ping', pongService: 'web-pong' };

// Argo's GetStableAndCanaryServices(rollout, true) and IsStablePing (rollout/trafficrouting/service_helper.go).
describe('pingPongServices', () => {
  it.each([
    { what: 'no pingPong', canary: {}, stablePingPong: 'ping', expected: undefined },
    {
      what: 'first rollout (no status): pong stable, the canary on ping',
      canary: { pingPong },
      stablePingPong: undefined,
      expected: { stable: 'web-pong', canary: 'web-ping' },
    },
    { what: 'ping stable', canary: { pingPong }, stablePingPong: 'ping', expected: { stable: 'web-ping', canary: 'web-pong' } },
    { what: 'pong stable', canary: { pingPong }, stablePingPong: 'pong', expected: { stable: 'web-pong', canary: 'web-ping' } },
  ])('$what', ({ canary, stablePingPong, expected }) => {
    const status = stablePingPong === undefined ? {} : { canary: { stablePingPong } };
    expect(pingPongServices(canary, status)).toEqual(expected);
  });
});
