import { stringify } from 'yaml';
import type { PemPair } from './pki.js';

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A kubeconfig with one cluster, one user and one context, all named `gradual-local`. */
export function renderKubeconfig(options: { server: string; caCert: string; client: PemPair }): string {
  const name = 'gradual-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': base64(options.caCert) } }],
    users: [{ name, user: { 'client-certificate-data': base64(options.client.cert), 'client-key-data': base64(options.client.key) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}
