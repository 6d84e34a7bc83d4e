import { chmod, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Probot, Server } from 'probot';
import { registerSecretValue, type Logger } from '../log/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;
type SetupAppFactory = (options: {
  host: string;
  port: number;
  log: Logger;
  updateEnv: (env: Record<string, string>) => Record<string, string>;
}) => () => Promise<Handler>;

/**
 * Probot's own manifest flow (lib/apps/setup.js): the page at /probot posts
 * app.yml's manifest to GitHub, GitHub sends the browser back to
 * /probot/setup?code=…, and the code is exchanged for the app's id, key and
 * webhook secret (POST /app-manifests/{code}/conversions). Probot exports it
 * only through `run()`, which refuses setup mode under NODE_ENV=production
 * (the image's), so it is loaded from the installed package's file.
 */
async function loadSetupAppFactory(): Promise<SetupAppFactory> {
  const probotIndex = createRequire(import.meta.url).resolve('probot');
  const module = (await import(pathToFileURL(join(dirname(probotIndex), 'apps', 'setup.js')).href)) as {
    setupAppFactory?: SetupAppFactory;
  };
  if (typeof module.setupAppFactory !== 'function')
    throw new Error(`probot at ${probotIndex} has no setupAppFactory: its setup flow moved; pin probot 14`);
  return module.setupAppFactory;
}

export interface AppSetupOptions {
  host: string;
  port: number;
  /** The webhook URL the created app will deliver to: Gradual's public address and webhook path. */
  webhookUrl: string;
  /** Where the credentials are written (`KEY=value` lines, mode 0600): for `kubectl create secret generic --from-env-file` or `node --env-file`. */
  credentialsFile: string;
  logger: Logger;
}

export interface AppSetup {
  /** The setup page's address. */
  url: string;
  /** Settles when the app has been created and its credentials written. */
  created: Promise<{ appId: string; credentialsFile: string }>;
  stop(): Promise<void>;
}

/** The credentials file: one `KEY=value` line each, newlines of the key as `\n` (Gradual's PRIVATE_KEY reading turns them back). */
export function credentialsText(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([key, value]) => `${key}=${value.replace(/^"|"$/gu, '').replace(/\r?\n/gu, '\\n')}`)
      .join('\n') + '\n'
  );
}

/**
 * Serves Probot's setup page until the app is created, then writes its
 * credentials and stops taking codes. Never contacts smee.io (a third party
 * would see every webhook): NO_SMEE_SETUP is set and the webhook URL is the
 * one given. Probot's POST /probot/import (paste existing credentials) is
 * refused: any page the operator's browser opens could post to it.
 */
export async function startAppSetup(options: AppSetupOptions): Promise<AppSetup> {
  process.env['NO_SMEE_SETUP'] = 'true';
  // Probot's manifest takes the webhook URL from here (app.yml must not set hook_attributes, or it wins).
  process.env['WEBHOOK_PROXY_URL'] = options.webhookUrl;
  const setupAppFactory = await loadSetupAppFactory();
  let resolveCreated: (value: { appId: string; credentialsFile: string }) => void = () => undefined;
  let rejectCreated: (cause: unknown) => void = () => undefined;
  const created = new Promise<{ appId: string; credentialsFile: string }>((resolve, reject) => {
    resolveCreated = resolve;
    rejectCreated = reject;
  });
  let done = false;
  const log = options.logger.child({ component: 'app-setup' });
  const updateEnv = (env: Record<string, string>): Record<string, string> => {
    for (const [key, value] of Object.entries(env))
      if (key !== 'APP_ID' && key !== 'GITHUB_CLIENT_ID') registerSecretValue(value.replace(/^"|"$/gu, ''));
    done = true;
    const text = credentialsText(env);
    writeFile(options.credentialsFile, text, { mode: 0o600 })
      .then(() => chmod(options.credentialsFile, 0o600))
      .then(() => {
        resolveCreated({ appId: env['APP_ID'] ?? '', credentialsFile: options.credentialsFile });
      }, rejectCreated);
    return env;
  };
  const server = new Server({
    host: options.host,
    port: options.port,
    log,
    // Not used in setup mode (Probot's own workaround, #1512): it needs some id and key to exist.
    Probot: Probot.defaults({ appId: 1, privateKey: 'setup mode: no key yet', secret: 'setup mode', log }),
  });
  const probotSetup = await setupAppFactory({ host: options.host, port: options.port, log, updateEnv })();
  await server.loadHandlerFactory(() => async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url?.split('?')[0];
    if (path === '/probot/import') return false;
    if (path === '/probot/setup' && done) {
      response.writeHead(410, { 'content-type': 'text/plain' }).end('the app has been created; restart Gradual with its credentials');
      return true;
    }
    return probotSetup(request, response);
  });
  const http = await server.start();
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${String(address.port)}/probot`, created, stop: () => server.stop() };
}
