import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedRolloutFixture } from './testing/signed-origin.js';
import { gradualAnnotations } from './annotations.js';
import { provenanceKeyFrom, provenanceMessage, signedOriginAnnotations, verifyProvenance } from './provenance.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const { key, origin, object, signed } = signedRolloutFixture(pem);

describe('provenance signatures', () => {
  it('verifies what the bot signed, for a pull request and for a default-branch deploy', () => {
    expect(verifyProvenance(key, signed, object)).toEqual({ kind: 'verified', origin });
    const fromMain = { repository: 'acme/deploys', headSha: 'b'.repeat(40), installationId: 3, environment: 'production' };
    expect(verifyProvenance(key, signedOriginAnnotations(key, fromMain, object), object)).toEqual({ kind: 'verified', origin: fromMain });
  });

  it('says nothing about an object that claims no origin', () => {
    expect(verifyProvenance(key, undefined, object)).toEqual({ kind: 'none' });
    expect(verifyProvenance(key, { 'app.kubernetes.io/name': 'web' }, object)).toEqual({ kind: 'none' });
  });

  // Each field an attacker would change to point the bot's report elsewhere: the annotations copied from a real object, one value edited.
  it.each([
    ['the repository', { [gradualAnnotations.repository]: 'acme/other' }, object],
    ['the installation', { [gradualAnnotations.installation]: '4' }, object],
    ['the pull request', { [gradualAnnotations.pullRequest]: '8' }, object],
    ['the pull request, cleared', { [gradualAnnotations.pullRequest]: '' }, object],
    ['the head SHA', { [gradualAnnotations.headSha]: 'c'.repeat(40) }, object],
    ['the environment', { [gradualAnnotations.environment]: 'staging' }, object],
    ['the namespace (copied to another)', {}, { ...object, namespace: 'staging' }],
    ['the namespace (cluster-scoped)', {}, { ...object, namespace: undefined }],
    ['the kind', {}, { ...object, kind: 'Deployment' }],
    ['the name (copied to another)', {}, { ...object, name: 'web2' }],
    ['the signature itself', { [gradualAnnotations.signature]: `${signed[gradualAnnotations.signature]?.slice(0, -2) ?? ''}AA` }, object],
    ['the signature, truncated', { [gradualAnnotations.signature]: signed[gradualAnnotations.signature]?.slice(0, 10) ?? '' }, object],
    ['the signature, removed', { [gradualAnnotations.signature]: '' }, object],
    [
      'the signature, another version',
      { [gradualAnnotations.signature]: signed[gradualAnnotations.signature]?.replace('v1=', 'v2=') ?? '' },
      object,
    ],
  ] as const)('refuses an origin whose %s was changed', (_field, edit, target) => {
    const check = verifyProvenance(key, { ...signed, ...edit }, target);
    expect(check.kind).toBe('refused');
  });

  it('refuses an unsigned origin and an incomplete one, with the reason', () => {
    const unsigned = Object.fromEntries(Object.entries(signed).filter(([name]) => name !== gradualAnnotations.signature));
    expect(verifyProvenance(key, unsigned, object)).toEqual({
      kind: 'refused',
      reason: 'it carries no gradual.dev/signature',
      claimed: origin,
    });
    const incomplete = verifyProvenance(key, { [gradualAnnotations.repository]: 'acme/deploys' }, object);
    expect(incomplete.kind === 'refused' ? incomplete.reason : '').toMatch(/incomplete/u);
  });

  it("refuses a signature made with another key (another App's private key)", () => {
    const otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    expect(verifyProvenance(provenanceKeyFrom(otherPem, 42), signed, object).kind).toBe('refused');
    // The same private key for another App id is another key too.
    expect(verifyProvenance(provenanceKeyFrom(pem, 43), signed, object).kind).toBe('refused');
  });

  it('derives the same key from the same private key however its PEM is laid out', () => {
    const pkcs8 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const a = provenanceKeyFrom(pkcs8.export({ format: 'pem', type: 'pkcs1' }).toString(), 1);
    const b = provenanceKeyFrom(pkcs8.export({ format: 'pem', type: 'pkcs8' }).toString().replace(/\n/gu, '\r\n'), 1);
    expect(a.equals(b)).toBe(true);
  });

  it('keeps each field apart in the signed message: a value cannot spill into the next field', () => {
    const a = provenanceMessage({ ...origin, repository: 'acme/a","b' }, object);
    const b = provenanceMessage({ ...origin, repository: 'acme/a' }, { ...object, namespace: `b",${object.namespace ?? ''}` });
    expect(a).not.toBe(b);
  });
});
