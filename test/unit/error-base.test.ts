import { describe, expect, it } from 'vitest';
import { StartupError } from '../../src/cli/startup-error.js';
import { ConditionSyntaxError } from '../../src/condition/lexer.js';
import { ConditionEvaluationError } from '../../src/condition/values.js';
import { DashboardBindError } from '../../src/dashboard/bind-policy.js';
import { DashboardActionError } from '../../src/dashboard/rollout-actions.js';
import { WriteRefusedError } from '../../src/engine/controller/apply-plan.js';
import { GradualError } from '../../src/errors/gradual-error.js';
import { TerminalError, isRetryable } from '../../src/errors/terminal-error.js';
import { ApplyError } from '../../src/gitops/apply-objects.js';
import { BotEnvironmentError } from '../../src/gitops/bot-environment.js';
import { ConfigError } from '../../src/gitops/config.js';
import { ManifestFetchError } from '../../src/gitops/manifests/manifest-fetch-error.js';
import { SetupError } from '../../src/local/errors.js';
import { GithubApiError } from '../../src/local/github/errors.js';
import { RolloutVerbError } from '../../src/rollout-actions/kube-client.js';
import { TrafficRoutingError } from '../../src/traffic/errors.js';

const cause = new Error('the API server said no');

/*
 * One error base: every error class Gradual throws on purpose is a GradualError with a code from
 * one vocabulary, `retryable` as the queues read it (unchanged from before the base), its cause,
 * its own name, and the message it had before.
 */
describe('the error base', () => {
  it.each<[string, GradualError, { name: string; code: string; retryable: boolean; message: string | RegExp; cause?: unknown }]>([
    [
      'ApplyError',
      new ApplyError('bad object', { file: 'a.yaml', line: 3 }, { cause }),
      { name: 'ApplyError', code: 'APPLY_FAILED', retryable: true, message: 'bad object', cause },
    ],
    [
      'BotEnvironmentError',
      new BotEnvironmentError('GITHUB_APP_ID is missing'),
      { name: 'BotEnvironmentError', code: 'INVALID_CONFIG', retryable: true, message: 'GITHUB_APP_ID is missing' },
    ],
    [
      'ConfigError',
      new ConfigError('bad config', { cause }),
      { name: 'ConfigError', code: 'INVALID_CONFIG', retryable: true, message: 'bad config', cause },
    ],
    [
      'ManifestFetchError (404)',
      new ManifestFetchError('FETCH_FAILED', 'no such repository', { statusCode: 404 }),
      { name: 'ManifestFetchError', code: 'FETCH_FAILED', retryable: false, message: 'no such repository' },
    ],
    [
      'ManifestFetchError (network)',
      new ManifestFetchError('FETCH_FAILED', 'reset'),
      { name: 'ManifestFetchError', code: 'FETCH_FAILED', retryable: true, message: 'reset' },
    ],
    [
      'WriteRefusedError',
      new WriteRefusedError(
        { action: { kind: 'noop' } as never, object: 'ReplicaSet "web-1"', name: 'web-1', status: 422, message: 'invalid', causes: [] },
        cause,
      ),
      { name: 'WriteRefusedError', code: 'WRITE_REFUSED', retryable: false, message: 'ReplicaSet "web-1": HTTP 422: invalid', cause },
    ],
    [
      'ConditionSyntaxError',
      new ConditionSyntaxError('unexpected )', 4),
      { name: 'ConditionSyntaxError', code: 'CONDITION_SYNTAX', retryable: true, message: 'unexpected )' },
    ],
    [
      'ConditionEvaluationError',
      new ConditionEvaluationError('not a number', 2),
      { name: 'ConditionEvaluationError', code: 'CONDITION_EVALUATION', retryable: true, message: 'not a number' },
    ],
    [
      'StartupError',
      new StartupError('port 3000 is in use', { cause }),
      { name: 'StartupError', code: 'STARTUP_FAILED', retryable: true, message: 'port 3000 is in use', cause },
    ],
    [
      'TrafficRoutingError (not found)',
      new TrafficRoutingError({ code: 'NotFound', kind: 'Service', namespace: 'shop', name: 'web', field: 'spec', message: 'missing' }),
      { name: 'TrafficRoutingError', code: 'NOT_FOUND', retryable: true, message: new RegExp('missing', 'u') },
    ],
    [
      'TrafficRoutingError (invalid spec: the user fixes it)',
      new TrafficRoutingError({
        code: 'InvalidSpec',
        kind: 'Rollout',
        namespace: 'shop',
        name: 'web',
        field: 'spec.strategy',
        message: 'bad',
      }),
      { name: 'TrafficRoutingError', code: 'INVALID_SPEC', retryable: false, message: new RegExp('bad', 'u') },
    ],
    [
      'TerminalError',
      new TerminalError('spec is invalid', { cause }),
      { name: 'TerminalError', code: 'TERMINAL', retryable: false, message: 'spec is invalid', cause },
    ],
    [
      'GithubApiError',
      new GithubApiError(422, 'Validation Failed'),
      { name: 'GithubApiError', code: 'GITHUB_API', retryable: true, message: 'Validation Failed' },
    ],
    [
      'SetupError',
      new SetupError('PORT_IN_USE', 'port taken', { cause }),
      { name: 'SetupError', code: 'PORT_IN_USE', retryable: false, message: 'port taken', cause },
    ],
    [
      'RolloutVerbError',
      new RolloutVerbError('NOT_FOUND', 'rollout "web" not found in namespace "shop"', { cause }),
      { name: 'RolloutVerbError', code: 'NOT_FOUND', retryable: true, message: 'rollout "web" not found in namespace "shop"', cause },
    ],
    [
      'DashboardActionError',
      new DashboardActionError(404, 'rollout shop/web not found'),
      { name: 'DashboardActionError', code: 'NOT_FOUND', retryable: true, message: 'rollout shop/web not found' },
    ],
    [
      'DashboardBindError',
      new DashboardBindError('0.0.0.0'),
      { name: 'DashboardBindError', code: 'REMOTE_ACTIONS_REFUSED', retryable: false, message: new RegExp('0.0.0.0', 'u') },
    ],
  ])('%s', (_label, error, expected) => {
    expect(error).toBeInstanceOf(GradualError);
    expect(error).toBeInstanceOf(Error);
    const { message, ...fields } = expected;
    expect(error).toMatchObject(fields);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(isRetryable(error)).toBe(expected.retryable);
  });

  it('a plain error stays retryable; an explicit retryable: false does not', () => {
    expect(isRetryable(new Error('network'))).toBe(true);
    expect(isRetryable({ retryable: false })).toBe(false);
  });
});
