import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearSecretValues,
  createLogger,
  isSecretKey,
  redactSecretValues,
  registerSecretValue,
  resolveLogFormat,
  type LogFormatName,
  type Logger,
} from './index.js';

function capture(level = 'debug', options: { format?: LogFormatName; terminal?: boolean } = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
    options.terminal === true ? { isTTY: true } : {},
  );
  return { logger: createLogger({ level, destination, ...(options.format === undefined ? {} : { format: options.format }) }), lines };
}

const token = 'tok-3f9a1c7e5b2d4a6c';

afterEach(() => {
  clearSecretValues();
});

// The leaks found by a probe of the old shallow, case-sensitive path list, one per row.
describe('log redaction: fields named like credentials, at any depth and in any case', () => {
  const requestError = Object.assign(new Error('HttpError: Bad credentials'), {
    status: 401,
    request: { method: 'GET', url: 'https://api.example.test/x', headers: { authorization: `token ${token}`, 'user-agent': 'gradual' } },
    response: { status: 401, headers: { 'Set-Cookie': `session=${token}` }, data: { message: 'Bad credentials' } },
  });
  const cases: [string, (logger: Logger) => void][] = [
    [
      'headers.Authorization',
      (logger) => {
        logger.info({ headers: { Authorization: `Bearer ${token}` } }, 'request');
      },
    ],
    [
      'err.request.headers.authorization',
      (logger) => {
        logger.error({ err: requestError }, 'failed');
      },
    ],
    [
      'an error as the first argument',
      (logger) => {
        logger.error(requestError);
      },
    ],
    [
      'a cause two levels down',
      (logger) => {
        logger.error(
          {
            err: new Error('outer', {
              cause: new Error('inner', { cause: Object.assign(new Error('root'), { config: { headers: { 'X-API-KEY': token } } }) }),
            }),
          },
          'failed',
        );
      },
    ],
    [
      'nested token',
      (logger) => {
        logger.info({ a: { b: { c: { token } } } }, 'nested');
      },
    ],
    [
      'nested privateKey',
      (logger) => {
        logger.info({ app: { settings: { privateKey: token } } }, 'nested');
      },
    ],
    [
      'nested apiKey in an array',
      (logger) => {
        logger.info({ providers: [{ datadog: { apiKey: token } }] }, 'nested');
      },
    ],
    [
      'mixed case and separators',
      (logger) => {
        logger.info(
          { Cfg: { API_KEY: token, Client_Secret: token, 'PRIVATE-KEY': token, AccessToken: token, PassWord: token, Cookie: token } },
          'mixed',
        );
      },
    ],
    [
      'a header as a key/value pair',
      (logger) => {
        logger.info({ headers: [{ key: 'Authorization', value: token }] }, 'pairs');
      },
    ],
    [
      "a child logger's bindings",
      (logger) => {
        logger.child({ client: { bearerToken: token } }).info('bound');
      },
    ],
    [
      'a Map',
      (logger) => {
        logger.info({ headers: new Map([['x-api-key', token]]) }, 'map');
      },
    ],
    [
      'a bearer credential in a message',
      (logger) => {
        logger.warn(`upstream refused Authorization: Bearer ${token}`);
      },
    ],
    [
      'a URL password',
      (logger) => {
        logger.warn({ remote: `https://x-access-token:${token}@git.example.test/a/b.git` }, 'clone');
      },
    ],
  ];
  it.each(cases)('%s', (_name, write) => {
    const { logger, lines } = capture();
    write(logger);
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line.includes(token), line).toBe(false);
    expect(line).toContain('[redacted]');
    // Still one JSON event per line.
    expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('keeps what only names a credential: tokenFile, secretKeyRef, tokens, and the error message', () => {
    const { logger, lines } = capture();
    logger.info({ tokenFile: '/run/token', secretKeyRef: { name: 'provider', key: 'token' }, tokens: 3, key: 'Authorization' }, 'kept');
    logger.error({ err: new Error('boom at step 2') }, 'failed');
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      tokenFile: '/run/token',
      secretKeyRef: { name: 'provider', key: 'token' },
      tokens: 3,
      key: 'Authorization',
      msg: 'kept',
    });
    const second = JSON.parse(lines[1] ?? '{}') as { err: { type: string; message: string; stack: string } };
    expect(second.err.type).toBe('Error');
    expect(second.err.message).toBe('boom at step 2');
    expect(second.err.stack).toContain('logger.test.ts');
  });

  it('survives cycles and does not change the logged object', () => {
    const { logger, lines } = capture();
    const looped: Record<string, unknown> = { name: 'loop', headers: { authorization: token } };
    looped['self'] = looped;
    logger.info({ looped }, 'cycle');
    expect(lines[0]).toContain('[circular]');
    expect(lines[0]?.includes(token)).toBe(false);
    expect((looped['headers'] as Record<string, string>)['authorization']).toBe(token);
  });

  it.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['set-cookie', true],
    ['x-api-key', true],
    ['client-secret', true],
    ['webhookSecret', true],
    ['private_key', true],
    ['id_token', true],
    ['GITHUB_TOKEN', true],
    ['x-hub-signature-256', true],
    ['tokenFile', false],
    ['secretKeyRef', false],
    ['tokens', false],
    ['keyName', false],
    ['name', false],
    ['secretName', false],
  ] as const)('isSecretKey(%s) is %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });
});

