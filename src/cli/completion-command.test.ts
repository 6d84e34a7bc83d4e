import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionScript } from './completion-command.js';
import { buildProgram } from './program.js';

const run = promisify(execFile);
let folder = '';
let script = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'gradual-completion-'));
  script = join(folder, 'gradual.bash');
  await writeFile(script, completionScript(buildProgram(), 'bash'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** What bash offers after `words` (the last one being completed), run by bash itself. */
async function complete(words: string[]): Promise<string[]> {
  const array = words.map((word) => `'${word}'`).join(' ');
  const { stdout } = await run(
    'bash',
    [
      '-c',
      `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${String(words.length - 1)}; _gradual_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: folder },
  );
  return stdout.split('\n').filter(Boolean).sort();
}

describe('gradual completion bash, run by bash', () => {
  it.each([
    [['gradual', 'lo'], ['local']],
    [['gradual', 've'], ['version']],
    [
      ['gradual', 'local', ''],
      ['--help', 'down', 'github', 'serve-git', 'serve-github', 'status', 'up'],
    ],
    [['gradual', 'local', 'up', '--wi'], ['--with-argo']],
    [
      ['gradual', 'controller', '--leader-e'],
      ['--leader-elect', '--leader-election-lease-duration', '--leader-election-renew-deadline', '--leader-election-retry-period'],
    ],
    [['gradual', '--log-format', 'json', 'controller', '--metricsP'], ['--metricsPort']],
    [['gradual', 'completion', '--h'], ['--help']],
    // `status` is a command at the top and under `local`: the place decides.
    [['gradual', 'status', '--w'], ['--watch']],
  ])('%j → %j', async (words, expected) => {
    expect(await complete(words)).toEqual(expected);
  });

  it('offers file names after a flag that takes one', async () => {
    await writeFile(join(folder, 'gradual-config.yaml'), '');
    expect(await complete(['gradual', 'bot', '--config', 'gradual-c'])).toEqual(['gradual-config.yaml']);
  });
});

describe('the completion script', () => {
  it('for zsh loads the same function through bashcompinit', () => {
    const zsh = completionScript(buildProgram(), 'zsh');
    expect(zsh).toContain('#compdef gradual');
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -F _gradual_completion gradual');
  });

  it('refuses a command name that would need quoting rather than write it into a script', () => {
    const program = new Command('gradual').addCommand(new Command('x$(touch /tmp/owned)'));
    expect(() => completionScript(program, 'bash')).toThrow(/not a plain command or flag name/u);
  });
});
