import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from './kubeconfig.js';

const caCert = '-----BEGIN CERTIFICATE-----\nQ0EgY2VydA==\n-----END CERTIFICATE-----\n';
const client = {
  cert: '-----BEGIN CERTIFICATE-----\nY2xpZW50IGNlcnQ=\n-----END CERTIFICATE-----\n',
  key: '-----BEGIN PRIVATE KEY-----\nY2xpZW50IGtleQ==\n-----END PRIVATE KEY-----\n',
};

function decode(value: unknown): string {
  expect(typeof value).toBe('string');
  return Buffer.from(value as string, 'base64').toString('utf8');
}

describe('renderKubeconfig', () => {
  it.each(['https://127.0.0.1:6443', 'https://localhost:41234/some/prefix'])(
    'parses back to one cluster, user and context for %s',
    (server) => {
      const config = parse(renderKubeconfig({ server, caCert, client })) as {
        'current-context': string;
        clusters: { name: string; cluster: Record<string, unknown> }[];
        users: { name: string; user: Record<string, unknown> }[];
        contexts: { name: string; context: { cluster: string; user: string } }[];
      };

      expect(config).toMatchObject({ apiVersion: 'v1', kind: 'Config' });
      expect(config.clusters).toHaveLength(1);
      expect(config.users).toHaveLength(1);
      expect(config.contexts).toHaveLength(1);
      const [cluster] = config.clusters;
      const [user] = config.users;
      const [context] = config.contexts;
      expect(cluster?.cluster['server']).toBe(server);
      expect(decode(cluster?.cluster['certificate-authority-data'])).toBe(caCert);
      expect(decode(user?.user['client-certificate-data'])).toBe(client.cert);
      expect(decode(user?.user['client-key-data'])).toBe(client.key);
      expect(context).toEqual({ name: config['current-context'], context: { cluster: cluster?.name, user: user?.name } });
    },
  );
});
