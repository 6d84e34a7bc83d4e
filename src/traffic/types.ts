import type { SetHeaderRoute, SetMirrorRoute, TrafficRouting } from '../api/traffic-routing.js';

export type { SetHeaderRoute, SetMirrorRoute, TrafficRouting } from '../api/traffic-routing.js';

/** Argo's Type() strings, so logs and status read as Argo's do. */
export type RouterType = 'Istio' | 'SMI' | 'Nginx' | 'GatewayAPI' | 'Traefik' | 'Apisix' | 'ALB' | 'Ambassador' | 'AppMesh';

/** Argo's WeightDestination: an additional destination (an experiment's Service) and its weight. */
export interface WeightDestination {
  weight: number;
  serviceName: string;
  podTemplateHash: string;
}

/**
 * Argo's VerifyWeight answer: true/false once the router knows, or
 * `notSupported` (Argo returns nil) when the router cannot tell — the
 * engine then treats the weight as applied.
 */
export type VerifyWeightResult = boolean | 'notSupported';

/** What the routers need to know about a Rollout; built by routerRollout() from the Rollout object. */
export interface RouterRollout {
  name: string;
  namespace: string;
  /** For ownerReferences on the objects a router creates (TrafficSplit, canary Ingress). */
  uid: string;
  canaryService: string;
  stableService: string;
  trafficRouting: TrafficRouting;
  /**
   * With canary.pingPong: the ping/pong Services as stable and canary, per
   * status.canary.stablePingPong (ping stable when it says ping, else pong),
   * as Argo's GetStableAndCanaryServices(rollout, true) picks them for ALB.
   */
  pingPong?: { stable: string; canary: string };
  /** Names used by the setHeaderRoute and setMirrorRoute steps (Istio removes them at the end). */
  stepRouteNames: string[];
}

/** A JSON object as the API server sends it. */
export type JsonObject = Record<string, unknown>;

/** One object a router reads or writes. */
export interface ObjectRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** The plural resource name in the URL. */
  resource: string;
  kind: string;
  namespace: string;
  name: string;
}

/** A write a router decided on; every one carries the resourceVersion it was decided from (create excepted). */
export type RouterWrite =
  | { verb: 'create'; ref: ObjectRef; object: JsonObject }
  | { verb: 'replace'; ref: ObjectRef; object: JsonObject }
  | { verb: 'patch'; ref: ObjectRef; patch: JsonObject; resourceVersion: string }
  /** Only on the resourceVersion read (a precondition), so an object changed since is not deleted; already gone is done. */
  | { verb: 'delete'; ref: ObjectRef; resourceVersion: string };

/** An Event to record on the Rollout, with Argo's reason. */
export interface RouterEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * Why a router cannot do what it was asked: InvalidSpec (the Rollout or the
 * router object is not usable as it is), NotFound (a referenced object is
 * absent), NotOwned (the object exists but another owner controls it).
 */
export type RouterProblemCode = 'InvalidSpec' | 'NotFound' | 'NotOwned';

/** A problem and its place: the object (kind, namespace, name) and the field path inside it. */
export interface RouterProblem {
  code: RouterProblemCode;
  kind: string;
  namespace: string;
  name: string;
  field: string;
  message: string;
}

/** A pure router decision: the writes (none when the objects are already as desired) or the problem. */
export type RouterPlan = { ok: true; writes: RouterWrite[]; events: RouterEvent[] } | { ok: false; problem: RouterProblem };

/** What a router call did: the writes sent and the Events for the Rollout. */
export interface RouterOutcome {
  writes: number;
  events: RouterEvent[];
}

/**
 * One traffic router, modelled on Argo's TrafficRoutingReconciler
 * (rollout/trafficrouting/trafficroutingutil.go). Failures reject with a
 * TrafficRoutingError (code, place, retryable) or the API error.
 */
export interface TrafficRouter {
  readonly type: RouterType;
  /** Tells the router the canary, stable and additional pod-template hashes (Istio: DestinationRule subsets). */
  updateHash(canaryHash: string, stableHash: string, additional?: readonly WeightDestination[]): Promise<RouterOutcome>;
  setWeight(desiredWeight: number, additional?: readonly WeightDestination[]): Promise<RouterOutcome>;
  /** A route without `match` is removed. */
  setHeaderRoute(route: SetHeaderRoute): Promise<RouterOutcome>;
  /** A route without `match` is removed. */
  setMirrorRoute(route: SetMirrorRoute): Promise<RouterOutcome>;
  verifyWeight(desiredWeight: number, additional?: readonly WeightDestination[]): Promise<VerifyWeightResult>;
  removeManagedRoutes(): Promise<RouterOutcome>;
}

