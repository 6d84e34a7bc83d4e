import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoProcessesAlive, startDemoProcess, untilDemoReady } from './support/demo-process.js';

// `npm run demo -- --auto` as the README's first command runs it: its own local environment, `gradual start`, the
// traffic, the repository and pull requests, the whole story played unattended, then everything stopped.
describe('npm run demo -- --auto', () => {
  it(
    'plays the story (#1 promoted and merged; #2 fails its analysis, is aborted and cannot merge), exits 0 and leaves no process behind',
    { timeout: 900_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gradual-demo-auto-'));
      const demo = startDemoProcess(dir, ['--auto', '--timeout', '180']);
      const state = await untilDemoReady(demo, join(dir, 'demo.json'), 600_000);
      expect(state.processes.map((process) => process.name)).toContain('gradual-start');
      const code = await demo.exited;
      const output = demo.output();
      expect(code, output).toBe(0);
      const timeline = output.slice(output.indexOf('Timeline:'));
      // For the record (cold and warm times to ready are reported from CI runs).
      process.stdout.write(
        `demo --auto: ${/ready in [\d.]+ s/u.exec(output)?.[0] ?? 'no ready line'}; ${/Every expectation held[^\n]*/u.exec(timeline)?.[0] ?? 'no verdict'}\n`,
      );
      expect(timeline).toMatch(/✔ the gateway sends about 20 % of 500 requests to yellow — \d+\.\d % yellow/u);
      expect(timeline).toContain('✔ alice merges pull request #1');
      expect(timeline).toContain('✔ the background analysis fails on success-rate; the rollout check fails');
      expect(timeline).toContain('✔ merging pull request #2 is refused — HTTP 405');
      expect(timeline).toMatch(/Every expectation held \(13 in \d+\.\d s\)\./u);
      expect(timeline).not.toContain('✘');
      expect(await demoProcessesAlive(state, dir)).toEqual([]);
    },
  );
});