describe('log redaction: known secret values in every encoding', () => {
  const secret = 'w3bh00k/s3cr3t+value with space';
  const encodings: [string, string][] = [
    ['raw', secret],
    ['percent-encoded', encodeURIComponent(secret)],
    ['percent-encoded, lower-case hex', encodeURIComponent(secret).toLowerCase()],
    ['form-encoded', encodeURIComponent(secret).replace(/%20/gu, '+')],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['base64 inside a basic-auth header (offset 1)', Buffer.from(`u:${secret}`).toString('base64')],
    ['base64 inside a longer text (offset 2)', Buffer.from(`ab:${secret}`).toString('base64')],
    ['JSON inside a message', JSON.stringify({ echoed: secret })],
  ];
  it.each(encodings)('%s, in a message and in a field', (_name, encoded) => {
    registerSecretValue(secret);
    const { logger, lines } = capture();
    logger.info({ body: `the provider said ${encoded}` }, `echo: ${encoded}`);
    const line = lines[0] ?? '';
    // The encoded form (or a base64 run that holds it) must not survive.
    const core = encoded.startsWith('{') ? secret : encoded.slice(4, -4);
    expect(line.includes(core), line).toBe(false);
    expect(line).toContain('[redacted]');
    expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('a PEM private key: whole, one line of it, or its body without line breaks', () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    registerSecretValue(privateKey);
    const lines = privateKey.trim().split('\n');
    const body = lines.slice(1, -1).join('');
    const { logger, lines: logged } = capture();
    logger.error({ detail: lines[5] }, 'a line');
    logger.error({ config: { pem: privateKey } }, 'whole');
    logger.error(`body ${body}`);
    for (const line of logged) {
      for (const part of lines.slice(1, -1)) expect(line.includes(part), line).toBe(false);
      expect(line).toContain('[redacted]');
    }
  });

  it('finds every registered value at every position, and changes nothing else (seeded, 2,000 cases)', () => {
    let seed = 20;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/+= ';
    const text = (length: number): string => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)] ?? 'x').join('');
    const secrets = Array.from({ length: 12 }, (_, index) => `S${String(index)}${text(7 + Math.floor(random() * 30))}`.replace(/ /gu, '.'));
    for (const secret of secrets) registerSecretValue(secret);
    for (let round = 0; round < 2_000; round += 1) {
      const chosen = secrets[Math.floor(random() * secrets.length)] ?? '';
      const before = `§${text(Math.floor(random() * 200))}`;
      const after = `${text(Math.floor(random() * 200))}§`;
      const encoded = [chosen, encodeURIComponent(chosen), Buffer.from(chosen).toString('base64')][round % 3] ?? chosen;
      const result = redactSecretValues(`${before}${encoded}${after}`);
      expect(result.includes(encoded), `${String(round)}: ${result}`).toBe(false);
      expect(result.startsWith('§') && result.endsWith('§') && result.includes('[redacted]')).toBe(true);
      const plain = `§${text(300)}§`;
      if (!secrets.some((secret) => plain.includes(secret.slice(0, 8))))
        expect(redactSecretValues(plain).replace(/Bearer|Basic/gu, '')).toBe(plain.replace(/Bearer|Basic/gu, ''));
    }
  });

  it('ignores values too short to be a secret', () => {
    expect(registerSecretValue('abc')).toBe(false);
    const { logger, lines } = capture();
    logger.info('abc level msg');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'abc level msg' });
  });
});

