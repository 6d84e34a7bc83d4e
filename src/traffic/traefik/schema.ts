import { z } from 'zod';
import { routerObjectMetadataSchema } from '../object-metadata.js';

/** Argo's default Traefik group and version (utils/defaults: DefaultTraefikAPIGroup, DefaultTraefikVersion). */
export const traefikGroup = 'traefik.containo.us';
export const traefikVersion = 'v1alpha1';

/** The parts of a TraefikService the router reads; everything else passes through. */
export const traefikServiceSchema = z.looseObject({
  metadata: routerObjectMetadataSchema,
  spec: z
    .looseObject({
      weighted: z
        .looseObject({
          services: z.array(z.looseObject({ name: z.string(), weight: z.number().int().optional() })).optional(),
        })
        .optional(),
    })
    .optional(),
});

export type TraefikService = z.infer<typeof traefikServiceSchema>;
