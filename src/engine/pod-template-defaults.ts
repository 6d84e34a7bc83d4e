/*
 * What the API server fills into a pod template it stores (Kubernetes' SetObjectDefaults_PodTemplate,
 * as v1.34 applies it): a ReplicaSet's template carries these, the Rollout's own template (a custom
 * resource, never defaulted) does not. Argo's PodTemplateEqualIgnoreHash applies the same defaults to
 * the desired template before comparing, so a Rollout adopted from Argo (whose ReplicaSets carry
 * Argo's hash, not ours) is matched to its ReplicaSet instead of being redeployed. Only a field left
 * unset is filled; a default missing from this list only makes a comparison fail (a new ReplicaSet,
 * as without it), never succeed wrongly. test/integration/argo-adoption.test.ts runs it against
 * ReplicaSets Argo's controller created.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function each(value: unknown, visit: (item: Json) => void): void {
  if (Array.isArray(value)) for (const item of value) if (isObject(item)) visit(item);
}

function fill(target: Json, defaults: Json): void {
  for (const [key, value] of Object.entries(defaults)) if (target[key] === undefined) target[key] = value;
}

/** Kubernetes' image pull policy default: Always for `:latest` or no tag (and no digest), else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const [name = '', digest] = image.split('@', 2);
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon === -1 ? (digest === undefined ? 'latest' : '') : lastSegment.slice(colon + 1);
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultFieldRefs(items: unknown): void {
  each(items, (item) => {
    if (isObject(item.fieldRef)) fill(item.fieldRef, { apiVersion: 'v1' });
  });
}

function defaultHandler(handler: unknown): void {
  if (isObject(handler) && isObject(handler.httpGet)) fill(handler.httpGet, { scheme: 'HTTP' });
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  fill(probe, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  defaultHandler(probe);
}

function defaultContainer(container: Json): void {
  fill(container, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} });
  if (container.imagePullPolicy === undefined && typeof container.image === 'string')
    container.imagePullPolicy = defaultPullPolicy(container.image);
  each(container.ports, (port) => {
    fill(port, { protocol: 'TCP' });
  });
  each(container.env, (variable) => {
    if (isObject(variable.valueFrom) && isObject(variable.valueFrom.fieldRef)) fill(variable.valueFrom.fieldRef, { apiVersion: 'v1' });
  });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(container[probe]);
  if (isObject(container.lifecycle)) {
    defaultHandler(container.lifecycle.postStart);
    defaultHandler(container.lifecycle.preStop);
  }
}

function defaultVolume(volume: Json): void {
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const source = volume[kind];
    if (isObject(source)) fill(source, { defaultMode: 420 });
  }
  if (isObject(volume.hostPath)) fill(volume.hostPath, { type: '' });
  if (isObject(volume.downwardAPI)) defaultFieldRefs(volume.downwardAPI.items);
  if (isObject(volume.projected)) {
    each(volume.projected.sources, (source) => {
      if (isObject(source.downwardAPI)) defaultFieldRefs(source.downwardAPI.items);
    });
  }
}

/** A copy of the pod template with the API server's defaults filled in where the template leaves a field unset. Pure. */
export function withPodTemplateDefaults(template: unknown): unknown {
  const copy = structuredClone(template ?? {}) as Json;
  if (!isObject(copy.spec)) return copy;
  const spec = copy.spec;
  fill(spec, {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  });
  each(spec.containers, defaultContainer);
  each(spec.initContainers, defaultContainer);
  each(spec.volumes, defaultVolume);
  return copy;
}
