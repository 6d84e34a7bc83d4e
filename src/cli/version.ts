import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/** The package version, read once from package.json (two levels up from src/cli or dist/cli). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** What `gradual version` prints: Gradual's version and the runtime under it (a bug report wants both). */
export function versionText(options: { short?: boolean; json?: boolean } = {}): string {
  const facts = { gradual: packageVersion(), node: process.version, platform: `${process.platform}/${process.arch}` };
  if (options.short === true) return `${facts.gradual}\n`;
  if (options.json === true) return `${JSON.stringify(facts)}\n`;
  return (
    Object.entries(facts)
      .map(([key, value]) => `${key}: ${value}`)
      .join('\n') + '\n'
  );
}

/** `gradual version`, as `kubectl argo rollouts version` has it (--short for the number alone). */
export function versionCommand(): Command {
  return new Command('version')
    .description('print the version of Gradual and of the Node.js it runs on')
    .option('--short', 'the version number alone')
    .option('--json', 'as one JSON object')
    .action((options: { short?: boolean; json?: boolean }) => {
      process.stdout.write(versionText(options));
    });
}
