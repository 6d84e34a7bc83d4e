import { z } from 'zod';
import { routerObjectMetadataSchema } from '../object-metadata.js';

/** Argo's default Ambassador API version (utils/defaults: DefaultAmbassadorVersion, --ambassador-api-version). */
export const defaultAmbassadorApiVersion = 'getambassador.io/v2';

/** The parts of a Mapping the router reads; everything else is copied as it is. */
export const mappingSchema = z.looseObject({
  metadata: routerObjectMetadataSchema,
  spec: z
    .looseObject({
      service: z.string().optional(),
      weight: z.number().int().optional(),
    })
    .optional(),
});

export type Mapping = z.infer<typeof mappingSchema>;
