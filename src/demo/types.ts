import type { KubeConfig } from '@kubernetes/client-node';
import type { InformerCache, KubeObject } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import type { DemoPod, DemoService } from './schema.js';

/** A random source in [0, 1): Math.random in production, a seeded one in tests. */
export type RandomSource = () => number;

/** One demo backend: an HTTP server answering `GET /color` for one Ready pod. */
export interface Backend {
  color: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The share (0–1) of `GET /color` requests answered with HTTP 500. */
  errorRate(): number;
  setErrorRate(rate: number): void;
  /** Requests answered so far, errors included. */
  served(): number;
  stop(): Promise<void>;
}

/** How the gateway reaches the process behind a pod: the runner in the demo, a fake set in tests. */
export interface BackendDirectory {
  /** The backend running for the pod, if one is listening now. */
  backendFor(namespace: string, podName: string): Backend | undefined;
  /** Sets the error rate of every backend of that colour, now and for those started later. */
  setErrorRate(color: string, rate: number): void;
  /** Every colour with a backend or an error rate set, with its error rate. */
  colors(): ColorState[];
}

export interface ColorState {
  color: string;
  errorRate: number;
  /** Backends of this colour running now. */
  backends: number;
}

/** The traffic object the gateway honours: what Gradual writes for a canary's trafficRouting. */
export interface RouteObjectRef {
  kind: 'VirtualService' | 'HTTPRoute';
  name: string;
  /** `group/version`; default networking.istio.io/v1alpha3 (Argo's default) or gateway.networking.k8s.io/v1. */
  apiVersion?: string;
  /** The http route (VirtualService) or rule (HTTPRoute) by name; default: the first one. */
  routeName?: string;
}

/** One destination of the route, resolved to the Ready pods behind its Service. */
export interface ResolvedDestination {
  service: string;
  namespace: string;
  weight: number;
  /** Names of the Ready pods the Service selects, sorted. */
  pods: string[];
}

/** The route as the gateway applies it, rebuilt on every watch event that touches it. */
export interface RouteTable {
  /** Which route it comes from (`VirtualService ns/name http[0] (primary)`), or '' when none is known. */
  source: string;
  destinations: ResolvedDestination[];
  /** Why requests cannot be routed (missing object, invalid spec), if so. */
  problem?: string;
  /** When the watch event that produced this table arrived (ms since the epoch). */
  observedAt: number;
}

export interface GatewayOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  route: RouteObjectRef;
  backends: BackendDirectory;
  /** A pod informer over the namespace to share (the runner's); the gateway starts its own otherwise. */
  pods?: InformerCache<KubeObject>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  random?: RandomSource;
  logger?: Logger;
  /** Clock for observedAt; default Date.now. */
  now?: () => number;
}

export interface Gateway {
  url: string;
  metricsUrl: string;
  /** `host:port` for a Prometheus scrape target. */
  hostPort: string;
  routeTable(): RouteTable;
  /** Runs after each rebuild of the route table; returns its unsubscribe function. */
  onRouteTable(handler: (table: RouteTable) => void): () => void;
  stop(): Promise<void>;
}

export interface PodRunnerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** A pod informer over the namespace to share; the runner starts its own otherwise. */
  pods?: InformerCache<KubeObject>;
  /** Error rates per colour to start with. */
  errorRates?: Record<string, number>;
  random?: RandomSource;
  logger?: Logger;
}

export interface PodRunner extends BackendDirectory {
  /** Resolves once the backends of the pods Ready now are listening. */
  settled(): Promise<void>;
  onChange(handler: () => void): () => void;
  stop(): Promise<void>;
}

export interface LoadGeneratorOptions {
  /** The URL each request goes to (the gateway's `/color`). */
  url: string;
  requestsPerSecond: number;
  logger?: Logger;
}

export interface LoadGenerator {
  /** Responses by HTTP status (0: no response). */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

export interface DemoTrafficOptions {
  kubeConfig: KubeConfig;
  /** The demo namespace: its pods get backends, its Services are the route's destinations. */
  namespace: string;
  route: RouteObjectRef;
  /** Gateway port; default 0 (any free port). */
  port?: number;
  host?: string;
  /** Steady load through the gateway; 0 or absent: none. */
  requestsPerSecond?: number;
  /** The local environment's Prometheus targets folder: the gateway is registered there as a scrape target. */
  prometheusTargetsDir?: string;
  errorRates?: Record<string, number>;
  random?: RandomSource;
  logger?: Logger;
}

export interface DemoTraffic {
  gatewayUrl: string;
  metricsUrl: string;
  setErrorRate(color: string, rate: number): void;
  gateway: Gateway;
  runner: PodRunner;
  stop(): Promise<void>;
}

export type { DemoPod, DemoService };
