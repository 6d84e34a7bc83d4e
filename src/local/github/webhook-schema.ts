import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { addFormats } from './ajv-formats.js';

/**
 * Validates webhook payloads against @octokit/webhooks-schemas, one
 * definition per event and action (`check_run$created`). The schema is read
 * once per process and each definition compiled on first use.
 */
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
const schemaId = 'octokit-webhooks';

function validatorFor(event: string, action: string): ValidateFunction {
  const name = `${event}$${action}`;
  const cached = compiled.get(name);
  if (cached !== undefined) return cached;
  if (ajv === undefined) {
    const path = createRequire(import.meta.url).resolve('@octokit/webhooks-schemas/schema.json');
    const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    // Only the definitions: the root's oneOf over every event would be compiled on first use (seconds).
    ajv.addSchema({ $schema: String(schema['$schema']), $id: schemaId, definitions: schema['definitions'] });
  }
  const validate = ajv.getSchema(`${schemaId}#/definitions/${encodeURIComponent(name)}`);
  if (validate === undefined) throw new Error(`@octokit/webhooks-schemas has no definition ${name}`);
  compiled.set(name, validate);
  return validate;
}

export interface PayloadCheck {
  valid: boolean;
  errors: ErrorObject[];
}

export function validateWebhookPayload(event: string, action: string, payload: unknown): PayloadCheck {
  const validate = validatorFor(event, action);
  const valid = validate(payload);
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}
