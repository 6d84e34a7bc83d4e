import { createHash } from 'node:crypto';
import { urlWithoutCredentials } from './redact-credentials.js';

/**
 * The folder name of a repository's clone: a hash of its URL without
 * credentials, so a rotated token reuses the clone and no token names a folder.
 * A trailing `.git` and slash do not make another repository.
 */
export function repositoryKey(url: string): string {
  const normalised = urlWithoutCredentials(url)
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  return createHash('sha256').update(normalised).digest('hex').slice(0, 24);
}
