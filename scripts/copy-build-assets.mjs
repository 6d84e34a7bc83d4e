#!/usr/bin/env node
// `npm run build`'s second half: tsc emits JavaScript only, so the files the compiled code reads beside
// itself at run time are copied into dist/ here (today the dashboard's stylesheet,
// src/dashboard/browser/dashboard.css → dist/dashboard/browser/). Plain JavaScript, no dependencies.
// Usage: node scripts/copy-build-assets.mjs [outDir]   (default dist/)
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src');
const outDir = process.argv[2] ?? join(root, 'dist');
/** Run-time assets by extension; everything else under src/ is TypeScript, tests or documentation. */
const assetExtensions = ['.css'];

for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !assetExtensions.some((extension) => entry.name.endsWith(extension))) continue;
  const file = join(entry.parentPath, entry.name);
  cpSync(file, join(outDir, relative(source, file)));
}
