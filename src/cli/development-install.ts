import { StartupError } from './startup-error.js';

/** The package a missing-module error names (`Cannot find package 'ajv' imported from …`), if it is one. */
export function missingPackageOf(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const name = /Cannot find (?:package|module) '([^']+)'/u.exec(cause.message)?.[1];
  // A file of ours that is missing is a broken build, not a production install: passed on as it is.
  return name === undefined || /^(?:[./]|file:)/u.test(name) ? undefined : name;
}

/**
 * Loads a module of the embedded environment, the local GitHub or the demo. Their
 * packages (the local GitHub's OpenAPI description alone is 385 MB) are
 * devDependencies: a production install (`npm ci --omit=dev`, the image) has the
 * engine, the bot and the dashboard only, and these commands say so in one line
 * instead of a stack trace. Only ever called from those commands' actions.
 */
export async function loadDevelopmentModule<T>(command: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    const missing = missingPackageOf(cause);
    if (missing === undefined) throw cause;
    throw new StartupError(
      `\`gradual ${command}\` needs the development install (npm ci, without --omit=dev): the package ${missing} is not installed here. Production installs and the image carry the engine, the bot and the dashboard only`,
      { cause },
    );
  }
}
