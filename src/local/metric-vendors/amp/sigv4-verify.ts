import { createHash, createHmac } from 'node:crypto';

/*
 * A SigV4 verifier written from AWS's description of the algorithm ("Create a signed AWS API
 * request", IAM User Guide), independent of the signer the product uses (@smithy/signature-v4):
 * the canonical request, the string to sign, the derived signing key, the signature. Checked
 * against AWS's own published test vector (sigv4-verify.test.ts). Test infrastructure.
 */

export interface VerifyKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** The session token temporary credentials carry; when set, x-amz-security-token must be sent and signed. */
  sessionToken?: string | undefined;
  region: string;
  service: string;
}

export interface SignedRequest {
  method: string;
  /** The path and query as they came on the wire (`/a/b?x=1`). */
  url: string;
  /** Header names lower-case, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Why a request is refused, in the words AWS answers with (403 for each). */
export type Verdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'missing' | 'malformed' | 'unknown-key' | 'wrong-region' | 'wrong-service' | 'expired' | 'mismatch' | 'token';
      message: string;
    };

/** RFC 3986 unreserved characters stay; every other byte is %XX, upper-case (AWS's UriEncode). */
export function uriEncode(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/u.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/gu, ' ');
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2);
  // Non-S3 services sign each path segment URI-encoded once more than it travels.
  const path = rawPath === '' ? '/' : rawPath.split('/').map(uriEncode).join('/');
  const pairs = new URLSearchParams(rawQuery);
  const query = [...pairs]
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join('');
  return [request.method, path, query, headers, signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
}

export function signature(key: VerifyKey, amzDate: string, canonical: string): string {
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${key.region}/${key.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, day), key.region), key.service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9\-;]+), ?Signature=([0-9a-f]{64})$/u;

/** Verifies the request's Authorization header against the key at `now` (AWS refuses a signature more than 5 minutes off). */
export function verifySigv4(request: SignedRequest, key: VerifyKey, now: Date): Verdict {
  const authorization = headerValue(request.headers.authorization);
  if (authorization === '') return { ok: false, reason: 'missing', message: 'Missing Authentication Token' };
  const match = authorizationPattern.exec(authorization);
  if (match === null)
    return {
      ok: false,
      reason: 'malformed',
      message: 'Authorization header requires existence of Credential, SignedHeaders and Signature',
    };
  const [, accessKeyId = '', day = '', region = '', service = '', signedList = '', sent = ''] = match;
  if (accessKeyId !== key.accessKeyId)
    return { ok: false, reason: 'unknown-key', message: 'The security token included in the request is invalid.' };
  if (region !== key.region)
    return { ok: false, reason: 'wrong-region', message: `Credential should be scoped to a valid region, not '${region}'.` };
  if (service !== key.service)
    return { ok: false, reason: 'wrong-service', message: `Credential should be scoped to correct service: '${key.service}'.` };
  const amzDate = headerValue(request.headers['x-amz-date']);
  const parsed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/u.exec(amzDate);
  if (parsed === null || amzDate.slice(0, 8) !== day)
    return {
      ok: false,
      reason: 'malformed',
      message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP',
    };
  const signedAt = Date.UTC(
    Number(parsed[1]),
    Number(parsed[2]) - 1,
    Number(parsed[3]),
    Number(parsed[4]),
    Number(parsed[5]),
    Number(parsed[6]),
  );
  if (Math.abs(now.getTime() - signedAt) > 5 * 60 * 1000)
    return { ok: false, reason: 'expired', message: `Signature expired: ${amzDate} is now earlier or later than the allowed window` };
  const signedHeaders = signedList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { ok: false, reason: 'malformed', message: "'Host' or 'x-amz-date' must be a signed header" };
  if (
    key.sessionToken !== undefined &&
    (headerValue(request.headers['x-amz-security-token']) !== key.sessionToken || !signedHeaders.includes('x-amz-security-token'))
  )
    return { ok: false, reason: 'token', message: 'The security token included in the request is invalid.' };
  const expected = signature(key, amzDate, canonicalRequest(request, signedHeaders));
  if (expected !== sent)
    return {
      ok: false,
      reason: 'mismatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  return { ok: true };
}
