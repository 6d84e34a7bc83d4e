import { describe, expect, it } from 'vitest';
import { scenario } from '../report/testing/report-fixtures.js';
import { parseCommands } from './parse-commands.js';
import { renderStatusReply } from './render-status-reply.js';

describe('renderStatusReply', () => {
  it('gives one row per rollout with its state and where it stands', () => {
    const api = structuredClone(scenario.healthy);
    api.rollout.metadata = { ...api.rollout.metadata, name: 'api' };
    const reply = renderStatusReply([scenario.inconclusive, api, scenario.aborted]);
    expect(reply).toMatchInlineSnapshot(`
      "| Rollout | State | Where it stands |
      | --- | --- | --- |
      | \`prod/web\` | ? inconclusive, waiting for a person | Step 3/5 · inconclusive: success-rate · canary 20% |
      | \`prod/api\` | ✔ healthy | Healthy · revision 2 fully promoted |
      | \`prod/web\` | ✖ aborted | Aborted · success-rate failed: \\[0.81\\], \\[0.79\\] (needs result\\[0\\] \\>= 0.95, fails when result\\[0\\] \\< 0.9 \\|\\| isNaN(result\\[0\\])) |
      "
    `);
    expect(parseCommands(reply)).toEqual({ commands: [], unknown: [] });
  });

  it('says so when nothing is deployed', () => {
    expect(renderStatusReply([])).toBe('No rollout of this pull request is deployed yet.\n');
  });
});
