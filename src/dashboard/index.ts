// The dashboard area: `gradual dashboard` (also served by `gradual start`), its pure view model and its guards.
export { startDashboard } from './start-dashboard.js';
export { rolloutView, rolloutSummary, type RolloutObjects } from './rollout-view.js';
export { stepViews, describeStep } from './steps.js';
export { parseThreshold, metricThreshold } from './threshold.js';
export { analysisRunView, firstNumber, measurementPoints } from './measurement-series.js';
export { formatSseEvent, formatSseComment, formatSseRetry } from './sse.js';
export { decideActionRequest, actionHeader, type ActionDecision, type ActionRequest, type ActionPolicy } from './action-guard.js';
export { checkBind, isLoopbackHost, DashboardBindError } from './bind-policy.js';
export { runDashboardAction, DashboardActionError, type RolloutRef } from './rollout-actions.js';
export { dashboardActions } from './types.js';
export type * from './types.js';
