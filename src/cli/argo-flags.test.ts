import { describe, expect, it } from 'vitest';
import { goBoolean, goDurationMs, ignoredArgoFlags, resolveArgoFlags } from './argo-flags.js';
import { controllerCommand, type ControllerOptions } from './controller-command.js';
import { startCommand } from './bot-command.js';
import { StartupError } from './startup-error.js';

/** The controller's options as Commander parses a command line, the engine not started. */
function parse(args: string[], command = controllerCommand()): ControllerOptions & Record<string, unknown> {
  command.exitOverride().action(() => undefined);
  command.parse(args, { from: 'user' });
  return command.opts<ControllerOptions & Record<string, unknown>>();
}

describe("the controller takes Argo Rollouts' flag spellings (rollouts-controller v1.9.1)", () => {
  it.each([
    [[], { leaderElect: true, metricsPort: 8090, healthzPort: 8080 }],
    [['--leader-elect=false'], { leaderElect: false }],
    [['--leader-elect=true'], { leaderElect: true }],
    [['--leader-elect'], { leaderElect: true }],
    [['--no-leader-elect'], { leaderElect: false }],
    [['--namespaced'], { namespaced: true }],
    [['--namespaced=false'], { namespaced: false }],
    [['--metricsPort', '9001'], { metricsPort: 9001 }],
    [['--metricsPort=9001'], { metricsPort: 9001 }],
    [['--healthzPort', '9002'], { healthzPort: 9002 }],
    [
      ['--instance-id', 'blue', '--rollout-threads', '3', '--analysis-threads', '4'],
      { instanceId: 'blue', rolloutThreads: 3, analysisThreads: 4 },
    ],
    [['--kubeconfig', '/k', '--namespace', 'team', '--context', 'prod'], { kubeconfig: '/k', namespace: 'team', context: 'prod' }],
    [
      ['--leader-election-lease-duration', '30s', '--leader-election-renew-deadline=20s', '--leader-election-retry-period', '500ms'],
      { leaderElectionLeaseDuration: 30_000, leaderElectionRenewDeadline: 20_000, leaderElectionRetryPeriod: 500 },
    ],
  ] as const)('%j → %j', (args, expected) => {
    expect(parse([...args])).toMatchObject(expected);
  });

  it("folds --metricsport (Argo's deprecated spelling) into the metrics port, and takes --loglevel / --logformat", () => {
    const resolved = resolveArgoFlags(parse(['--metricsport', '9100', '--loglevel', 'debug', '--logformat', 'text']));
    expect(resolved).toMatchObject({ metricsPort: 9100, logLevel: 'debug', logFormat: 'pretty', ignored: [] });
    expect(resolveArgoFlags(parse(['--logformat', 'json'])).logFormat).toBe('json');
  });

  it('`gradual start` takes the same spellings', () => {
    expect(parse(['--leader-elect=false', '--metricsPort', '9003', '--no-dashboard'], startCommand())).toMatchObject({
      leaderElect: false,
      metricsPort: 9003,
      dashboard: false,
    });
  });

  it("accepts every flag of Argo's for parts Gradual lacks, and names each one given in a warning", () => {
    const args = ignoredArgoFlags.flatMap((flag) => {
      const long = flag.flags.split(' ')[0] ?? '';
      return flag.flags.includes('[') ? [`${long}=true`] : [long, flag.parse === undefined ? 'v1' : '3'];
    });
    const resolved = resolveArgoFlags(parse(args));
    expect(resolved.ignored).toHaveLength(ignoredArgoFlags.length);
    expect(resolved.ignored[0]).toMatch(/^--kloglevel is accepted .* no effect: Gradual has no klog$/u);
    expect(resolveArgoFlags(parse(['--qps', '50'])).ignored).toEqual([expect.stringContaining('--qps')]);
  });

  it.each([
    [['--controllers=analysis'], /--controllers=analysis is not supported/u],
    [['--aws-verify-target-group'], /does not verify ALB target group/u],
    [['--alb-verify-weight=true'], /does not verify ALB target group/u],
  ])('refuses %j with the reason: ignoring it would be unsafe', (args, message) => {
    expect(() => resolveArgoFlags(parse(args))).toThrow(StartupError);
    expect(() => resolveArgoFlags(parse(args))).toThrow(message);
  });

  it('takes --aws-verify-target-group=false (the check off is what Gradual does)', () => {
    expect(resolveArgoFlags(parse(['--aws-verify-target-group=false'])).ignored).toEqual([]);
  });

  it.each([['--leader-elect=maybe'], ['--metricsPort', '70000'], ['--loglevel', 'loud'], ['--leader-election-lease-duration', '15']])(
    'refuses a bad value: %j',
    (...args) => {
      expect(() => parse(args)).toThrow();
    },
  );
});

describe("Go's flag values", () => {
  it.each([
    ['true', true],
    ['1', true],
    ['T', true],
    ['false', false],
    ['0', false],
    ['F', false],
  ] as const)('boolean %s → %s', (text, value) => {
    expect(goBoolean(text)).toBe(value);
  });
  it.each([['yes'], [''], ['truee']])('boolean %j is refused', (text) => {
    expect(() => goBoolean(text)).toThrow();
  });
  it.each([
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5s', 1500],
  ] as const)('duration %s → %d ms', (text, ms) => {
    expect(goDurationMs(text)).toBe(ms);
  });
  it.each([['15'], ['s'], ['-5s'], ['0s'], ['5 s'], ['5d']])('duration %j is refused', (text) => {
    expect(() => goDurationMs(text)).toThrow();
  });
});
