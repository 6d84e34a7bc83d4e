import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { notFound, validationFailed } from './errors.js';
import { stringParam, type Handler } from './handler.js';
import { nextId } from './initial-state.js';
import { seedUser } from './seed.js';
import { shapeApp } from './shape-app.js';
import { tokenDigest } from './tokens.js';
import type { GithubState } from './types.js';

// GitHub's manifest flow, as documented in "Registering a GitHub App from a manifest"
// (https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest) and
// "Create a GitHub App from a manifest" (https://docs.github.com/en/rest/apps/apps#create-a-github-app-from-a-manifest):
// 1. the person's browser POSTs a form with `manifest` (JSON) and `state` to /settings/apps/new
//    (/organizations/ORG/settings/apps/new for an organization's app) and confirms it;
// 2. GitHub redirects to the manifest's redirect_url with `code` and the same `state`;
// 3. the app exchanges the code, without authentication, at POST /app-manifests/{code}/conversions
//    "within one hour", once: 201 with the app, its client secret, webhook secret and private key (pem).
// The local GitHub serves one app: a conversion makes the created app that app (new id, key, secret and
// webhook URL; installations of the previous one are gone).

/** The code lives an hour ("you have one hour to complete the conversion"). */
export const manifestCodeSeconds = 3600;

/** The manifest's fields as GitHub's documentation lists them; `url` and `hook_attributes.url` are required. */
export const appManifestSchema = z.object({
  name: z.string().min(1).max(34).optional(),
  url: z.url(),
  hook_attributes: z.object({ url: z.url(), active: z.boolean().optional() }).optional(),
  redirect_url: z.url().optional(),
  callback_urls: z.array(z.url()).max(10).optional(),
  setup_url: z.url().optional(),
  description: z.string().optional(),
  public: z.boolean().optional(),
  default_events: z.array(z.string()).optional(),
  default_permissions: z.record(z.string(), z.enum(['read', 'write', 'admin'])).optional(),
  request_oauth_on_install: z.boolean().optional(),
  setup_on_update: z.boolean().optional(),
});
export type AppManifest = z.infer<typeof appManifestSchema>;

/** Parses the form's `manifest` field; a bad one is refused before any code exists. */
export function parseManifest(text: string): AppManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationFailed('Integration', 'manifest', 'the manifest is not JSON');
  }
  const parsed = appManifestSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw validationFailed('Integration', issue?.path.join('.') ?? 'manifest', issue?.message ?? 'invalid manifest');
  }
  return parsed.data;
}

/** A person confirmed the manifest: a one-time code for its redirect, valid an hour. */
export function createManifestCode(state: GithubState, options: { manifest: AppManifest; owner: string; now: Date }): string {
  const code = randomBytes(20).toString('hex');
  const live = (state.pendingManifests ?? []).filter((pending) => Date.parse(pending.expiresAt) > options.now.getTime());
  state.pendingManifests = [
    ...live,
    {
      codeDigest: tokenDigest(code),
      manifest: options.manifest,
      owner: options.owner,
      expiresAt: new Date(options.now.getTime() + manifestCodeSeconds * 1000).toISOString(),
    },
  ];
  return code;
}

function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/gu, '-')
      .replace(/^-|-$/gu, '') || 'app'
  );
}

/** POST /app-manifests/{code}/conversions: unknown, used and expired codes are all 404, as GitHub answers them. */
export const createAppFromManifest: Handler = (input) => {
  const digest = tokenDigest(stringParam(input, 'code'));
  const pending = (input.state.pendingManifests ?? []).find((candidate) => candidate.codeDigest === digest);
  // One use: the code is gone whatever happens next.
  input.state.pendingManifests = (input.state.pendingManifests ?? []).filter(
    (candidate) => candidate.codeDigest !== digest && Date.parse(candidate.expiresAt) > input.now.getTime(),
  );
  if (pending === undefined || Date.parse(pending.expiresAt) <= input.now.getTime()) throw notFound();
  const { manifest } = pending;
  const name = manifest.name ?? `${pending.owner}-app`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const webhookSecret = randomBytes(20).toString('hex');
  const clientSecret = randomBytes(20).toString('hex');
  const id = nextId(input.state);
  const slug = slugOf(name);
  seedUser(input.state, pending.owner);
  seedUser(input.state, `${slug}[bot]`, 'Bot');
  input.state.app = {
    id,
    slug,
    name,
    owner: pending.owner,
    clientId: `Iv1.${id.toString(16).padStart(16, '0')}`,
    permissions: { metadata: 'read', ...(manifest.default_permissions ?? {}) },
    events: [...(manifest.default_events ?? [])],
    createdAt: input.now.toISOString(),
    publicKey,
    ...(manifest.hook_attributes?.active !== false &&
      manifest.hook_attributes?.url !== undefined && { webhookUrl: manifest.hook_attributes.url }),
  };
  // The previous app's installations and tokens belong to an app that is no longer served.
  input.state.installations = [];
  input.state.tokens = input.state.tokens.filter((token) => token.kind === 'user');
  return {
    status: 201,
    body: { ...shapeApp(input.state, input.urls), client_secret: clientSecret, webhook_secret: webhookSecret, pem: privateKey },
    changed: true,
  };
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (character) => `&#${String(character.charCodeAt(0))};`);
}

/** GitHub's confirmation page: the manifest's name and owner, and the button that creates the app. */
export function renderManifestPage(options: { manifestText: string; state: string; owner: string; action: string }): string {
  const manifest = parseManifest(options.manifestText);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Create GitHub App</title></head><body>
<h1>Create GitHub App for ${escapeHtml(options.owner)}</h1>
<p>${escapeHtml(manifest.name ?? '')} — webhooks to ${escapeHtml(manifest.hook_attributes?.url ?? '(none)')}</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="manifest" value="${escapeHtml(options.manifestText)}">
<input type="hidden" name="state" value="${escapeHtml(options.state)}">
<button type="submit" name="confirm" value="1">Create GitHub App for ${escapeHtml(options.owner)}</button>
</form></body></html>`;
}
