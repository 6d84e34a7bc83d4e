import { z } from 'zod';

/*
 * Building blocks shared by the Rollout schemas. Two conventions hold for
 * every schema in src/api:
 *
 * - Spec objects are strict: an unknown field is an error that names it
 *   (a typo such as `setWieght` must never be silently ignored). Status
 *   objects are loose (see rollout-status.ts).
 * - No `.default()`: parsing returns exactly what the manifest says, so lint
 *   echoes the user's own values and a server-side apply never writes fields
 *   the user did not. Argo applies its defaults in the controller; so do we,
 *   through defaults.ts.
 *
 * The CRD is generated from these schemas (crd.ts). Its JSON Schema carries
 * structure and types only; the `x-kubernetes-*` meta below is how a schema
 * says what the generator cannot infer.
 */

/** An Argo `int32` field; the format travels into the CRD as Argo's does. */
export function int32(description?: string) {
  return z.int32().meta({ format: 'int32', ...(description === undefined ? {} : { description }) });
}

/**
 * Kubernetes' IntOrString (`maxSurge: 1` or `maxSurge: 25%`, `duration: 30` or
 * `duration: 30s`). Its meaning (percent, Go duration) is checked by
 * spec-checks.ts, like Argo, so the message can say what the value means.
 */
export function intOrString(description?: string) {
  return z
    .union([z.int32(), z.string()], { error: 'expected an integer or a string' })
    .meta({ 'x-kubernetes-int-or-string': true, ...(description === undefined ? {} : { description }) });
}

/**
 * An object Gradual accepts without modelling it: embedded Kubernetes types
 * (a PodSpec, an Affinity) and Argo fields Gradual does not support yet (their
 * content is not checked here; not-yet-supported.ts rejects them by name).
 * In the CRD it is `type: object` with unknown fields preserved.
 */
export function opaqueObject(description?: string) {
  return z
    .record(z.string(), z.unknown())
    .meta({ 'x-kubernetes-preserve-unknown-fields': true, ...(description === undefined ? {} : { description }) });
}

/** Label and annotation maps: string keys, string values (a YAML `1` or `true` is an error, as with kubectl). */
export function stringMap(description?: string) {
  return z.record(z.string(), z.string()).meta(description === undefined ? {} : { description });
}

/** A metav1.Time: an RFC 3339 date-time such as `2024-05-01T10:00:00Z`. */
export function timestamp(description?: string) {
  return z.iso.datetime({ offset: true }).meta(description === undefined ? {} : { description });
}

export const labelSelectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** metav1.LabelSelector, modelled in full: the selector-matches-template check needs it. */
export function labelSelector(description?: string) {
  return z
    .strictObject({
      matchLabels: stringMap('label key/value pairs that all must match').optional(),
      matchExpressions: z
        .array(
          z.strictObject({
            key: z.string(),
            operator: z.enum(labelSelectorOperators),
            values: z.array(z.string()).optional(),
          }),
        )
        .optional(),
    })
    .meta(description === undefined ? {} : { description });
}

/** Extra labels and annotations for the pods of one role (canary, stable, preview, active). */
export function podTemplateMetadata(description: string) {
  return z
    .strictObject({
      labels: stringMap().optional(),
      annotations: stringMap().optional(),
    })
    .meta({ description });
}

/** Which inter-pod anti-affinity rule to inject between the old and the new ReplicaSet's pods; exactly one of the two. */
export function antiAffinity() {
  return z
    .strictObject({
      preferredDuringSchedulingIgnoredDuringExecution: z.strictObject({ weight: int32('1 to 100') }).optional(),
      requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({}).optional(),
    })
    .meta({ description: 'anti-affinity between the pods of the new and the previous ReplicaSet' });
}

/** A step of a path into a manifest: a field name or an array index. */
export type PathSegment = string | number;
