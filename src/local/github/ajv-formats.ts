import type { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';

/**
 * The formats GitHub's descriptions use: the standard ones checked by
 * ajv-formats, and GitHub's own (`repo.nwo`, `timestamp`, number widths)
 * accepted as annotations, since GitHub documents no syntax for them.
 */
export function addFormats(ajv: Ajv): void {
  formatsPlugin.default(ajv, ['date-time', 'date', 'uri', 'uri-template', 'email', 'int32', 'int64', 'double', 'binary']);
  for (const name of ['repo.nwo', 'timestamp']) ajv.addFormat(name, true);
}
