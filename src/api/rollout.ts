import { z } from 'zod';
import { objectMetaSchema, rolloutSpecSchema } from './rollout-spec.js';
import { rolloutStatusSchema } from './rollout-status.js';

export const rolloutGroup = 'argoproj.io';
export const rolloutVersion = 'v1alpha1';
export const rolloutApiVersion = `${rolloutGroup}/${rolloutVersion}`;
export const rolloutKind = 'Rollout';

/**
 * The argoproj.io/v1alpha1 Rollout, once: lint, the engine and the CRD
 * generator all use this schema. The spec is strict; the status is loose and
 * read with parseRolloutStatus by the engine, so a status written by someone
 * else never makes a Rollout invalid.
 */
export const rolloutSchema = z
  .strictObject({
    apiVersion: z.literal(rolloutApiVersion),
    kind: z.literal(rolloutKind),
    metadata: objectMetaSchema.optional(),
    spec: rolloutSpecSchema,
    status: rolloutStatusSchema.optional(),
  })
  .meta({ description: 'Rollout: a Deployment with canary and blue-green strategies (Argo Rollouts compatible)' });
