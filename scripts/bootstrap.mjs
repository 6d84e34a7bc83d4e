#!/usr/bin/env node
// Runs before `npm test`, `npm run demo` and `npm run bench`: installs the npm
// dependencies when (and only when) package-lock.json changed since the last
// install. Plain JavaScript with no dependencies, because it runs before any
// are installed. Debian packages and the Go-built control plane are set up by
// `gradual local up` itself (src/local), which every one of those commands calls.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 18)) {
  console.error(`gradual needs Node.js 20.18 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

const lockFile = join(root, 'package-lock.json');
const stampFile = join(root, 'node_modules', '.gradual-install-stamp');
const wanted = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const installed = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';

if (installed !== wanted) {
  console.error('[setup] installing npm dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[setup] npm ci failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampFile, `${wanted}\n`);
}
