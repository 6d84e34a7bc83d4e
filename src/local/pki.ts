// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the reflect polyfill loaded first.
import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 is typed against the DOM Crypto; Node's webcrypto implements the same interface.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface PemPair {
  cert: string;
  key: string;
}

/** Everything the control plane's TLS and service-account tokens need, as PEM. */
export interface ControlPlanePki {
  ca: PemPair;
  apiServer: PemPair;
  /** Client certificate in `system:masters`: the kubeconfig of the environment's owner and of its components. */
  admin: PemPair;
  serviceAccount: { publicKey: string; privateKey: string };
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const validityDays = 3650;

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(): { notBefore: Date; notAfter: Date } {
  // Back-dated a little so a certificate is valid at once even with clock skew between processes.
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + validityDays * 24 * 60 * 60 * 1000);
  return { notBefore, notAfter };
}

/** A fresh CA and the certificates of one local control plane on loopback. */
export async function createControlPlanePki(): Promise<ControlPlanePki> {
  const caKeys = await newKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=gradual-local-ca',
    keys: caKeys,
    signingAlgorithm: algorithm,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  async function issue(
    serialNumber: string,
    subject: string,
    usage: 'server' | 'client',
    names: x509.JsonGeneralName[] = [],
  ): Promise<PemPair> {
    const keys = await newKeys();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ];
    if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: algorithm,
      ...validity(),
      extensions,
    });
    return { cert: cert.toString('pem'), key: await privateKeyPem(keys) };
  }

  const apiServer = await issue('02', 'CN=kube-apiserver', 'server', [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'dns', value: 'localhost' },
    // The first address of the service range: in-cluster clients reach the API as the `kubernetes` Service.
    { type: 'ip', value: '10.96.0.1' },
    { type: 'dns', value: 'kubernetes' },
    { type: 'dns', value: 'kubernetes.default' },
    { type: 'dns', value: 'kubernetes.default.svc' },
    { type: 'dns', value: 'kubernetes.default.svc.cluster.local' },
  ]);
  const admin = await issue('03', 'CN=gradual-admin, O=system:masters', 'client');
  const serviceAccount = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    ca: { cert: caCert.toString('pem'), key: await privateKeyPem(caKeys) },
    apiServer,
    admin,
    serviceAccount: { publicKey: serviceAccount.publicKey, privateKey: serviceAccount.privateKey },
  };
}
