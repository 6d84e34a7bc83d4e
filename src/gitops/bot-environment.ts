import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { registerSecretValue } from '../log/index.js';
import { GradualError } from '../errors/gradual-error.js';

/**
 * Probot's environment variables (the names every Probot app uses), validated.
 * GHE_HOST / GHE_PROTOCOL point the app at GitHub Enterprise Server — and at the
 * local GitHub, which serves the same `/api/v3` paths.
 */
const botEnvironmentSchema = z.object({
  APP_ID: z.coerce
    .number({ error: "APP_ID is the GitHub App's numeric id" })
    .int()
    .positive({ error: "APP_ID is the GitHub App's numeric id" }),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z
    .string({ error: 'WEBHOOK_SECRET is required: unsigned webhooks are refused' })
    .min(1, { error: 'WEBHOOK_SECRET is required: unsigned webhooks are refused' }),
  WEBHOOK_PATH: z.string().startsWith('/').default('/api/github/webhooks'),
  GHE_HOST: z.string().optional(),
  GHE_PROTOCOL: z.enum(['http', 'https']).default('https'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  GRADUAL_CONFIG: z.string().optional(),
});

/** The bot's environment variables are missing or wrong: the operator's to fix, said without a stack. */
export class BotEnvironmentError extends GradualError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_CONFIG', message, { cause: options?.cause });
  }
}

export interface BotEnvironment {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  webhookPath: string;
  /** The REST API's base URL: api.github.com, or `<protocol>://<GHE_HOST>/api/v3`. */
  baseUrl: string;
  port: number;
  host: string;
  configFile: string | undefined;
}

export async function readBotEnvironment(env: NodeJS.ProcessEnv): Promise<BotEnvironment> {
  const parsed = botEnvironmentSchema.safeParse(env);
  if (!parsed.success)
    throw new BotEnvironmentError(
      `the bot's environment is incomplete:\n${parsed.error.issues.map((issue) => `- ${issue.message.startsWith(issue.path.join('.')) ? issue.message : `${issue.path.join('.')}: ${issue.message}`}`).join('\n')}`,
    );
  const values = parsed.data;
  let privateKey = values.PRIVATE_KEY?.replace(/\\n/gu, '\n');
  if (privateKey === undefined && values.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = await readFile(values.PRIVATE_KEY_PATH, 'utf8');
    } catch (cause) {
      throw new BotEnvironmentError(
        `PRIVATE_KEY_PATH ${values.PRIVATE_KEY_PATH} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  }
  if (privateKey?.includes('PRIVATE KEY') !== true)
    throw new BotEnvironmentError("PRIVATE_KEY or PRIVATE_KEY_PATH must give the GitHub App's PEM private key");
  // Known from here on: no logger of the process writes them, whatever carries them.
  registerSecretValue(privateKey);
  registerSecretValue(values.WEBHOOK_SECRET);
  return {
    appId: values.APP_ID,
    privateKey,
    webhookSecret: values.WEBHOOK_SECRET,
    webhookPath: values.WEBHOOK_PATH,
    baseUrl:
      values.GHE_HOST === undefined || values.GHE_HOST === ''
        ? 'https://api.github.com'
        : `${values.GHE_PROTOCOL}://${values.GHE_HOST}/api/v3`,
    port: values.PORT,
    host: values.HOST,
    configFile: values.GRADUAL_CONFIG,
  };
}
