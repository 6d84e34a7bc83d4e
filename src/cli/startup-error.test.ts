import { describe, expect, it } from 'vitest';
import { SetupError } from '../local/errors.js';
import { BotEnvironmentError } from '../gitops/bot-environment.js';
import { ConfigError } from '../gitops/config.js';
import { StartupError, startupErrorText } from './startup-error.js';

describe('start-up errors as the operator reads them', () => {
  it.each([
    [new StartupError('--context prod: no such context'), 'gradual: --context prod: no such context\n'],
    [new SetupError('INVALID_INPUT', 'bad --dir'), 'gradual: bad --dir\n'],
    [
      new ConfigError('invalid Gradual config:\ng.yaml:1: clusters: at least one cluster\ng.yaml:4: x: y'),
      'gradual: invalid Gradual config:\n  g.yaml:1: clusters: at least one cluster\n  g.yaml:4: x: y\n',
    ],
    [
      new BotEnvironmentError("the bot's environment is incomplete:\n- APP_ID is the GitHub App's numeric id"),
      "gradual: the bot's environment is incomplete:\n  APP_ID is the GitHub App's numeric id\n",
    ],
    [
      Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', address: '0.0.0.0', port: 8090 }),
      'gradual: port 8090 on 0.0.0.0 is already in use (another process listens there; choose another port)\n',
    ],
  ])('%s', (error, text) => {
    expect(startupErrorText(error)).toBe(text);
  });

  it('leaves an unexpected failure to the logger, stack and all', () => {
    expect(startupErrorText(new TypeError('x is undefined'))).toBeUndefined();
    expect(startupErrorText('thrown text')).toBeUndefined();
  });
});