describe("Probot's logger", () => {
  it('is the Gradual logger given to it: the same redaction applies to its lines', () => {
    const { logger, lines } = capture();
    registerSecretValue('whsec-probe-3c1d9e7f');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const probot = new Probot({ appId: 1, privateKey, secret: 'whsec-probe-3c1d9e7f', log: logger.child({ component: 'probot' }) });
    probot.log.error(
      { err: Object.assign(new Error('Bad credentials'), { request: { headers: { Authorization: `token ${token}` } } }) },
      'probot request failed',
    );
    probot.log.warn(
      { event: { payload: { hook: { config: { secret: 'whsec-probe-3c1d9e7f' } } } } },
      'webhook whsec-probe-3c1d9e7f received',
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ name: 'probot' });
      expect(line.includes(token) || line.includes('whsec-probe-3c1d9e7f'), line).toBe(false);
    }
  });
});

describe('the log format: pretty for a person at a terminal, JSON for everything else', () => {
  it.each([
    [undefined, false, 'json'],
    [undefined, true, 'pretty'],
    ['auto', false, 'json'],
    ['auto', true, 'pretty'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
    ['text', false, 'pretty'],
  ] as const)('asked %s, a terminal: %s → %s', (requested, terminal, expected) => {
    expect(resolveLogFormat(requested, terminal)).toBe(expected);
  });

  it('writes JSON to a pipe and pino-pretty lines to a terminal', () => {
    const piped = capture('info');
    piped.logger.info({ rollout: 'web' }, 'step reached');
    expect(JSON.parse(piped.lines[0] ?? '')).toMatchObject({ msg: 'step reached', rollout: 'web' });
    const terminal = capture('info', { terminal: true });
    terminal.logger.info({ rollout: 'web' }, 'step reached');
    // Coloured: a terminal is a person's. The escapes stripped to read the text.
    const coloured = terminal.lines.join('');
    expect(coloured).toContain(`${String.fromCharCode(27)}[`);
    const line = coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'gu'), '');
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toContain('step reached');
    expect(line).toMatch(/rollout: "web"/u);
  });

  it('redacts before it formats: credential fields, registered values and child bindings never reach a pretty line', () => {
    registerSecretValue('whsec-pretty-5b8e2a1c');
    const { logger, lines } = capture('debug', { format: 'pretty' });
    logger.info({ headers: { Authorization: `Bearer ${token}` }, nested: { apiKey: token } }, 'request');
    logger.child({ token }).warn('webhook whsec-pretty-5b8e2a1c received');
    logger.error({ err: Object.assign(new Error('Bad credentials'), { request: { headers: { 'x-api-key': token } } }) }, 'failed');
    expect(lines).toHaveLength(3);
    const text = lines.join('');
    expect(text).toContain('webhook');
    expect(text.includes(token), text).toBe(false);
    expect(text.includes('whsec-pretty-5b8e2a1c'), text).toBe(false);
  });
});

describe('the cost of redaction per line', () => {
  it('is measured and stays small', { timeout: 60_000 }, () => {
    for (let index = 0; index < 20; index += 1) registerSecretValue(`provider-token-${String(index).padStart(2, '0')}-0123456789abcdef`);
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    registerSecretValue(privateKey);
    const sink = new Writable({
      write: (_chunk, _encoding, done) => {
        done();
      },
    });
    const redacted = createLogger({ level: 'info', destination: sink });
    // The same lines through a bare pino with the old shallow path list, for the comparison.
    const before = pino(
      {
        level: 'info',
        redact: {
          paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization'],
          censor: '[redacted]',
        },
      },
      sink,
    );
    const typical = {
      namespace: 'shop',
      rollout: 'api',
      step: 3,
      weights: { canary: 20, stable: 80 },
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    };
    const failure = Object.assign(new Error('provider answered 503'), {
      status: 503,
      request: { url: 'http://127.0.0.1/q', headers: { Authorization: 'Bearer y' } },
    });
    const count = 20_000;
    function time(logger: Logger): number {
      const started = process.hrtime.bigint();
      for (let index = 0; index < count; index += 1) {
        if (index % 10 === 0) logger.error({ err: failure, namespace: 'shop' }, 'measurement failed');
        else logger.info(typical, 'reconciled');
      }
      return Number(process.hrtime.bigint() - started) / count / 1000;
    }
    time(redacted);
    time(before);
    const withRedaction = time(redacted);
    const shallow = time(before);
    clearSecretValues();
    const withoutValues = time(redacted);
    process.stdout.write(
      `log redaction: ${withRedaction.toFixed(2)} µs per line with 21 registered secrets (a PEM key among them), ${withoutValues.toFixed(2)} µs with none registered, ${shallow.toFixed(2)} µs with pino's shallow path list (${String(count)} lines, 1 in 10 an error with a stack)\n`,
    );
    // A bound loose enough for two shared, loaded cores; the printed figures are the measure.
    expect(withRedaction).toBeLessThan(500);
  });
});
