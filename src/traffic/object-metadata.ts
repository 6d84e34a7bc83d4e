import { z } from 'zod';

/** The metadata every router reads of a foreign object it patches: its name, and the resourceVersion its write is conditional on. */
export const routerObjectMetadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
});
