import { afterEach, describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import type { Backend } from './types.js';

// A real HTTP server on loopback: the backend is I/O, but small and fast enough for the unit project.
let backend: Backend | undefined;
afterEach(async () => {
  await backend?.stop();
  backend = undefined;
});

async function get(url: string): Promise<[number, unknown]> {
  const response = await fetch(url);
  return [response.status, await response.json()];
}

describe('startBackend', () => {
  it('answers its colour, and 500 for the share of requests set by the error rate', async () => {
    let draw = 0;
    const draws = [0.1, 0.5, 0.9];
    backend = await startBackend({ color: 'yellow', pod: 'demo-y-1', random: () => draws[draw++ % draws.length] ?? 0 });
    expect(await get(`${backend.url}/color`)).toEqual([200, { color: 'yellow', pod: 'demo-y-1' }]);
    backend.setErrorRate(0.6);
    // Draws 0.5 and 0.9 next: below 0.6 fails, above succeeds.
    expect(await get(`${backend.url}/color`)).toEqual([500, { color: 'yellow', pod: 'demo-y-1', error: true }]);
    expect(await get(`${backend.url}/color`)).toEqual([200, { color: 'yellow', pod: 'demo-y-1' }]);
    expect(backend.served()).toBe(3);
  });

  it('takes PUT /error-rate and refuses a rate outside 0–1 with 400', async () => {
    backend = await startBackend({ color: 'blue' });
    const put = (body: string) =>
      fetch(`${backend?.url ?? ''}/error-rate`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
    expect((await put('{"errorRate":1}')).status).toBe(200);
    expect(backend.errorRate()).toBe(1);
    expect(await get(`${backend.url}/color`)).toEqual([500, { color: 'blue', error: true }]);
    const refused = await put('{"errorRate":1.5}');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('PUT /error-rate');
    expect((await put('not json')).status).toBe(400);
    expect(backend.errorRate()).toBe(1);
  });

  it('stops listening on stop()', async () => {
    const stopped = await startBackend({ color: 'green' });
    await stopped.stop();
    await expect(fetch(`${stopped.url}/color`)).rejects.toThrow();
  });
});
