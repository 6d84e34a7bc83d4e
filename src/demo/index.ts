// The demo's real traffic on a machine without a mesh: a backend per Ready
// pod, a gateway that honours the route weights Gradual writes and counts
// requests as Istio does, a load generator, and the demo app page.
export { startDemoTraffic } from './start-demo-traffic.js';
export { startGateway, routeCollectionPath } from './gateway.js';
export { startPodRunner } from './pod-runner.js';
export { startBackend, type BackendOptions } from './backend.js';
export { startLoadGenerator } from './load-generator.js';
export { createPodInformer } from './pod-informer.js';
export { colorOfImage, colorOfPod, isPodReady } from './pod-color.js';
export { resolveRouteTable, selectRoute, podsBehindService, backendsOf, type RouteTableInput } from './resolve-route-table.js';
export { chooseWeighted, chooseUniform } from './weighted-choice.js';
export { createSeededRandom } from './seeded-random.js';
export {
  createRequestMetrics,
  istioRequestLabels,
  istioRequestLabelNames,
  type IstioRequestLabels,
  type RequestMetrics,
  type RequestOutcome,
} from './request-metrics.js';
export { demoPodSchema, demoServiceSchema, colorResponseSchema, type ColorResponse } from './schema.js';
export type * from './types.js';
