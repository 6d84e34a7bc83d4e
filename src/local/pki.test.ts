import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createControlPlanePki, type ControlPlanePki } from './pki.js';

const serverAuth = '1.3.6.1.5.5.7.3.1';
const clientAuth = '1.3.6.1.5.5.7.3.2';

let pki: ControlPlanePki;
let ca: X509Certificate;
let apiServer: X509Certificate;
let admin: X509Certificate;

beforeAll(async () => {
  pki = await createControlPlanePki();
  ca = new X509Certificate(pki.ca.cert);
  apiServer = new X509Certificate(pki.apiServer.cert);
  admin = new X509Certificate(pki.admin.cert);
});

function isPrivateKeyPem(pem: string): boolean {
  return /^-----BEGIN PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END PRIVATE KEY-----\r?\n?$/.test(pem);
}

describe('createControlPlanePki', () => {
  it('makes a self-signed CA that may sign certificates', () => {
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=gradual-local-ca');
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
  });

  it.each([
    { name: 'apiServer', cert: () => apiServer },
    { name: 'admin', cert: () => admin },
  ])('has the CA issue the $name certificate, verifiably signed, not a CA itself, valid now', ({ cert }) => {
    const leaf = cert();
    const now = Date.now();

    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.issuer).toBe(ca.subject);
    expect(leaf.ca).toBe(false);
    expect(new Date(leaf.validFrom).getTime()).toBeLessThan(now);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(now + 365 * 24 * 60 * 60 * 1000);
  });

  it('does not verify a certificate against a CA that did not issue it', async () => {
    const other = new X509Certificate((await createControlPlanePki()).ca.cert);

    expect(apiServer.checkIssued(other)).toBe(false);
    expect(apiServer.verify(other.publicKey)).toBe(false);
  });

  it('names loopback and the in-cluster kubernetes Service in the API server certificate, for server auth', () => {
    const sans = (apiServer.subjectAltName ?? '').split(', ');

    expect(sans).toEqual(
      expect.arrayContaining(['IP Address:127.0.0.1', 'DNS:localhost', 'IP Address:10.96.0.1', 'DNS:kubernetes.default.svc']),
    );
    expect(apiServer.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(apiServer.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(apiServer.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(apiServer.checkHost('example.com')).toBeUndefined();
    expect(apiServer.keyUsage).toEqual([serverAuth]);
  });

  it('puts the admin client certificate in system:masters, for client auth', () => {
    expect(admin.subject.split('\n')).toEqual(expect.arrayContaining(['O=system:masters']));
    expect(admin.keyUsage).toEqual([clientAuth]);
  });

  it.each([
    { name: 'ca', pair: () => pki.ca, cert: () => ca },
    { name: 'apiServer', pair: () => pki.apiServer, cert: () => apiServer },
    { name: 'admin', pair: () => pki.admin, cert: () => admin },
  ])('gives $name a PEM "PRIVATE KEY" that matches its certificate and no other', ({ pair, cert }) => {
    const { key } = pair();
    expect(isPrivateKeyPem(key)).toBe(true);

    const privateKey = createPrivateKey(key);
    expect(cert().checkPrivateKey(privateKey)).toBe(true);
    const others = [ca, apiServer, admin].filter((candidate) => candidate !== cert());
    expect(others.map((other) => other.checkPrivateKey(privateKey))).toEqual([false, false]);
  });

  it('gives the service-account signer a matching PEM key pair', () => {
    const { publicKey, privateKey } = pki.serviceAccount;
    expect(isPrivateKeyPem(privateKey)).toBe(true);
    expect(publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    const derived = createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' });
    expect(derived).toBe(publicKey);
    const data = Buffer.from('token');
    expect(verify('sha256', data, publicKey, sign('sha256', data, privateKey))).toBe(true);
  });
});
