import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { impersonatingKubeConfig } from './clusters.js';

function baseConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false }],
    users: [{ name: 'bot', token: 'the-bots-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'bot' }],
    currentContext: 'ctx',
  });
  return config;
}

async function headersOf(config: KubeConfig): Promise<Record<string, string>> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1', HttpMethod.GET);
  await config.applySecurityAuthentication(context);
  return context.getHeaders();
}

describe('the clients of an environment identity', () => {
  it("send Impersonate-User with the bot's own credentials on every request (generated clients and the REST client)", async () => {
    const base = baseConfig();
    const headers = await headersOf(impersonatingKubeConfig(base, 'system:serviceaccount:app:gradual-deployer'));
    expect(headers['Impersonate-User']).toBe('system:serviceaccount:app:gradual-deployer');
    expect(headers['Authorization']).toBe('Bearer the-bots-token');
  });

  it('send it on watches too (the fetch options client-node builds for them)', async () => {
    const options = await impersonatingKubeConfig(baseConfig(), 'deployer').applyToFetchOptions({});
    expect((options.headers as { get(name: string): string | null }).get('Impersonate-User')).toBe('deployer');
  });

  it("leave the bot's own kubeconfig as it was", async () => {
    const base = baseConfig();
    impersonatingKubeConfig(base, 'deployer');
    expect((await headersOf(base))['Impersonate-User']).toBeUndefined();
  });
});
