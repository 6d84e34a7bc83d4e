/*
 * The Secrets some providers read for themselves, as Argo's do: Datadog's `datadog`, New
 * Relic's `newrelic` profile, Wavefront's `wavefront-api-tokens`, in the controller's own
 * namespace (Argo's defaults.Namespace(): POD_NAMESPACE, else the service account's, else
 * argo-rollouts). The shell reads them with the Kubernetes client and registers every value
 * with the log's redaction; a provider masks them out of every message it answers too, since a
 * vendor may echo a key back in an error body.
 */

export type SecretRead = { ok: true; data: Readonly<Record<string, string>> } | { ok: false; message: string };

export interface ProviderSecrets {
  /** Where Argo's provider Secrets live. */
  controllerNamespace: string;
  /** The Secret's data, decoded; a Secret that is not there is `secrets "<name>" not found`, as the API server says it. */
  read(namespace: string, name: string): Promise<SecretRead>;
  /** The controller's environment (Datadog also takes DD_API_KEY, DD_APP_KEY and DD_ADDRESS from it). */
  env: Readonly<Record<string, string | undefined>>;
}

/** No Secrets at all: every read is not found (unit tests of other providers, tools that never measure). */
export const noProviderSecrets: ProviderSecrets = {
  controllerNamespace: 'argo-rollouts',
  read: (_namespace, name) => Promise.resolve({ ok: false, message: `secrets "${name}" not found` }),
  env: {},
};

/** Argo's mask for a secret in a stored measurement. */
const mask = '*****';

/** A message with every secret value masked, as written, percent-encoded and JSON-escaped (the forms a vendor echoes it in). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.replaceAll(form, mask);
  return out;
}
