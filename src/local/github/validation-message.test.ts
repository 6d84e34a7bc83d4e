import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { describeValidationErrors } from './validation-message.js';

function error(partial: Partial<ErrorObject> & Pick<ErrorObject, 'keyword' | 'instancePath' | 'params'>): ErrorObject {
  return { schemaPath: '#', ...partial };
}

describe('describeValidationErrors, in GitHub’s words', () => {
  const data = { requestBody: { name: 'x', head_sha: 1, conclusion: 'great', output: { summary: 'y'.repeat(200) } } };

  it('names a missing field, a wrong type, a value outside an enum, and an over-long string', () => {
    expect(
      describeValidationErrors(
        [
          error({ keyword: 'required', instancePath: '/requestBody', params: { missingProperty: 'head_sha' } }),
          error({ keyword: 'type', instancePath: '/requestBody/head_sha', params: { type: 'string' } }),
          error({ keyword: 'enum', instancePath: '/requestBody/conclusion', params: { allowedValues: ['success', 'failure'] } }),
          error({ keyword: 'maxLength', instancePath: '/requestBody/output/summary', params: { limit: 65535 } }),
        ],
        data,
      ),
    ).toEqual([
      '"head_sha" wasn\'t supplied.',
      "For 'properties/head_sha', 1 is not a string.",
      'For \'properties/conclusion\', "great" is not a member of ["success","failure"].',
      `For 'properties/output/summary', "${'y'.repeat(76)}... is too long (maximum is 65535 characters).`,
    ]);
  });

  it('leaves out the combinator errors ajv adds on top of the real ones, and repeats nothing', () => {
    const required = error({ keyword: 'required', instancePath: '/requestBody', params: { missingProperty: 'name' } });
    expect(
      describeValidationErrors([required, error({ keyword: 'oneOf', instancePath: '/requestBody', params: {} }), required], data),
    ).toEqual(['"name" wasn\'t supplied.']);
  });
});
