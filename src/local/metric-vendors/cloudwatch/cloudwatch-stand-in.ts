import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetMetricDataInput$, GetMetricDataOutput$ } from '@aws-sdk/client-cloudwatch';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../providers/outbound/node-sha256.js';

/*
 * A local CloudWatch GetMetricData endpoint for tests, speaking the protocol the official SDK
 * speaks (AWS JSON 1.0, target GraniteServiceVersion20100801.GetMetricData). A request the
 * service would refuse is refused as it refuses it: a signature that does not verify with the
 * stand-in's key (403 SignatureDoesNotMatch), an input that breaks the SDK's own model of
 * GetMetricDataInput (400 InvalidParameterValue: a required member missing, a member of the
 * wrong type). The answer is checked against the model's GetMetricDataOutput before it is sent.
 * Sources: README.md.
 */

export interface CloudWatchStandInOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The answer to a valid request: MetricDataResults (and Messages) as the service sends them, times in epoch seconds. */
  answer: (input: Record<string, unknown>) => Record<string, unknown>;
}

export interface CloudWatchStandIn {
  url: string;
  /** Every request's target, headers and JSON input, in order. */
  requests: { target: string | undefined; headers: IncomingMessage['headers']; input: unknown }[];
  close: () => Promise<void>;
}

type Schema = unknown;

/** The model's member kinds (the SDK's schema codes): 0 string, 1 number, 2 boolean, 4 timestamp, 64|n a list of n. */
function check(schema: Schema, value: unknown, path: string): string | undefined {
  const resolved: unknown = typeof schema === 'function' ? (schema as () => unknown)() : schema;
  if (typeof resolved === 'number') {
    if (resolved >= 64) {
      if (!Array.isArray(value)) return `${path} must be a list`;
      for (const [index, item] of value.entries()) {
        const problem = check(resolved - 64, item, `${path}.member.${String(index + 1)}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const expected = new Map([
      [0, 'string'],
      [1, 'number'],
      [2, 'boolean'],
      [4, 'number'],
    ]).get(resolved);
    return expected === undefined || typeof value === expected
      ? undefined
      : `${path} must be a ${expected === 'number' && resolved === 4 ? 'timestamp' : expected}`;
  }
  const [kind, , , , ...rest] = resolved as [number, string, string, unknown, ...unknown[]];
  if (kind === 1) {
    if (!Array.isArray(value)) return `${path} must be a list`;
    for (const [index, item] of value.entries()) {
      const problem = check(rest[0], item, `${path}.member.${String(index + 1)}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (kind === 3) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be a structure`;
    const [names, members, required = 0] = rest as [string[], Schema[], number | undefined];
    const record = value as Record<string, unknown>;
    for (const [index, name] of names.entries()) {
      const member = record[name];
      if (member === undefined || member === null) {
        if (index < required) return `The parameter ${path === '' ? name : `${path}.${name}`} is required.`;
        continue;
      }
      const problem = check(members[index], member, path === '' ? name : `${path}.${name}`);
      if (problem !== undefined) return problem;
    }
    for (const key of Object.keys(record))
      if (!names.includes(key)) return `${path === '' ? '' : `${path}.`}${key} is not a member of the model`;
    return undefined;
  }
  return undefined;
}

/**
 * The SDK's schema of GetMetricDataInput, then the constraints the API reference states that
 * the schema does not carry: an Id starts with a lowercase letter and has letters, digits and
 * underscores; each query has exactly one of MetricStat and Expression; a period is at least 1.
 */
export function checkGetMetricDataInput(input: unknown): string | undefined {
  const problem = check(GetMetricDataInput$, input, '');
  if (problem !== undefined) return problem;
  const queries = (input as { MetricDataQueries: { Id: string; MetricStat?: { Period: number }; Expression?: string; Period?: number }[] })
    .MetricDataQueries;
  for (const [index, query] of queries.entries()) {
    const path = `MetricDataQueries.member.${String(index + 1)}`;
    if (!/^[a-z][a-zA-Z0-9_]*$/u.test(query.Id)) return `The value ${JSON.stringify(query.Id)} for parameter ${path}.Id is invalid.`;
    if ((query.MetricStat === undefined) === (query.Expression === undefined))
      return `The parameter ${path} must contain either a MetricStat or an Expression, but not both.`;
    if (query.MetricStat !== undefined && query.MetricStat.Period < 1) return `The parameter ${path}.MetricStat.Period must be at least 1.`;
    if (query.Period !== undefined && query.Period < 1) return `The parameter ${path}.Period must be at least 1.`;
  }
  return undefined;
}
export function checkGetMetricDataOutput(output: unknown): string | undefined {
  return check(GetMetricDataOutput$, output, '');
}

/** Recomputes the request's SigV4 signature with the stand-in's key over the headers it says it signed. */
async function signatureMatches(request: IncomingMessage, body: string, options: CloudWatchStandInOptions): Promise<boolean> {
  const authorization = request.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/monitoring\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/u.exec(
      authorization,
    );
  if (match === null) return false;
  const [, accessKeyId, , region, signedHeaders = '', signature] = match;
  if (accessKeyId !== options.accessKeyId || region !== options.region) return false;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/u.exec(amzDate);
  if (date === null) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
  const [host = '', port] = (request.headers.host ?? '').split(':');
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    region: options.region,
    service: 'monitoring',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname: host,
      ...(port === undefined ? {} : { port: Number(port) }),
      path: (request.url ?? '/').split('?')[0] ?? '/',
      query: {},
      headers,
      body,
    },
    { signingDate: new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`) },
  );
  return String(signed.headers.authorization ?? signed.headers.Authorization).endsWith(`Signature=${String(signature)}`);
}

/** An AWS JSON 1.0 error as CloudWatch sends it under its query-compatible mode. */
function error(status: number, type: string, queryCode: string, message: string) {
  return {
    status,
    headers: { 'x-amzn-query-error': `${queryCode};Sender`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${type}`, message }),
  };
}

export async function startCloudWatchStandIn(options: CloudWatchStandInOptions): Promise<CloudWatchStandIn> {
  const requests: CloudWatchStandIn['requests'] = [];
  const respond = async (request: IncomingMessage, body: string) => {
    const target = request.headers['x-amz-target'] as string | undefined;
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      input = undefined;
    }
    requests.push({ target, headers: request.headers, input });
    if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-amz-json-1.0')
      return error(400, 'InvalidAction', 'InvalidAction', 'only AWS JSON 1.0 POSTs are served');
    if (!(await signatureMatches(request, body, options)))
      return error(
        403,
        'SignatureDoesNotMatch',
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (target !== 'GraniteServiceVersion20100801.GetMetricData')
      return error(400, 'UnknownOperationException', 'InvalidAction', `${String(target)} is not served by the stand-in`);
    if (input === undefined) return error(400, 'SerializationException', 'InvalidParameterValue', 'the body is not JSON');
    const problem = checkGetMetricDataInput(input);
    if (problem !== undefined) return error(400, 'InvalidParameterValueException', 'InvalidParameterValue', problem);
    const output = options.answer(input as Record<string, unknown>);
    const outputProblem = checkGetMetricDataOutput(output);
    if (outputProblem !== undefined) throw new Error(`the stand-in's answer breaks the model: ${outputProblem}`);
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(output) };
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      respond(request, body).then(
        (answer) => {
          response.writeHead(answer.status, answer.headers).end(answer.body);
        },
        (cause: unknown) => {
          response.writeHead(500).end(String(cause));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
