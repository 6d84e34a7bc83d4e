// The plan: what applying the manifests would change in the cluster, and the `gradual/plan` check that says so.
export { diffAgainstLive } from './diff-against-live.js';
export { diffFields } from './diff-fields.js';
export { objectPath, readLiveObject } from './read-live-object.js';
export { renderPlanCheck, planCheckName } from './render-plan-check.js';
export { annotationBatches } from './annotation-batches.js';
export { metricHostErrors } from './metric-host-errors.js';
export { checkOutputLimit, joinWithinLimit } from './markdown.js';
export type * from './types.js';
