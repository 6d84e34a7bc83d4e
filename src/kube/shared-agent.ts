import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import {
  IsomorphicFetchHttpLibrary,
  type HttpLibrary,
  type Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

// The TLS options client-node puts on each request's agent (KubeConfig.applySecurityAuthentication).
const tlsOptionNames = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function fingerprint(options: Record<string, unknown>): string {
  const hash = createHash('sha256');
  for (const name of tlsOptionNames) {
    const value = options[name];
    hash.update(`${name}=`);
    if (Buffer.isBuffer(value)) hash.update(value);
    else if (value !== undefined) hash.update(JSON.stringify(value));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** One keep-alive agent per set of TLS options, shared by every client of the process. */
const agents = new Map<string, Agent>();

function sharedAgentLike(agent: Agent): Agent {
  const options = agent.options as Record<string, unknown>;
  const key = fingerprint(options);
  let shared = agents.get(key);
  if (shared === undefined) {
    // Node's own global agent's settings: free sockets are closed after 5 s idle, so a server closing them first is rare.
    shared = new Agent({ ...agent.options, keepAlive: true, timeout: 5_000, scheduling: 'lifo' });
    agents.set(key, shared);
  }
  return shared;
}

/**
 * client-node 1.4 gives every request a new https.Agent (KubeConfig.applySecurityAuthentication), so each
 * request is a new TCP connection, a new TLS handshake and a new SecureContext parsing the client key:
 * profiled settling 1,000 Rollouts, that was about half of the controller's CPU. This library swaps each
 * request's fresh https.Agent for a shared keep-alive one with the same TLS options (a rotated certificate
 * has other options, so it gets its own agent). Proxy and plain-HTTP agents are left as they are.
 */
export function sharedAgentHttpLibrary(inner: HttpLibrary = new IsomorphicFetchHttpLibrary()): HttpLibrary {
  return {
    send(request: RequestContext): Observable<ResponseContext> {
      const agent = request.getAgent();
      if (agent instanceof Agent && agent.constructor === Agent && agent.options.keepAlive !== true)
        request.setAgent(sharedAgentLike(agent));
      return inner.send(request);
    },
  };
}
