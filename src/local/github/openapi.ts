import { addFormats } from './ajv-formats.js';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { loadGithubDescription } from './description.js';

let building: Promise<OpenAPIBackend> | undefined;

/**
 * The router and validator over GitHub's description, built once per process.
 * `quick` makes openapi-backend dereference synchronously and compile an
 * operation's validators on first use: the description has ~1,100 operations
 * and compiling them all takes minutes. The operations this server serves are
 * compiled here, up front (≈ 2.5 s), so no request pays for it.
 */
export function githubOpenApi(servedOperations: readonly string[]): Promise<OpenAPIBackend> {
  building ??= loadGithubDescription().then(buildApi);
  return building.then((api) => {
    for (const operationId of servedOperations) {
      api.validator.getRequestValidatorsForOperation(operationId);
      api.validator.getStatusBasedResponseValidatorForOperation(operationId);
    }
    return api;
  });
}

async function buildApi(definition: Document): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    strict: false,
    validate: true,
    coerceTypes: true,
    ajvOpts: { strict: false, logger: false },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await api.init();
  return api;
}
