export { createKeyQueue, defaultMinDelayMs } from './key-queue.js';
export { TerminalError, isRetryable } from '../errors/terminal-error.js';
export { systemClock } from './clock.js';
export { createFakeClock, type FakeClock } from './fake-clock.js';
export { createInformerCache, type InformerCache, type InformerHandler } from './informer-cache.js';
export { createControllerIndex, type ControllerIndex } from './controller-index.js';
export {
  createSharedInformers,
  type InformerRegistration,
  type InformerSpec,
  type SharedInformer,
  type SharedInformers,
} from './shared-informers.js';
export { createController, watch, type Controller, type ControllerDefinition, type ControllerWatch } from './controller.js';
export { createManager, type Manager, type ManagerLeaderElection, type ManagerOptions, type Runnable } from './manager.js';
export { clusterIdentity, createClusterManagers, type ClusterManagers } from './cluster-managers.js';
export {
  decideLeadership,
  defaultLeaderElectionTiming,
  formatMicroTime,
  type LeaderElectionTiming,
  type LeadershipAction,
  type LeadershipDecision,
  type LeaseLock,
  type LeaseObject,
} from './decide-leadership.js';
export { runLeaderElection, type LeaderElectionOptions, type LeaderElector } from './leader-election.js';
export { patchMerge, replaceWithResourceVersion, isConflict, isNotFound, isGone, statusCodeOf } from './apply.js';
export { apiPath, type ResourceRef } from './api-path.js';
export { createEventRecorder, type EventRecorder } from './event-recorder.js';
export { eventSourceComponent, recordObjectEvent, type EventSubject, type ObjectEvent } from './object-event.js';
export { createRestClient, type RestClient, type RestMethod, type RestRequest } from './rest-client.js';
export { createRequestCounter, classifyRequest, countingHttpLibrary, makeCountedApiClient } from './request-counter.js';
export type * from './types.js';
