import { z } from 'zod';

// The few fields of pods and Services the demo reads; everything else passes
// through untouched (the informer's objects are the API server's JSON).
const metadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});

export const demoPodSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ containers: z.array(z.looseObject({ name: z.string(), image: z.string().optional() })) }).optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});
export type DemoPod = z.infer<typeof demoPodSchema>;

export const demoServiceSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ selector: z.record(z.string(), z.string()).optional() }).optional(),
});
export type DemoService = z.infer<typeof demoServiceSchema>;

export const errorRateSchema = z.number().min(0).max(1);

/** `PUT /error-rate` on a backend. */
export const backendErrorRateBodySchema = z.strictObject({ errorRate: errorRateSchema });

/** `PUT /api/error-rate` on the gateway (the page's sliders). */
export const gatewayErrorRateBodySchema = z.strictObject({
  color: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  errorRate: errorRateSchema,
});

/** What a backend answers on `GET /color`, errors included (HTTP 500 with `error: true`). */
export const colorResponseSchema = z.strictObject({ color: z.string(), pod: z.string().optional(), error: z.boolean().optional() });
export type ColorResponse = z.infer<typeof colorResponseSchema>;
