import { sendJson, startLoopbackServer, type LoopbackServer } from '../loopback-server.js';
import { verifySigv4, type Verdict, type VerifyKey } from './sigv4-verify.js';

/*
 * A stand-in for Amazon Managed Prometheus' query API on 127.0.0.1: GET
 * /workspaces/<id>/api/v1/query and /api/v1/query_range, answered in Prometheus' shape, each
 * request's SigV4 signature checked first (service `aps`, the stand-in's region and key) by a
 * verifier written from AWS's description of the algorithm. A request AWS would refuse —
 * unsigned, signed for another region or with another key, expired, altered — gets AWS's 403
 * with its JSON `message`. Sources in README.md. Test infrastructure.
 */

export interface AmpStandInOptions extends Omit<VerifyKey, 'service'> {
  workspace: string;
  /** The stand-in's clock, for the signature's time window. */
  now: () => Date;
  /** The Prometheus answer for a query that verified. */
  answer: (path: string, query: URLSearchParams) => unknown;
}

export interface AmpStandIn extends LoopbackServer {
  /** The workspace's address, as a metric names it: http://127.0.0.1:<port>/workspaces/<id> */
  address: string;
  verdicts: Verdict[];
}

export async function startAmpStandIn(options: AmpStandInOptions): Promise<AmpStandIn> {
  const verdicts: Verdict[] = [];
  const server = await startLoopbackServer((request, response) => {
    const verdict = verifySigv4(request, { ...options, service: 'aps' }, options.now());
    verdicts.push(verdict);
    if (!verdict.ok) {
      sendJson(response, 403, { message: verdict.message });
      return;
    }
    const [path = '', rawQuery = ''] = request.url.split('?', 2);
    const prefix = `/workspaces/${options.workspace}`;
    if (!path.startsWith(`${prefix}/api/v1/`)) {
      sendJson(response, 404, { message: `no workspace at ${path}` });
      return;
    }
    sendJson(response, 200, options.answer(path.slice(prefix.length), new URLSearchParams(rawQuery)));
  });
  return { ...server, address: `${server.url}/workspaces/${options.workspace}`, verdicts };
}
