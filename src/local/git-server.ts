import { execFile, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log/index.js';

const execFileAsync = promisify(execFile);
/** CGI headers are a few hundred bytes; anything bigger means the child is not speaking CGI. */
const maxHeaderBytes = 64 * 1024;
const maxStderrBytes = 8 * 1024;

/**
 * Serves every bare repository under `root` over git's smart HTTP protocol by
 * running `git http-backend` as a CGI per request. Delegating to git itself
 * (instead of reimplementing the protocol) means the CLI, isomorphic-git and
 * Argo-style controllers all talk to the exact server behaviour of real hosts.
 */
export function createGitServer(options: { root: string; logger?: Logger; onPush?: PushListener }): http.Server {
  const logger = options.logger?.child({ component: 'git-server' });
  return http.createServer((req, res) => {
    serveRequest({ root: options.root, ...(logger && { logger }), ...(options.onPush && { onPush: options.onPush }) }, req, res);
  });
}

/**
 * Told after every successful `git-receive-pack` (a push), with the
 * repository's path under the root (`owner/name` for `owner/name.git`) and
 * the pusher (the HTTP basic-auth user, if any). The push's HTTP response is
 * held until the listener settles, so when `git push` returns, whoever
 * listens (the local GitHub) has seen the push.
 */
export type PushListener = (push: { repository: string; pusher: string | undefined }) => Promise<void>;

interface ServeOptions {
  root: string;
  logger?: Logger;
  onPush?: PushListener;
}

/** Creates `root/name.git` as a bare repository whose default branch is `main`; a no-op if it already exists. */
export async function createBareRepository(root: string, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name) || name.includes('..')) throw new Error(`invalid repository name: ${JSON.stringify(name)}`);
  const path = join(root, `${name}.git`);
  // Re-running `git init` on an existing repository would warn that --initial-branch is ignored; skip it instead.
  const exists = await access(join(path, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (!exists) await execFileAsync('git', ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return path;
}

function serveRequest(options: ServeOptions, req: http.IncomingMessage, res: http.ServerResponse): void {
  const method = req.method ?? 'GET';
  const [rawPath = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
  const path = repositoryPath(rawPath);
  const fail = (status: number, message: string, detail?: string): void => {
    options.logger?.[status >= 500 ? 'error' : 'warn']({ method, path: rawPath, status, detail }, message);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  };
  if (path === undefined) {
    req.resume();
    fail(400, 'invalid repository path');
    return;
  }

  const env: NodeJS.ProcessEnv = {
    // Inherited GIT_* variables (e.g. GIT_DIR when run from a hook) would redirect the backend to another repository.
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
    GIT_PROJECT_ROOT: options.root,
    GIT_HTTP_EXPORT_ALL: '1',
    // http-backend refuses anonymous pushes unless http.receivepack is true; setting it here keeps repositories plain.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: method,
    PATH_INFO: path,
    QUERY_STRING: query,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  setIfPresent(env, 'CONTENT_TYPE', req.headers['content-type']);
  // Absent for chunked uploads (large pushes); http-backend then reads stdin to EOF.
  setIfPresent(env, 'CONTENT_LENGTH', req.headers['content-length']);
  // Git clients gzip large request bodies; http-backend inflates them itself when told the encoding.
  setIfPresent(env, 'HTTP_CONTENT_ENCODING', req.headers['content-encoding']);
  // Protocol v2 is negotiated through this header; without it every client falls back to v0.
  setIfPresent(env, 'GIT_PROTOCOL', req.headersDistinct['git-protocol']?.join(':'));
  setIfPresent(env, 'REMOTE_USER', basicAuthUser(req.headers.authorization));

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let head: Buffer | undefined = Buffer.alloc(0);
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < maxStderrBytes) stderr += chunk.toString('utf8');
  });
  // The backend may answer (e.g. 404) without reading the body; the resulting EPIPE is expected, not an error.
  child.stdin.on('error', () => undefined);
  req.pipe(child.stdin);
  // A client that hangs up must not leave a pack-objects running for nobody.
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  req.on('error', stop);
  res.on('close', stop);
  child.on('error', (error) => {
    fail(500, 'could not start git http-backend', error.message);
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (res.writableEnded || res.destroyed) return;
    if (head === undefined) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const parsed = parseCgiHead(head);
    if (parsed === undefined) {
      if (head.length > maxHeaderBytes) {
        child.kill();
        fail(502, 'git http-backend sent oversized headers');
      }
      return;
    }
    head = undefined;
    res.writeHead(parsed.status, parsed.headers);
    if (parsed.body.length > 0) res.write(parsed.body);
  });
  child.on('close', (code, signal) => {
    if (res.destroyed) return; // The client hung up (and `stop` killed the child): nobody is left to answer.
    if (head === undefined) {
      if (code === 0) {
        // http-backend sends 404/403 with an empty body and says why only on stderr, so the log carries it.
        const status = res.statusCode;
        if (status >= 400) options.logger?.warn({ method, path: rawPath, status, detail: stderr.trim() }, 'git request refused');
        else options.logger?.debug({ method, path: rawPath, status }, 'git request');
        const pushed = status < 400 && method === 'POST' ? /^\/(.+)\.git\/git-receive-pack$/.exec(path)?.[1] : undefined;
        if (pushed === undefined || options.onPush === undefined) {
          res.end();
          return;
        }
        // A listener that fails must not fail the push: git has already updated the refs.
        options.onPush({ repository: pushed, pusher: basicAuthUser(req.headers.authorization) }).then(
          () => res.end(),
          (error: unknown) => {
            options.logger?.warn({ err: error, repository: pushed }, 'push listener failed; the push itself succeeded');
            res.end();
          },
        );
        return;
      }
      // Ending normally would let a truncated pack look complete; a reset connection makes the client fail loudly.
      options.logger?.error(
        { method, path: rawPath, status: res.statusCode, code, signal, detail: stderr.trim() },
        'git http-backend failed mid-response',
      );
      res.destroy();
      return;
    }
    if (!res.headersSent) fail(502, `git http-backend exited (${signal ?? String(code)}) without a response`, stderr.trim());
  });
}

/** Splits the CGI output at the first blank line; `Status:` becomes the HTTP status and is not forwarded. */
function parseCgiHead(buffer: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const match = /\r?\n\r?\n/.exec(buffer.toString('latin1'));
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of buffer.subarray(0, match.index).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, body: buffer.subarray(match.index + match[0].length) };
}

/** The percent-decoded path, or undefined if it could climb out of the root; checked raw because a WHATWG URL parser would silently resolve `..` away. */
function repositoryPath(rawPath: string): string | undefined {
  try {
    const path = decodeURIComponent(rawPath);
    return path.split('/').includes('..') || path.includes('\0') ? undefined : path;
  } catch {
    return undefined;
  }
}

function basicAuthUser(authorization: string | undefined): string | undefined {
  if (!authorization?.toLowerCase().startsWith('basic ')) return undefined;
  const user = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0];
  return user === '' ? undefined : user;
}

function setIfPresent(env: NodeJS.ProcessEnv, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') env[key] = value;
}
