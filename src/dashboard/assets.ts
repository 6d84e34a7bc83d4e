import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  contentType: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);

/** A package's folder, from its main file (htm's exports map hides its package.json). */
function packageDir(name: string, mainFolder: string): string {
  const main = require.resolve(name);
  return mainFolder === '' ? dirname(main) : dirname(dirname(main));
}

const here = dirname(fileURLToPath(import.meta.url));
/** browser/ in src/ (the stylesheet lives only there: tsc copies no CSS into dist/). */
const sourceBrowserDir = existsSync(join(here, 'browser', 'dashboard.css'))
  ? join(here, 'browser')
  : join(here, '..', '..', 'src', 'dashboard', 'browser');

/**
 * The page's own code, browser/app.ts, as JavaScript: tsc's output beside
 * this file when running from dist/, else compiled here from the source with
 * the TypeScript that `npm ci` installed (type-only imports erased, nothing
 * bundled: its libraries are loaded by URL).
 */
async function appScript(): Promise<Buffer> {
  const compiled = join(here, 'browser', 'app.js');
  if (existsSync(compiled)) return readFile(compiled);
  const source = join(sourceBrowserDir, 'app.ts');
  const ts = await import('typescript');
  const output = ts.transpileModule(await readFile(source, 'utf8'), {
    fileName: source,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    reportDiagnostics: true,
  });
  const problems = output.diagnostics ?? [];
  if (problems.length > 0) throw new Error(`${source}: ${ts.flattenDiagnosticMessageText(problems[0]?.messageText ?? '', '\n')}`);
  return Buffer.from(output.outputText);
}

const javascript = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';

/** URL path under /assets/ → file and type. A fixed map: no path from a request ever reaches the file system. */
function assetFiles(): Record<string, { file: string; contentType: string }> {
  return {
    'dashboard.css': { file: join(sourceBrowserDir, 'dashboard.css'), contentType: css },
    'preact-htm.js': { file: join(packageDir('htm', 'dist'), 'preact', 'standalone.mjs'), contentType: javascript },
    'uplot.js': { file: join(packageDir('uplot', 'dist'), 'dist', 'uPlot.esm.js'), contentType: javascript },
    'uplot.css': { file: join(packageDir('uplot', 'dist'), 'dist', 'uPlot.min.css'), contentType: css },
  };
}

/** Reads every asset once, at start-up: a missing one fails the start, not a page load. */
export async function loadAssets(): Promise<ReadonlyMap<string, Asset>> {
  const assets = new Map<string, Asset>([['app.js', { contentType: javascript, body: await appScript() }]]);
  for (const [name, { file, contentType }] of Object.entries(assetFiles())) {
    try {
      assets.set(name, { contentType, body: await readFile(file) });
    } catch (cause) {
      throw new Error(`The dashboard's asset ${name} is missing at ${file} (did npm ci run?)`, { cause });
    }
  }
  return assets;
}
