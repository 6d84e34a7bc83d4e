import { describe, expect, it } from 'vitest';
import { commentLimit } from './fit-output.js';
import { isStickyComment, renderStickyComment, STICKY_MARKER } from './sticky-comment.js';
import { scenario } from './testing/report-fixtures.js';

const pullRequest = scenario.pausedIndefinitely.pullRequest;

describe('renderStickyComment', () => {
  it('starts with the hidden marker, shows plan, lock and every rollout with what a person can do', () => {
    const other = structuredClone(scenario.aborted);
    other.rollout.metadata = { ...other.rollout.metadata, name: 'api', namespace: 'prod' };
    const body = renderStickyComment({
      pullRequest,
      rollouts: [scenario.pausedIndefinitely, other],
      lock: { environment: 'production', heldBy: 12 },
      plan: { checkUrl: 'https://github.example/o/r/runs/7', created: 0, changed: 2, unchanged: 5, errors: 0 },
    });
    expect(body.startsWith(STICKY_MARKER)).toBe(true);
    expect(isStickyComment(body)).toBe(true);
    expect(body).toMatchInlineSnapshot(`
      "<!-- gradual:sticky -->
      ### Gradual · PR #12 at \`3f1c2ab\`

      **Plan:** 0 created · 2 changed · 5 unchanged · 0 errors — [details](https://github.example/o/r/runs/7)\\
      **Lock:** this pull request holds environment \`production\`.

      | Rollout | State | Where it stands |
      | --- | --- | --- |
      | \`prod/web\` | ॥ paused | Step 2/5 · paused · canary 20% |
      | \`prod/api\` | ✖ aborted | Aborted · success-rate failed: \\[0.81\\], \\[0.79\\] (needs result\\[0\\] \\>= 0.95, fails when result\\[0\\] \\< 0.9 \\|\\| isNaN(result\\[0\\])) |

      > ॥ Waiting for a person. Comment \`/promote web\` (or press **Promote**) to go on, or \`/abort web\`.

      > ✖ Aborted: metric \`success-rate\` Failed.
      > Values: \`[0.81]\`, \`[0.79]\` · condition: \`needs result[0] >= 0.95, fails when result[0] < 0.9 || isNaN(result[0])\` · 2 of 2 measurements failed, failure limit 1.
      > Metric "success-rate" assessed Failed due to failed (2) \\> failureLimit (1)
      > Comment \`/retry api\` to start again.

      Commands: \`/promote [name] [--full]\` · \`/abort [name]\` · \`/retry [name]\` · \`/status\` · \`/help\` for all.
      "
    `);
  });

  it('says which pull request holds the lock, and that nothing is deployed yet', () => {
    const body = renderStickyComment({ pullRequest, rollouts: [], lock: { environment: 'production', heldBy: 11 } });
    expect(body).toMatchInlineSnapshot(`
      "<!-- gradual:sticky -->
      ### Gradual · PR #12 at \`3f1c2ab\`

      **Lock:** environment \`production\` is held by #11; this pull request deploys when it is released.

      No rollout deployed yet.

      Commands: \`/promote [name] [--full]\` · \`/abort [name]\` · \`/retry [name]\` · \`/status\` · \`/help\` for all.
      "
    `);
  });

  it('is the same text when rendered again later from the same state, so the shell can skip the edit', () => {
    const later = { ...scenario.pausedWithDuration, now: new Date('2026-11-24T00:20:02Z') };
    expect(renderStickyComment({ pullRequest, rollouts: [later] })).toBe(
      renderStickyComment({ pullRequest, rollouts: [scenario.pausedWithDuration] }),
    );
  });

  it("stays within GitHub's comment limit with many rollouts", () => {
    const rollouts = Array.from({ length: 1500 }, (_, index) => {
      const report = structuredClone(scenario.aborted);
      report.rollout.metadata = { ...report.rollout.metadata, name: `service-${String(index)}` };
      return report;
    });
    const body = renderStickyComment({ pullRequest, rollouts });
    expect(body.length).toBeLessThanOrEqual(commentLimit);
    expect(body).toMatch(/… cut: [\d,]+ characters$/u);
    expect(isStickyComment(body)).toBe(true);
  });
});
