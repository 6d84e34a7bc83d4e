import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in src/local or dist/local. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How to run this very `gradual` CLI as a child process, whether we run from
 * TypeScript sources (through tsx, during development and tests) or from the
 * compiled dist/.
 */
export function ownCliInvocation(): { command: string; args: string[]; cwd: string } {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSources ? '../cli/main.ts' : '../cli/main.js', import.meta.url));
  // `--import tsx` resolves from the working directory, which is why cwd is the repository root.
  return { command: process.execPath, args: fromSources ? ['--import', 'tsx', entry] : [entry], cwd: repositoryRoot };
}
