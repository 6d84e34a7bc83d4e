import fs from 'node:fs';
import { access, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { Logger } from '../../log/index.js';
import { createManifestTree } from './manifest-tree.js';
import { ManifestFetchError } from './manifest-fetch-error.js';
import { credentialRedactor, urlWithoutCredentials } from './redact-credentials.js';
import { repositoryKey } from './repository-key.js';
import type { CheckoutInput, FetchStats, ManifestCache, ManifestTree } from './types.js';

const shaPattern = /^[0-9a-f]{40}$/;

/**
 * One bare clone per repository under `dir`, kept between checkouts: the first
 * checkout of a repository clones it, later ones fetch only the objects the
 * clone lacks (git's negotiation: every local ref is sent as a "have"), and a
 * commit already present costs no request at all. Checkouts of one repository
 * run one at a time (a promise chain per repository); different repositories
 * run in parallel. Credentials are passed to each fetch and never written to
 * the clone's config, a log line or an error.
 */
export function openManifestCache(options: { dir: string; logger: Logger }): ManifestCache {
  const chains = new Map<string, Promise<unknown>>();
  const logger = options.logger.child({ component: 'manifest-cache' });

  function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(key, settled);
    // The map holds only the tail of each chain, and forgets it once idle.
    void settled.then(() => {
      if (chains.get(key) === settled) chains.delete(key);
    });
    return next;
  }

  return {
    checkout(input) {
      if (!shaPattern.test(input.sha)) {
        return Promise.reject(
          new ManifestFetchError('INVALID_INPUT', `expected a commit SHA of 40 lowercase hex digits, got ${JSON.stringify(input.sha)}`, {
            retryable: false,
          }),
        );
      }
      const key = repositoryKey(input.url);
      return serialised(key, () =>
        checkoutNow(join(options.dir, `${key}.git`), input, logger.child({ repository: urlWithoutCredentials(input.url), sha: input.sha })),
      );
    },
  };
}

async function checkoutNow(gitdir: string, input: CheckoutInput, logger: Logger): Promise<ManifestTree> {
  const started = performance.now();
  // Made is its remote configured, the set-up's last write: a process killed between git init and addRemote left
  // a HEAD and a config without the remote, and every fetch into that clone failed ("no fetch refspec") for good.
  const cloned = await hasRemote(gitdir);
  if (!cloned) {
    await mkdir(gitdir, { recursive: true });
    // A no-op where a config is already there (a half-made clone): addRemote then finishes it.
    await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
    // The remote names the repository without credentials (it is on disk); each fetch is given the URL with them.
    await git.addRemote({ fs, gitdir, remote: 'origin', url: urlWithoutCredentials(input.url), force: true });
  }
  if (cloned && (await hasCommit(gitdir, input.sha))) {
    logger.info({ phase: 'cached', ms: elapsed(started) }, 'manifest commit already in the cache');
    return createManifestTree({ gitdir, sha: input.sha, fetch: { kind: 'cached', objects: 0, bytes: 0 } });
  }
  const kind = cloned ? 'fetched' : 'cloned';
  logger.info(
    { phase: kind === 'cloned' ? 'clone' : 'fetch', ref: input.ref ?? 'HEAD' },
    kind === 'cloned' ? 'cloning manifest repository' : 'fetching new objects',
  );
  const stats = await fetchInto(gitdir, input, kind);
  if (!(await hasCommit(gitdir, input.sha))) {
    throw new ManifestFetchError(
      'COMMIT_NOT_FOUND',
      `commit ${input.sha} is not reachable from ${input.ref ?? 'HEAD'} of ${urlWithoutCredentials(input.url)}`,
      { retryable: true },
    );
  }
  logger.info(
    { phase: 'ready', kind, objects: stats.objects, bytes: stats.bytes, ms: elapsed(started) },
    kind === 'cloned' ? 'manifest repository cloned' : 'manifest repository fetched',
  );
  return createManifestTree({ gitdir, sha: input.sha, fetch: stats });
}

async function fetchInto(gitdir: string, input: CheckoutInput, kind: 'cloned' | 'fetched'): Promise<FetchStats> {
  const redact = credentialRedactor(input.url, input.headers);
  try {
    const result = await git.fetch({
      fs,
      http,
      gitdir,
      url: input.url,
      remote: 'origin',
      ref: input.ref ?? 'HEAD',
      // Not singleBranch: isomorphic-git then offers only that ref's local copy as a "have", and a
      // pull request's first ref would download the whole history again. All branches are wanted, so
      // every remote-tracking ref is a "have" next time.
      singleBranch: false,
      tags: false,
      ...(input.headers === undefined ? {} : { headers: { ...input.headers } }),
    });
    // isomorphic-git returns where it wrote the packfile, though its types do not say so.
    const packfile = 'packfile' in result && typeof result.packfile === 'string' ? result.packfile : undefined;
    return { kind, ...(await packStats(gitdir, packfile)) };
  } catch (error) {
    const statusCode = httpStatusOf(error);
    const message = redact(error instanceof Error ? error.message : String(error));
    const status = statusCode === undefined ? '' : ` (HTTP ${String(statusCode)})`;
    throw new ManifestFetchError(
      'FETCH_FAILED',
      `fetching ${input.ref ?? 'HEAD'} of ${urlWithoutCredentials(input.url)} failed${status}: ${message}`,
      statusCode === undefined ? {} : { statusCode },
    );
  }
}

async function hasRemote(gitdir: string): Promise<boolean> {
  const present = await access(join(gitdir, 'config')).then(
    () => true,
    () => false,
  );
  if (!present) return false;
  const refspec: unknown = await git.getConfig({ fs, gitdir, path: 'remote.origin.fetch' });
  return typeof refspec === 'string' && refspec !== '';
}

async function hasCommit(gitdir: string, sha: string): Promise<boolean> {
  try {
    await git.readCommit({ fs, gitdir, oid: sha });
    return true;
  } catch (error) {
    if (error instanceof git.Errors.NotFoundError) return false;
    throw error;
  }
}

/** The object count (from the pack header: "PACK", version, count) and size of the packfile a fetch wrote. */
async function packStats(gitdir: string, packfile: string | undefined): Promise<{ objects: number; bytes: number }> {
  if (packfile === undefined) return { objects: 0, bytes: 0 };
  const handle = await open(join(gitdir, packfile), 'r');
  try {
    const header = Buffer.alloc(12);
    await handle.read(header, 0, 12, 0);
    const { size } = await handle.stat();
    return { objects: header.readUInt32BE(8), bytes: size };
  } finally {
    await handle.close();
  }
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null && 'statusCode' in data && typeof data.statusCode === 'number'
    ? data.statusCode
    : undefined;
}

function elapsed(startedMs: number): number {
  return Math.round(performance.now() - startedMs);
}
