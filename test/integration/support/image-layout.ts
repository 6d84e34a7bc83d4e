import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '../../../src/local/cache-dir.js';
import { ensureKustomizeBinary } from '../../../src/local/kustomize.js';
import { repositoryRoot } from '../../../src/local/own-cli.js';
import { pinnedVersions } from '../../../src/local/versions.js';
import { rootLogger } from '../../../src/log/index.js';

const run = promisify(execFile);

/** One `COPY` of the Dockerfile's final stage: from the build context, or from an earlier stage (`--from=`). */
export interface CopyInstruction {
  from: string | undefined;
  source: string;
  target: string;
}

/** The COPY lines of the last stage (after the last FROM) of a Dockerfile. Pure. */
export function finalStageCopies(dockerfile: string): CopyInstruction[] {
  const lines = dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = lines.map((line) => /^FROM\s/iu.test(line)).lastIndexOf(true);
  return lines.slice(lastFrom + 1).flatMap((line) => {
    const match = /^COPY\s+(?:--from=(\S+)\s+)?(\S+)\s+(\S+)$/iu.exec(line);
    if (match === null) {
      if (/^COPY\s/iu.test(line)) throw new Error(`deploy/Dockerfile: a COPY this layout cannot follow: ${line}`);
      return [];
    }
    return [{ from: match[1], source: match[2] ?? '', target: match[3] ?? '' }];
  });
}

/**
 * The top-level packages `npm ci --omit=dev` installs, from package-lock.json: every
 * `node_modules/<name>` entry not marked dev (nested copies live inside their parent). Pure.
 */
export function productionPackages(lockText: string): string[] {
  const lock = JSON.parse(lockText) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(
      ([path, entry]) =>
        path.startsWith('node_modules/') && !path.slice('node_modules/'.length).includes('node_modules/') && entry.dev !== true,
    )
    .map(([path]) => path.slice('node_modules/'.length))
    .sort();
}

/**
 * A folder laid out as deploy/Dockerfile's final stage: its COPY lines followed one by one, `dist/`
 * compiled as `npm run build` compiles it (tsc, then the run-time assets), and `node_modules` holding
 * only the packages a production install has (each a link to the work tree's copy). Code of ours that
 * imports a devDependency therefore fails here as it would in the image.
 */
export async function buildImageLayout(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'gradual-image-'));
  const copies = finalStageCopies(await readFile(join(repositoryRoot, 'deploy', 'Dockerfile'), 'utf8'));
  for (const copy of copies) {
    // `COPY a.yml ./` puts the file in the folder; `COPY src ./dst` names the copy.
    const target = copy.target.endsWith('/') ? join(folder, copy.target, basename(copy.source)) : join(folder, copy.target);
    if (copy.from === undefined) {
      await mkdir(dirname(target), { recursive: true });
      await cp(join(repositoryRoot, copy.source), target, { recursive: true });
    } else if (copy.from === 'build' && copy.source === '/app/dist') {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', target], { cwd: repositoryRoot });
      await run(process.execPath, [join(repositoryRoot, 'scripts', 'copy-build-assets.mjs'), target], { cwd: repositoryRoot });
    } else if (copy.from === 'deps' && copy.source === '/app/node_modules') {
      for (const name of productionPackages(await readFile(join(repositoryRoot, 'package-lock.json'), 'utf8'))) {
        await mkdir(dirname(join(target, name)), { recursive: true });
        await symlink(join(repositoryRoot, 'node_modules', name), join(target, name), 'dir');
      }
    } else if (copy.from === 'kustomize' && copy.source === '/out/kustomize') {
      // The stage builds the same module at the same version as the tests' build; a Dockerfile that drifts from it fails here.
      const pinned = `go install sigs.k8s.io/kustomize/kustomize/v5@${pinnedVersions.kustomize}`;
      const dockerfile = await readFile(join(repositoryRoot, 'deploy', 'Dockerfile'), 'utf8');
      if (!dockerfile.includes(pinned)) throw new Error(`deploy/Dockerfile: the kustomize stage does not run \`${pinned}\``);
      await mkdir(dirname(target), { recursive: true });
      await cp(await ensureKustomizeBinary({ cacheRoot: cacheRoot(), logger: rootLogger() }), target);
    } else {
      throw new Error(`deploy/Dockerfile: COPY --from=${copy.from} ${copy.source} is not laid out by this test`);
    }
  }
  return folder;
}
