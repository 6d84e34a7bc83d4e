import { json, serveStandIn, type StandInAnswer, type StandInServer } from '../serve-json.js';

/*
 * A local Kayenta for tests: the three calls Argo's provider makes, as Kayenta's
 * CanaryConfigController and CanaryController serve them (sources: README.md).
 * GET /canaryConfig lists the configs; POST /canary/{configId} starts a judgement of the
 * given scopes against the thresholds and answers its canaryExecutionId; GET
 * /canary/{executionId} answers complete:false until the judgement has been asked for
 * `pendingPolls` times, then complete:true with result.judgeResult.score.score.
 */

export interface KayentaStandInOptions {
  configs: { id: string; name: string; applications: string[] }[];
  /** The score each new judgement ends with. */
  score: () => number;
  /** How many status reads answer complete:false before the judgement completes. */
  pendingPolls: number;
}

export interface KayentaStandIn extends StandInServer {
  executions: Map<string, { configId: string; request: unknown; polls: number; score: number }>;
}

const required = ['application', 'metricsAccountName', 'configurationAccountName', 'storageAccountName'] as const;

export async function startKayentaStandIn(options: KayentaStandInOptions): Promise<KayentaStandIn> {
  const executions: KayentaStandIn['executions'] = new Map();
  let next = 0;
  const handle = (request: { method: string; url: URL; body: string }): StandInAnswer => {
    const { pathname, searchParams } = request.url;
    if (request.method === 'GET' && pathname === '/canaryConfig') {
      const application = searchParams.get('application');
      return json(
        200,
        options.configs
          .filter((config) => application === null || config.applications.includes(application))
          .map((config) => ({ ...config, updatedTimestamp: 1796644800000, updatedTimestampIso: '2026-12-07T00:00:00Z' })),
      );
    }
    const canary = /^\/canary\/([^/]+)$/u.exec(pathname);
    if (canary === null) return json(404, { error: 'Not Found', message: `No handler for ${pathname}`, status: 404 });
    const id = decodeURIComponent(canary[1] ?? '');
    if (request.method === 'POST') {
      if (!options.configs.some((config) => config.id === id))
        return json(404, { error: 'Not Found', message: `No canary config with id '${id}' was found.`, status: 404 });
      const missing = required.find((name) => (searchParams.get(name) ?? '') === '');
      if (missing !== undefined)
        return json(400, { error: 'Bad Request', message: `Required parameter '${missing}' is not present`, status: 400 });
      let body: { scopes?: unknown; thresholds?: { pass?: unknown; marginal?: unknown } };
      try {
        body = JSON.parse(request.body) as typeof body;
      } catch {
        return json(400, { error: 'Bad Request', message: 'JSON parse error', status: 400 });
      }
      if (typeof body.scopes !== 'object' || body.scopes === null || Object.keys(body.scopes).length === 0)
        return json(400, { error: 'Bad Request', message: 'At least one scope must be provided.', status: 400 });
      if (typeof body.thresholds?.pass !== 'number' || typeof body.thresholds.marginal !== 'number')
        return json(400, { error: 'Bad Request', message: 'Thresholds pass and marginal must be provided.', status: 400 });
      next += 1;
      const executionId = `01STANDIN${String(next).padStart(6, '0')}`;
      executions.set(executionId, { configId: id, request: body, polls: 0, score: options.score() });
      return json(200, { canaryExecutionId: executionId });
    }
    const execution = executions.get(id);
    if (execution === undefined)
      return json(404, { error: 'Not Found', message: `No canary execution with id '${id}' was found.`, status: 404 });
    execution.polls += 1;
    if (execution.polls <= options.pendingPolls) return json(200, { complete: false, status: 'running', pipelineId: id });
    return json(200, {
      complete: true,
      status: 'succeeded',
      pipelineId: id,
      result: { judgeResult: { judgeName: 'NetflixACAJudge-v1.0', score: { score: execution.score, classification: 'Pass' } } },
    });
  };
  const server = await serveStandIn(handle);
  return { ...server, executions };
}
