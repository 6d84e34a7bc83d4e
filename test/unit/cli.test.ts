import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';

function gradual(args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args], { cwd: cli.cwd });
}

// Each case starts a real `gradual` process through tsx; allow for a loaded two-core machine.
describe('the gradual command', { timeout: 30_000 }, () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await gradual(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it.each([
    [['--help'], ['local', 'demo']],
    [['local', '--help'], ['up [options]', 'down [options]', 'status [options]']],
    [['local', 'up', '--help'], ['--dir <dir>', '--nodes <n>', '--apiserver-port <port>', '--prometheus-port <port>', '--git-port <port>']],
    [['controller', '--help'], ['--allow-metadata-addresses', '--max-metric-response-bytes <n>']],
    [['start', '--help'], ['--allow-metadata-addresses', '--max-metric-response-bytes <n>']],
  ])('gradual %j lists %j', async (args, expected) => {
    const result = await gradual(args);
    expect(result.code).toBe(0);
    for (const text of expected) expect(result.stdout).toContain(text);
  });

  it('refuses a response cap that is not a whole number of bytes', async () => {
    const result = await gradual(['controller', '--max-metric-response-bytes', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('a whole number of bytes, at least 1');
  });

  it('refuses an unknown command with a non-zero exit and a hint', async () => {
    const result = await gradual(['lunch']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'lunch'");
  });

  it('says clearly when there is no environment to stop', async () => {
    const result = await gradual(['local', 'down', '--dir', '/nonexistent/gradual-env']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No local environment in /nonexistent/gradual-env');
  });
});
