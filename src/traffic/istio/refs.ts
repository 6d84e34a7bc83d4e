import { parseObject, type Parsed } from '../parse-object.js';
import { problemAt } from '../plan.js';
import type { JsonObject, ObjectRef, RouterRollout } from '../types.js';
import { destinationRuleSchema, virtualServiceSchema, type VirtualService } from './schema.js';

/** Argo's default Istio API version (utils/defaults: DefaultIstioVersion). */
export const defaultIstioApiVersion = 'v1alpha3';

/**
 * A VirtualService reference as Argo reads it (utils/istio
 * GetVirtualServiceNamespaceName): `name`, or `name.namespace` with an
 * optional `.cluster.local` suffix; the last label is the namespace, so a
 * name may itself contain dots. Without a namespace, the Rollout's.
 */
export function virtualServiceRef(rollout: RouterRollout, reference: string, apiVersion: string): ObjectRef {
  const fields = reference.replace(/\.cluster\.local$/u, '').split('.');
  const namespace = fields.length >= 2 ? (fields.at(-1) ?? '') : '';
  const name = fields.length >= 2 ? fields.slice(0, -1).join('.') : (fields[0] ?? '');
  return {
    group: 'networking.istio.io',
    version: apiVersion,
    resource: 'virtualservices',
    kind: 'VirtualService',
    namespace: namespace === '' ? rollout.namespace : namespace,
    name,
  };
}

/** The DestinationRule of subset-level splitting: always in the Rollout's namespace, as in Argo. */
export function destinationRuleRef(rollout: RouterRollout, name: string, apiVersion: string): ObjectRef {
  return {
    group: 'networking.istio.io',
    version: apiVersion,
    resource: 'destinationrules',
    kind: 'DestinationRule',
    namespace: rollout.namespace,
    name,
  };
}

/** The VirtualService, parsed; absent is NotFound, named by the Rollout field that references it. */
export function readVirtualService(ref: ObjectRef, object: JsonObject | undefined): Parsed<VirtualService> {
  if (object === undefined)
    return problemAt(
      'NotFound',
      ref,
      '',
      `VirtualService \`${ref.name}\` not found (referenced by spec.strategy.canary.trafficRouting.istio)`,
    );
  return parseObject(virtualServiceSchema, object, ref);
}

/**
 * The host header and mirror routes send to: the DestinationRule's
 * spec.host under subset-level splitting (when set), else the canary
 * Service (Argo's getDestinationRuleHost).
 */
export function canaryHost(rollout: RouterRollout, ruleRef: ObjectRef | undefined, rule: JsonObject | undefined): Parsed<string> {
  if (ruleRef === undefined) return { ok: true, value: rollout.canaryService };
  if (rule === undefined)
    return problemAt(
      'NotFound',
      ruleRef,
      '',
      `DestinationRule \`${ruleRef.name}\` not found (referenced by spec.strategy.canary.trafficRouting.istio.destinationRule)`,
    );
  const parsed = parseObject(destinationRuleSchema, rule, ruleRef);
  if (!parsed.ok) return parsed;
  const host = parsed.value.spec.host ?? '';
  return { ok: true, value: host === '' ? rollout.canaryService : host };
}
