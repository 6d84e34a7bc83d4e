import type { Logger } from '../log/index.js';
import { SetupError } from './errors.js';
import { runCommand } from './run-command.js';

async function isInstalled(name: string): Promise<boolean> {
  // The status word alone: a held package ("hold ok installed") is installed too.
  const result = await runCommand('dpkg-query', ['-W', '-f=${db:Status-Status}', name]).catch(() => undefined);
  return result?.code === 0 && result.stdout.trim() === 'installed';
}

/**
 * Installs the Debian packages the environment runs, only if missing: a warm
 * machine pays one dpkg-query per package. A package apt cannot install is a
 * PACKAGE_UNAVAILABLE error that names it and shows apt's own words.
 */
export async function ensureDebianPackages(names: readonly string[], logger: Logger): Promise<void> {
  const missing: string[] = [];
  for (const name of names) if (!(await isInstalled(name))) missing.push(name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new SetupError(
      'PACKAGE_UNAVAILABLE',
      `Debian packages missing: ${missing.join(', ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  logger.info({ packages: missing }, 'installing Debian packages (apt-get update, then install)');
  const update = await runCommand('apt-get', ['update'], { env });
  if (update.code !== 0)
    logger.warn({ stderr: update.stderr.slice(-500) }, 'apt-get update failed; trying the install with the lists at hand');
  const install = await runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (install.code !== 0) {
    const aptSaid = `${install.stdout}\n${install.stderr}`.trim().split('\n').slice(-8).join('\n');
    throw new SetupError(
      'PACKAGE_UNAVAILABLE',
      `apt-get could not install ${missing.join(', ')} (exit code ${String(install.code)}):\n${aptSaid}`,
    );
  }
  for (const name of missing) {
    if (!(await isInstalled(name)))
      throw new SetupError('PACKAGE_UNAVAILABLE', `apt-get reported success but Debian package ${name} is still not installed.`);
  }
  logger.info({ packages: missing }, 'installed Debian packages');
}
