import { describe, expect, test } from 'vitest';
import { canonicalRequest, signature, verifySigv4 } from './sigv4-verify.js';

// AWS's SigV4 test suite, vector get-vanilla: the published credentials, date and signature.
const key = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
};
const vanilla = {
  method: 'GET',
  url: '/',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  body: '',
};
const at = new Date('2015-08-30T12:36:00Z');

describe('the stand-in SigV4 verifier, against AWS published test vector', () => {
  test("get-vanilla's signature is recomputed", () => {
    expect(signature(key, '20150830T123600Z', canonicalRequest(vanilla, ['host', 'x-amz-date']))).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(verifySigv4(vanilla, key, at)).toEqual({ ok: true });
  });

  test.each([
    ['no Authorization', { ...vanilla, headers: { ...vanilla.headers, authorization: undefined } }, at, 'missing'],
    ['another key', vanilla, at, 'unknown-key', { ...key, accessKeyId: 'AKIDOTHER' }],
    ['another region', vanilla, at, 'wrong-region', { ...key, region: 'eu-west-1' }],
    ['a changed path', { ...vanilla, url: '/other' }, at, 'mismatch'],
    ['a changed query', { ...vanilla, url: '/?a=1' }, at, 'mismatch'],
    ['another secret', vanilla, at, 'mismatch', { ...key, secretAccessKey: 'x' }],
    ['six minutes late', vanilla, new Date(at.getTime() + 6 * 60 * 1000), 'expired'],
  ])('%s is refused', (_name, request, now, reason, verifyKey = key) => {
    expect(verifySigv4(request, verifyKey, now)).toMatchObject({ ok: false, reason });
  });
});
