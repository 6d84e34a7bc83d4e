import { describe, expect, it } from 'vitest';
import { noticeFor, noticeMarker, parseNoticeKey } from './notice.js';
import { renderStickyComment } from './sticky-comment.js';
import { scenario } from './testing/report-fixtures.js';

describe('noticeFor', () => {
  it.each([
    ['progressingAtStep0', undefined],
    ['pausedIndefinitely', 'prod/web@7d9f8c6b4:paused:1'],
    ['pausedWithDuration', undefined],
    ['analysisRunning', undefined],
    ['inconclusive', 'prod/web@7d9f8c6b4:inconclusive:2'],
    ['aborted', 'prod/web@7d9f8c6b4:aborted:2'],
    ['healthy', 'prod/web@7d9f8c6b4:completed:5'],
    ['blueGreenWaiting', 'prod/web@7d9f8c6b4:paused:0'],
  ] as const)('%s: %s', (name, key) => {
    const notice = noticeFor(scenario[name]);
    expect(notice?.key).toBe(key);
    if (notice !== undefined) expect(parseNoticeKey(notice.body)).toBe(key);
  });

  it('keeps the key when the same event is rendered again later', () => {
    const later = { ...scenario.pausedIndefinitely, now: new Date('2026-11-24T03:00:00Z'), timeline: [] };
    expect(noticeFor(later)?.key).toBe(noticeFor(scenario.pausedIndefinitely)?.key);
  });

  it('says nothing for a rollout a person paused by hand', () => {
    const report = structuredClone(scenario.progressingAtStep0);
    report.rollout.spec.paused = true;
    expect(noticeFor(report)).toBeUndefined();
  });

  it('tells of an abort with the failing metric, its values and its condition', () => {
    expect(noticeFor(scenario.aborted)?.body).toMatchInlineSnapshot(`
      "<!-- gradual:notice prod/web@7d9f8c6b4:aborted:2 -->
      ### ✖ \`prod/web\` was aborted

      Aborted · success-rate failed: \\[0.81\\], \\[0.79\\] (needs result\\[0\\] \\>= 0.95, fails when result\\[0\\] \\< 0.9 \\|\\| isNaN(result\\[0\\])) · PR #12 at \`3f1c2ab\`

      > ✖ Aborted: metric \`success-rate\` Failed.
      > Values: \`[0.81]\`, \`[0.79]\` · condition: \`needs result[0] >= 0.95, fails when result[0] < 0.9 || isNaN(result[0])\` · 2 of 2 measurements failed, failure limit 1.
      > Metric "success-rate" assessed Failed due to failed (2) \\> failureLimit (1)
      > Comment \`/retry web\` to start again.
      "
    `);
  });

  it('tells of a pause for promotion and of completion', () => {
    expect(noticeFor(scenario.pausedIndefinitely)?.body).toMatchInlineSnapshot(`
      "<!-- gradual:notice prod/web@7d9f8c6b4:paused:1 -->
      ### ॥ \`prod/web\` is waiting for promotion

      Step 2/5 · paused · canary 20% · PR #12 at \`3f1c2ab\`

      > ॥ Waiting for a person. Comment \`/promote web\` (or press **Promote**) to go on, or \`/abort web\`.
      "
    `);
    expect(noticeFor(scenario.healthy)?.body).toMatchInlineSnapshot(`
      "<!-- gradual:notice prod/web@7d9f8c6b4:completed:5 -->
      ### ✔ \`prod/web\` completed

      Healthy · revision 2 fully promoted · PR #12 at \`3f1c2ab\`

      Revision 2 is fully promoted and healthy; the check \`gradual/rollout prod/web\` passed.
      "
    `);
  });
});

describe('parseNoticeKey', () => {
  it.each([
    [noticeMarker('prod/web@abc:aborted:2'), 'prod/web@abc:aborted:2'],
    [`${noticeMarker('a/b@c:paused:1')}\nbody`, 'a/b@c:paused:1'],
    ['a person quoting <!-- gradual:notice a/b@c:paused:1 -->', undefined],
    ['<!-- gradual:sticky -->', undefined],
    ['', undefined],
  ])('%j → %s', (body, key) => {
    expect(parseNoticeKey(body)).toBe(key);
  });

  it('does not take the sticky comment for a notice', () => {
    expect(
      parseNoticeKey(renderStickyComment({ pullRequest: scenario.aborted.pullRequest, rollouts: [scenario.aborted] })),
    ).toBeUndefined();
  });
});
