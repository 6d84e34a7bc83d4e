import type { IncomingMessage } from 'node:http';

const maxBodyBytes = 16 * 1024;

/** The request body parsed as JSON (small bodies only); throws a message fit for a 400. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) throw new Error(`body larger than ${String(maxBodyBytes)} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`body is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
