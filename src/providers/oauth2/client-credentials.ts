import { outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import { maskSecrets } from '../provider-secrets.js';

/*
 * OAuth2 client credentials as Argo's prometheus and web providers use them
 * (golang.org/x/oauth2/clientcredentials): before the measurement's request, a token is asked
 * of tokenUrl (POST, form-encoded grant_type=client_credentials and the scopes, the client's id
 * and secret in Basic authentication first and, if that is refused, in the form, as the
 * library's auto-detection does) and sent as `Authorization: Bearer`. The token request goes
 * under the same outbound policy as the measurement. A token is fetched per measurement, as
 * Argo builds a new client for each. The client secret never reaches a message.
 */

export interface OAuth2Settings {
  tokenUrl?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scopes?: string[] | undefined;
}

export type TokenResult = { ok: true; authorization: string | undefined } | { ok: false; message: string };

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** The token answer: JSON (RFC 6749 §5.1) or, as some servers send, a form. */
function accessTokenOf(body: string): { token: string; type: string } | undefined {
  try {
    const json = JSON.parse(body) as { access_token?: unknown; token_type?: unknown };
    if (typeof json.access_token === 'string' && json.access_token !== '')
      return { token: json.access_token, type: typeof json.token_type === 'string' ? json.token_type : 'Bearer' };
  } catch {
    const form = new URLSearchParams(body);
    const token = form.get('access_token');
    if (token !== null && token !== '') return { token, type: form.get('token_type') ?? 'Bearer' };
  }
  return undefined;
}

/** The Authorization header for the settings; undefined authorization when no tokenUrl is set (no OAuth2). */
export async function clientCredentialsAuthorization(
  settings: OAuth2Settings | undefined,
  timeoutMs: number,
  policy: OutboundPolicy,
): Promise<TokenResult> {
  if (settings?.tokenUrl === undefined || settings.tokenUrl === '') return { ok: true, authorization: undefined };
  const { tokenUrl, clientId = '', clientSecret = '', scopes = [] } = settings;
  if (clientId === '' || clientSecret === '') return { ok: false, message: 'missing mandatory parameter in metric for OAuth2 setup' };
  const form: Record<string, string> = { grant_type: 'client_credentials', ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }) };
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  let result = await outboundRequest(
    tokenUrl,
    { method: 'POST', headers: { ...headers, Authorization: basic(clientId, clientSecret) }, body: new URLSearchParams(form).toString() },
    timeoutMs,
    policy,
  );
  if (!result.ok || result.status < 200 || result.status > 299) {
    result = await outboundRequest(
      tokenUrl,
      {
        method: 'POST',
        headers,
        body: new URLSearchParams({ ...form, client_id: clientId, client_secret: clientSecret }).toString(),
      },
      timeoutMs,
      policy,
    );
  }
  const mask = (text: string): string => maskSecrets(text, [clientSecret]);
  if (!result.ok) return { ok: false, message: mask(`oauth2: cannot fetch token: ${result.message}`) };
  if (result.status < 200 || result.status > 299)
    return { ok: false, message: mask(`oauth2: cannot fetch token: ${String(result.status)}\nResponse: ${result.body}`) };
  const token = accessTokenOf(result.body);
  if (token === undefined) return { ok: false, message: 'oauth2: server response missing access_token' };
  const type = token.type.toLowerCase() === 'bearer' || token.type === '' ? 'Bearer' : token.type;
  return { ok: true, authorization: `${type} ${token.token}` };
}