/**
 * One read → decide → write of a router, as data: the objects it reads and the
 * pure decision on them. The shell runs it against the API (applyRouterPlan,
 * retrying a 409 from a fresh read); the engine's planner evaluates it against
 * the cached objects (planRouterOperations), so a router that cannot take the
 * plan is an InvalidSpec of the same reconcile, without a dry run.
 */
export interface RouterCall {
  refs: readonly ObjectRef[];
  /**
   * Objects named inside the ones in `refs` (App Mesh: the VirtualRouter its
   * VirtualService names), read after them; `decide` gets them after the
   * objects of `refs`, in order.
   */
  follow?: (current: readonly (JsonObject | undefined)[]) => readonly ObjectRef[];
  decide(current: readonly (JsonObject | undefined)[]): RouterPlan;
}

/** A TrafficRouter's methods as RouterCalls (in order): what bindRouter runs and planRouterOperations evaluates. */
export interface RouterDecisions {
  readonly type: RouterType;
  /** Every object a call may read, so the shell can have them at hand before the reconcile decides. */
  refs(): ObjectRef[];
  updateHash(canaryHash: string, stableHash: string, additional?: readonly WeightDestination[]): RouterCall[];
  setWeight(desiredWeight: number, additional?: readonly WeightDestination[]): RouterCall[];
  setHeaderRoute(route: SetHeaderRoute): RouterCall[];
  setMirrorRoute(route: SetMirrorRoute): RouterCall[];
  verifyWeight(desiredWeight: number, additional?: readonly WeightDestination[]): VerifyWeightResult;
  removeManagedRoutes(): RouterCall[];
}

/** One call of Argo's TrafficRoutingReconciler interface, as the engine's plan names it (its routeTraffic action). */
export type RouterOperation =
  /** `additional`: the running experiment's weighted templates (Argo's additionalDestinations); absent reads as none. */
  | { op: 'updateHash'; canaryHash: string; stableHash: string; additional?: WeightDestination[] }
  | { op: 'setWeight'; weight: number; additional?: WeightDestination[] }
  | { op: 'setHeaderRoute'; route: SetHeaderRoute }
  | { op: 'setMirrorRoute'; route: SetMirrorRoute }
  | { op: 'removeManagedRoutes' };

/** The router objects as a reconcile sees them (the engine's informer caches): undefined when absent. */
export type RouterObjects = (ref: ObjectRef) => JsonObject | undefined;

/** Reads and writes the routers' objects; implemented over the REST client in kube-port.ts. */
export interface TrafficKube {
  /** The object, or undefined when it does not exist. */
  read(ref: ObjectRef): Promise<JsonObject | undefined>;
  /** Sends one write; a stale resourceVersion (or a create of an existing object) rejects with a 409 ApiException. */
  write(write: RouterWrite): Promise<void>;
}

/** Options shared by the routers' shells. */
export interface RouterOptions {
  /** Istio's API version for VirtualService and DestinationRule (Argo's --istio-api-version); default v1alpha3. */
  istioApiVersion?: string;
  /** SMI TrafficSplit version (Argo's --traffic-split-api-version): v1alpha1, v1alpha2 or v1alpha3; default v1alpha1. */
  smiApiVersion?: string;
  /** Ambassador's Mapping API version (Argo's --ambassador-api-version): getambassador.io/v2 (default), getambassador.io/v3alpha1 or x.getambassador.io/v3alpha1. */
  ambassadorApiVersion?: string;
}

/** The current split of one route: each destination and its weight. */
export interface RouteWeights {
  /** The object and route the weights come from: `VirtualService ns/name http[0] (primary)`. */
  source: string;
  destinations: DestinationWeight[];
}

export interface DestinationWeight {
  /** The Service (an Istio host shortened to its first label, as Argo compares them). */
  service: string;
  /** Istio subset-level splitting: the DestinationRule subset. */
  subset?: string;
  port?: number;
  weight: number;
}
