/** A clone URL without user and password: the name a repository goes by in logs, errors and the cache key. */
export function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL git would accept either; say so without echoing it, since it may hold a token.
    return '<unparseable repository URL>';
  }
}

/**
 * A function that removes every secret of one request from a text: the URL's
 * user and password (as written and decoded), header values, and the parts
 * of a basic-auth header. For messages of errors thrown by git code that
 * saw them.
 */
export function credentialRedactor(url: string, headers: Readonly<Record<string, string>> = {}): (text: string) => string {
  const secrets = new Set<string>();
  const add = (value: string | undefined): void => {
    // Short values (`x`, `git`) would mangle ordinary words; no real token is that short.
    if (value !== undefined && value.length >= 4) secrets.add(value);
  };
  try {
    const parsed = new URL(url);
    for (const part of [parsed.username, parsed.password]) {
      add(part);
      add(safeDecode(part));
    }
  } catch {
    add(url);
  }
  for (const value of Object.values(headers)) {
    add(value);
    const [scheme, credentials] = value.split(/\s+/, 2);
    add(credentials);
    if (scheme?.toLowerCase() === 'basic' && credentials !== undefined) {
      for (const part of Buffer.from(credentials, 'base64').toString('utf8').split(':')) add(part);
    }
  }
  // Longest first, so a URL is replaced whole before the token inside it.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  // The URL as given is first named as it is in logs, so a message keeps its host and path.
  const safeUrl = urlWithoutCredentials(url);
  return (text) =>
    ordered.reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), url === safeUrl ? text : text.split(url).join(safeUrl));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
