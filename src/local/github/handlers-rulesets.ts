import type { operations } from '@octokit/openapi-types';
import picomatch from 'picomatch';
import { GithubApiError, notFound } from './errors.js';
import { bodyOf, numberParam, requireRepository, type Handler, type HandlerInput } from './handler.js';
import { nextId } from './initial-state.js';
import { nodeId, type Schemas } from './shape-user.js';
import type { GithubState, RepositoryRecord, RulesetRecord, RulesetRule } from './types.js';

type CreateBody = NonNullable<operations['repos/create-repo-ruleset']['requestBody']>['content']['application/json'];

/** The rule types whose merge-time meaning the local GitHub enforces (merge-rules.ts rulesetRefusal). */
const enforcedRules = new Set(['required_status_checks', 'required_deployments', 'merge_queue']);

/**
 * Repository rulesets, as far as merging needs them: `target: branch`,
 * `conditions.ref_name` (globs, `~DEFAULT_BRANCH`, `~ALL`), and the
 * `required_status_checks` (with `integration_id`: only that app's check runs
 * count) and `required_deployments` rules. Any other rule type is refused with
 * a 422 that says so, rather than stored and silently not enforced; bypass
 * actors are not modelled (nobody bypasses).
 */
export const createRuleset: Handler = (input) => {
  const repo = requireRepository(input);
  const body = bodyOf(input) as CreateBody;
  if ((body.target ?? 'branch') !== 'branch')
    throw new GithubApiError(422, `Invalid target: the local GitHub models branch rulesets only, not "${body.target ?? ''}"`);
  const rules: RulesetRule[] = [];
  for (const rule of body.rules ?? []) {
    if (!enforcedRules.has(rule.type))
      throw new GithubApiError(
        422,
        `Invalid rules: the local GitHub does not enforce "${rule.type}" (it enforces ${[...enforcedRules].join(', ')})`,
      );
    rules.push(rule as RulesetRule);
  }
  if ((input.state.rulesets ?? []).some((candidate) => candidate.repositoryId === repo.id && candidate.name === body.name))
    throw new GithubApiError(422, 'Validation Failed: Name must be unique');
  const ruleset: RulesetRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    name: body.name,
    enforcement: body.enforcement,
    include: body.conditions?.ref_name?.include ?? [],
    exclude: body.conditions?.ref_name?.exclude ?? [],
    rules,
    createdAt: input.now.toISOString(),
  };
  input.state.rulesets = [...(input.state.rulesets ?? []), ruleset];
  return { status: 201, body: shapeRuleset(input, repo, ruleset), changed: true };
};

export const listRulesets: Handler = (input) => {
  const repo = requireRepository(input);
  return {
    status: 200,
    body: (input.state.rulesets ?? [])
      .filter((ruleset) => ruleset.repositoryId === repo.id)
      .map((ruleset) => shapeRuleset(input, repo, ruleset)),
  };
};

export const getRuleset: Handler = (input) => {
  const repo = requireRepository(input);
  const id = numberParam(input, 'ruleset_id');
  const ruleset = (input.state.rulesets ?? []).find((candidate) => candidate.id === id && candidate.repositoryId === repo.id);
  if (ruleset === undefined) throw notFound();
  return { status: 200, body: shapeRuleset(input, repo, ruleset) };
};

/** Whether a ruleset's ref condition takes in the branch (include matches and no exclude does). */
export function rulesetAppliesTo(repo: RepositoryRecord, ruleset: RulesetRecord, branch: string): boolean {
  const ref = `refs/heads/${branch}`;
  const matches = (pattern: string): boolean =>
    pattern === '~ALL' || (pattern === '~DEFAULT_BRANCH' && branch === repo.defaultBranch) || picomatch.isMatch(ref, pattern);
  return ruleset.include.some(matches) && !ruleset.exclude.some(matches);
}

/** The active rulesets that apply to a branch. */
export function activeRulesets(state: GithubState, repo: RepositoryRecord, branch: string): RulesetRecord[] {
  return (state.rulesets ?? []).filter(
    (ruleset) => ruleset.repositoryId === repo.id && ruleset.enforcement === 'active' && rulesetAppliesTo(repo, ruleset, branch),
  );
}

function shapeRuleset(input: HandlerInput, repo: RepositoryRecord, ruleset: RulesetRecord): Schemas['repository-ruleset'] {
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: 'branch',
    source_type: 'Repository',
    source: `${repo.owner}/${repo.name}`,
    enforcement: ruleset.enforcement,
    bypass_actors: [],
    current_user_can_bypass: 'never',
    node_id: nodeId('RepositoryRuleset', ruleset.id),
    _links: {
      self: { href: `${input.urls.api}/repos/${repo.owner}/${repo.name}/rulesets/${String(ruleset.id)}` },
      html: { href: `${input.urls.web}/${repo.owner}/${repo.name}/rules/${String(ruleset.id)}` },
    },
    conditions: { ref_name: { include: ruleset.include, exclude: ruleset.exclude } },
    rules: ruleset.rules,
    created_at: ruleset.createdAt,
    updated_at: ruleset.createdAt,
  };
}
