import { isDeepStrictEqual } from 'node:util';
import { isControlledBy, rolloutControllerRef } from '../owner-reference.js';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import { ingressSchema, type Ingress, type IngressRule } from './schema.js';

/** Argo's default annotation prefix (utils/defaults GetCanaryIngressAnnotationPrefixOrDefault). */
export const defaultAnnotationPrefix = 'nginx.ingress.kubernetes.io';
const canarySuffix = '-canary';

export function ingressRef(namespace: string, name: string): ObjectRef {
  return { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespace, name };
}

/** `<rollout>-<stable ingress>-canary`, the prefix cut so the name stays within 253 characters (Argo's GetCanaryIngressName). */
export function canaryIngressName(rolloutName: string, stableIngressName: string): string {
  return `${rolloutName}-${stableIngressName}`.slice(0, 253 - canarySuffix.length) + canarySuffix;
}

/** The stable Ingress's rules that reach the stable Service, with those backends pointed at the canary Service. */
function canaryRules(rules: readonly IngressRule[], stableService: string, canaryService: string): IngressRule[] {
  return rules.flatMap((rule) => {
    const paths = rule.http?.paths ?? [];
    if (!paths.some((path) => path.backend.service?.name === stableService)) return [];
    const http = {
      ...rule.http,
      paths: paths.map((path) =>
        path.backend.service?.name === stableService
          ? { ...path, backend: { ...path.backend, service: { ...path.backend.service, name: canaryService } } }
          : path,
      ),
    };
    return [{ ...rule, http }];
  });
}

/**
 * The canary Ingress Argo's nginx.go builds from the stable one: its TLS,
 * ingressClassName and `kubernetes.io/ingress.class`; the rules that reach
 * the stable Service, pointed at the canary Service; additionalIngressAnnotations
 * (prefixed), canaryIngressAnnotations (verbatim), then `canary: "true"`,
 * `canary-weight` and, with maxTrafficWeight, `canary-weight-total`.
 */
export function desiredCanaryIngress(
  rollout: RouterRollout,
  stable: Ingress,
  name: string,
  desiredWeight: number,
): { metadata: JsonObject; spec: JsonObject } | { field: string; message: string } {
  const nginx = rollout.trafficRouting.nginx ?? {};
  const prefix = nginx.annotationPrefix ?? defaultAnnotationPrefix;
  const rules = canaryRules(stable.spec?.rules ?? [], rollout.stableService, rollout.canaryService);
  if (rules.length === 0)
    return {
      field: 'spec.rules',
      message: `ingress \`${stable.metadata.name}\` has no rules using service ${rollout.stableService} backend`,
    };
  const annotations: Record<string, string> = {};
  const ingressClass = stable.metadata.annotations?.['kubernetes.io/ingress.class'];
  if (ingressClass !== undefined) annotations['kubernetes.io/ingress.class'] = ingressClass;
  for (const [key, value] of Object.entries(nginx.additionalIngressAnnotations ?? {}))
    annotations[key.startsWith(prefix) ? key : `${prefix}/${key}`] = value;
  Object.assign(annotations, nginx.canaryIngressAnnotations);
  annotations[`${prefix}/canary`] = 'true';
  annotations[`${prefix}/canary-weight`] = String(desiredWeight);
  const total = rollout.trafficRouting.maxTrafficWeight;
  if (total !== undefined) annotations[`${prefix}/canary-weight-total`] = String(total);
  return {
    metadata: { name, annotations, ownerReferences: [rolloutControllerRef(rollout)] },
    spec: {
      ...(stable.spec?.ingressClassName === undefined ? {} : { ingressClassName: stable.spec.ingressClassName }),
      ...(stable.spec?.tls === undefined ? {} : { tls: stable.spec.tls }),
      rules,
    },
  };
}

export interface CanaryIngressInput {
  rollout: RouterRollout;
  stableRef: ObjectRef;
  stable: JsonObject | undefined;
  canaryRef: ObjectRef;
  canary: JsonObject | undefined;
  desiredWeight: number;
}

/** The merge patch from `current` to `desired` for one map: changed keys, and null for keys `desired` lacks. */
function diffKeys(current: Record<string, unknown>, desired: Record<string, unknown>): JsonObject {
  const patch: JsonObject = {};
  for (const key of new Set([...Object.keys(current), ...Object.keys(desired)])) {
    if (!isDeepStrictEqual(current[key], desired[key])) patch[key] = desired[key] ?? null;
  }
  return patch;
}

/**
 * setWeight with NGINX for one stable Ingress (Argo's SetWeightPerIngress):
 * creates the canary Ingress, or patches its annotations, labels and spec
 * where they differ — annotations other controllers added are kept — but
 * only when the Rollout controls it.
 */
export function planCanaryIngress(input: CanaryIngressInput): RouterPlan {
  const { canaryRef, stableRef } = input;
  if (input.stable === undefined)
    return problemAt(
      'NotFound',
      stableRef,
      '',
      `stable Ingress \`${stableRef.name}\` not found (referenced by spec.strategy.canary.trafficRouting.nginx)`,
    );
  const stable = parseObject(ingressSchema, input.stable, stableRef);
  if (!stable.ok) return stable;
  const desired = desiredCanaryIngress(input.rollout, stable.value, canaryRef.name, input.desiredWeight);
  if ('field' in desired) return problemAt('InvalidSpec', stableRef, desired.field, desired.message);
  if (input.canary === undefined) {
    return planned(
      [
        {
          verb: 'create',
          ref: canaryRef,
          object: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { ...desired.metadata, namespace: canaryRef.namespace },
            spec: desired.spec,
          },
        },
      ],
      [
        {
          type: 'Normal',
          reason: 'CreatingCanaryIngress',
          message: `Creating canary ingress \`${canaryRef.name}\` with weight \`${input.desiredWeight}\``,
        },
      ],
    );
  }
  const canary = parseObject(ingressSchema, input.canary, canaryRef);
  if (!canary.ok) return canary;
  const current = canary.value;
  if (!isControlledBy(current.metadata.ownerReferences, input.rollout))
    return problemAt(
      'NotOwned',
      canaryRef,
      'metadata.ownerReferences',
      `canary ingress \`${canaryRef.name}\` controlled by different object`,
    );
  const annotations = { ...current.metadata.annotations, ...(desired.metadata['annotations'] as Record<string, string>) };
  const metadataPatch: JsonObject = {};
  const annotationPatch = diffKeys(current.metadata.annotations ?? {}, annotations);
  if (Object.keys(annotationPatch).length > 0) metadataPatch['annotations'] = annotationPatch;
  // The desired canary Ingress has no labels, so Argo's two-way patch removes any it carries.
  const labelPatch = diffKeys(current.metadata.labels ?? {}, {});
  if (Object.keys(labelPatch).length > 0) metadataPatch['labels'] = labelPatch;
  const specPatch = diffKeys(current.spec ?? {}, desired.spec);
  const patch: JsonObject = {
    ...(Object.keys(metadataPatch).length === 0 ? {} : { metadata: metadataPatch }),
    ...(Object.keys(specPatch).length === 0 ? {} : { spec: specPatch }),
  };
  if (Object.keys(patch).length === 0) return unchanged;
  return planned(
    [{ verb: 'patch', ref: canaryRef, patch, resourceVersion: current.metadata.resourceVersion ?? '' }],
    [
      {
        type: 'Normal',
        reason: 'PatchingCanaryIngress',
        message: `Updating Ingress \`${canaryRef.name}\` to desiredWeight '${input.desiredWeight}'`,
      },
    ],
  );
}
