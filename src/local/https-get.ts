import { request } from 'node:https';

export interface TlsClientMaterial {
  ca: string;
  cert?: string;
  key?: string;
}

/** A GET over TLS with our own CA and client certificate (fetch in Node 20 cannot take either without extra dispatchers). */
export function httpsGet(url: string, tls: TlsClientMaterial, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${String(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end();
  });
}
