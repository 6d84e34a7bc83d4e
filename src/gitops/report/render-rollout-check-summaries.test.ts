import { describe, expect, it } from 'vitest';
import { renderRolloutCheck } from './render-rollout-check.js';
import { scenario } from './testing/report-fixtures.js';

// The rendered summary of every moment of the seed scenario, as GitHub (and the local PR page) will show it.
describe('renderRolloutCheck: summaries', () => {
  it('progressing at step 0', () => {
    expect(renderRolloutCheck(scenario.progressingAtStep0).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Progressing** — more replicas need to be updated

      #### Steps

      1. ◌ **set weight 20%** ← current
      2. ◷ pause until promoted
      3. ◷ analysis (success-rate)
      4. ◷ set weight 60%
      5. ◷ pause 5s

      #### Traffic

      canary **20%** · stable **80%** (as the current step sets)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 0/0 | 0 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 5/5 | 5 | \`registry.example/web:1.0\` |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      "
    `);
  });

  it('paused indefinitely at step 1', () => {
    expect(renderRolloutCheck(scenario.pausedIndefinitely).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Paused** — CanaryPauseStep

      > ॥ Waiting for a person. Comment \`/promote web\` (or press **Promote**) to go on, or \`/abort web\`.

      #### Steps

      1. ✔ set weight 20%
      2. ॥ **pause until promoted** ← current
      3. ◷ analysis (success-rate)
      4. ◷ set weight 60%
      5. ◷ pause 5s

      #### Traffic

      canary **20%** · stable **80%** (as the current step sets)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 1/1 | 1 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 4/4 | 4 | \`registry.example/web:1.0\` |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('paused with a duration', () => {
    expect(renderRolloutCheck(scenario.pausedWithDuration).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Paused** — CanaryPauseStep

      #### Steps

      1. ✔ set weight 20%
      2. ✔ pause until promoted
      3. ✔ analysis (success-rate)
      4. ✔ set weight 60%
      5. ◌ **pause 5s** ← current, until 00:20:03Z

      #### Traffic

      canary **60%** · stable **40%** (as the current step sets)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 3/3 | 3 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 2/2 | 2 | \`registry.example/web:1.0\` |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('analysis running with measurements', () => {
    expect(renderRolloutCheck(scenario.analysisRunning).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Progressing**

      #### Steps

      1. ✔ set weight 20%
      2. ✔ pause until promoted
      3. ◌ **analysis (success-rate)** ← current
      4. ◷ set weight 60%
      5. ◷ pause 5s

      #### Traffic

      canary **20%** · stable **80%** (as the current step sets)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 1/1 | 1 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 4/4 | 4 | \`registry.example/web:1.0\` |

      #### Analysis

      ◌ \`web-7d9f8c6b4-2-2\` **Running**

      | Metric | Phase | Last values | Condition | Measurements |
      | --- | --- | --- | --- | --- |
      | success-rate | ◌ Running | \`[0.99]\`, \`[0.97]\` | success: \`result[0] >= 0.95\` · failure: \`result[0] < 0.9 \\|\\| isNaN(result[0])\` | 2 ✔ · 0 ✖ · 0 ? · 0 ⚠ |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('inconclusive analysis', () => {
    expect(renderRolloutCheck(scenario.inconclusive).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Paused** — InconclusiveAnalysisRun

      > ? The analysis was inconclusive (\`success-rate\`: \`[0.93]\`). Comment \`/promote web\` to go on, or \`/abort web\`.

      #### Steps

      1. ✔ set weight 20%
      2. ✔ pause until promoted
      3. ? **analysis (success-rate)** ← current
      4. ◷ set weight 60%
      5. ◷ pause 5s

      #### Traffic

      canary **20%** · stable **80%** (as the current step sets)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 1/1 | 1 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 4/4 | 4 | \`registry.example/web:1.0\` |

      #### Analysis

      ? \`web-7d9f8c6b4-2-2\` **Inconclusive**

      | Metric | Phase | Last values | Condition | Measurements |
      | --- | --- | --- | --- | --- |
      | success-rate | ? Inconclusive | \`[0.93]\` | success: \`result[0] >= 0.95\` · failure: \`result[0] < 0.9 \\|\\| isNaN(result[0])\` | 0 ✔ · 0 ✖ · 1 ? · 0 ⚠ |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('aborted by a failed metric: the metric, its values and its condition', () => {
    expect(renderRolloutCheck(scenario.aborted).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Degraded** — RolloutAborted: Rollout aborted update to revision 2: Metric "success-rate" assessed Failed due to failed (2) \\> failureLimit (1)

      > ✖ Aborted: metric \`success-rate\` Failed.
      > Values: \`[0.81]\`, \`[0.79]\` · condition: \`needs result[0] >= 0.95, fails when result[0] < 0.9 || isNaN(result[0])\` · 2 of 2 measurements failed, failure limit 1.
      > Metric "success-rate" assessed Failed due to failed (2) \\> failureLimit (1)
      > Comment \`/retry web\` to start again.

      #### Steps

      1. ✔ set weight 20%
      2. ✔ pause until promoted
      3. ✖ **analysis (success-rate)** ← current
      4. ◷ set weight 60%
      5. ◷ pause 5s

      #### Traffic

      canary **0%** · stable **100%** (aborted: traffic is back on stable)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | canary | 0/0 | 0 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable | 5/5 | 5 | \`registry.example/web:1.0\` |

      #### Analysis

      ✖ \`web-7d9f8c6b4-2-2\` **Failed** — Metric "success-rate" assessed Failed due to failed (2) \\> failureLimit (1)

      | Metric | Phase | Last values | Condition | Measurements |
      | --- | --- | --- | --- | --- |
      | success-rate | ✖ Failed | \`[0.81]\`, \`[0.79]\` | success: \`result[0] >= 0.95\` · failure: \`result[0] < 0.9 \\|\\| isNaN(result[0])\` | 0 ✔ · 2 ✖ · 0 ? · 0 ⚠ |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('healthy', () => {
    expect(renderRolloutCheck(scenario.healthy).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Healthy**

      #### Steps

      1. ✔ set weight 20%
      2. ✔ pause until promoted
      3. ✔ analysis (success-rate)
      4. ✔ set weight 60%
      5. ✔ pause 5s

      All 5 steps done.

      #### Traffic

      stable **100%** (revision 2)

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | stable | 5/5 | 5 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | old | 0/0 | 0 | \`registry.example/web:1.0\` |

      #### Analysis

      ✔ \`web-7d9f8c6b4-2-2\` **Successful**

      | Metric | Phase | Last values | Condition | Measurements |
      | --- | --- | --- | --- | --- |
      | success-rate | ✔ Successful | \`[0.99]\`, \`[0.98]\`, \`[0.99]\` | success: \`result[0] >= 0.95\` · failure: \`result[0] < 0.9 \\|\\| isNaN(result[0])\` | 3 ✔ · 0 ✖ · 0 ? · 0 ⚠ |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });

  it('blue-green waiting for promotion', () => {
    expect(renderRolloutCheck(scenario.blueGreenWaiting).summary).toMatchInlineSnapshot(`
      "Rollout \`prod/web\` · revision 2 (\`7d9f8c6b4\`) · PR #12 at \`3f1c2ab\` · **Paused** — BlueGreenPause

      > ॥ Waiting for a person. Comment \`/promote web\` (or press **Promote**) to go on, or \`/abort web\`.

      #### Services

      | Role | Service | Selects pods |
      | --- | --- | --- |
      | active | \`web-active\` | \`6c7b8d9f5\` |
      | preview | \`web-preview\` | \`7d9f8c6b4\` |

      Promotion waits for a person.

      #### Replicas

      | Revision | ReplicaSet | Role | Ready | Available | Images |
      | --- | --- | --- | --- | --- | --- |
      | 2 | \`web-7d9f8c6b4\` | preview | 5/5 | 5 | \`registry.example/web:1.1\` |
      | 1 | \`web-6c7b8d9f5\` | stable, active | 5/5 | 5 | \`registry.example/web:1.0\` |

      #### Timeline

      | Time (UTC) | Reason | Message |
      | --- | --- | --- |
      | 00:14:00Z | RolloutUpdated | Rollout updated to revision 2 |
      | 00:14:00Z | NewReplicaSetCreated | Created ReplicaSet web-7d9f8c6b4 (revision 2) |
      | 00:14:10Z | RolloutStepCompleted | Rollout step 1/5 completed (setWeight: 20) |
      | 00:14:10Z | RolloutPaused | Rollout is paused (CanaryPauseStep) |
      "
    `);
  });
});
