/*
 * Secret arguments (valueFrom.secretKeyRef) out of everything a measurement stores. A secret
 * sent to a metric server comes back in whatever form the request carried it: as is (an
 * echoed header), percent-encoded (a URL path or query, by encodeURIComponent, encodeURI or a
 * form), base64 (Basic authentication, a JWT segment; standard or URL-safe, padded or not, and
 * at any of the three byte offsets it can sit at inside a longer encoded text) or escaped in a
 * JSON string. Each of these forms is replaced by Argo's mask. Pure.
 */

export const secretMask = '*****';

/** The shortest base64 core of a secret embedded at an offset that is still masked: shorter ones would mask unrelated text. */
const minimumEmbeddedCore = 8;

function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  const add = (standard: string): void => {
    forms.push(standard, standard.replace(/=+$/u, ''));
    const urlSafe = standard.replaceAll('+', '-').replaceAll('/', '_');
    forms.push(urlSafe, urlSafe.replace(/=+$/u, ''));
  };
  add(bytes.toString('base64'));
  // Inside a longer text the secret starts at byte offset 0, 1 or 2 of a 3-byte group: the
  // characters that encode only the secret's bits are the same whatever surrounds it.
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((offset * 8) / 6);
    const last = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(first, last);
    if (core.length >= minimumEmbeddedCore) add(core);
  }
  return forms;
}

function percentForms(secret: string): string[] {
  const forms: string[] = [];
  for (const encoded of [encodeURIComponent(secret), encodeURI(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
    forms.push(
      encoded,
      encoded.replace(/%[0-9A-F]{2}/gu, (escape) => escape.toLowerCase()),
    );
  }
  return forms;
}

function jsonForms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  // Some encoders also escape "/" and every non-ASCII character.
  const strict = escaped
    .replaceAll('/', '\\/')
    .replace(/[\u007f-\uffff]/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [escaped, strict];
}

/** Every form of every secret, longest first so that a longer form is masked whole before a shorter one inside it. */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of [secret, ...percentForms(secret), ...jsonForms(secret), ...base64Forms(Buffer.from(secret, 'utf8'))])
      if (form !== '') forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A function that masks every form of the secrets in a text. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = secretForms(secrets);
  if (forms.length === 0) return (text) => text;
  return (text) => forms.reduce((masked, form) => (masked.includes(form) ? masked.split(form).join(secretMask) : masked), text);
}
