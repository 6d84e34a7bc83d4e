import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applicationKinds } from './confinement.js';
import { lockedDownPolicy, parseDefaultPolicy, parseRepositoryPolicy } from './parse-policy.js';
import type { RepositoryPolicy } from './types.js';

const defaultsFile = 'policies/default.yml';
const shippedText = readFileSync(new URL('../../policies/default.yml', import.meta.url), 'utf8');

function shippedDefaults(): RepositoryPolicy {
  const parsed = parseDefaultPolicy(shippedText, defaultsFile);
  if (!parsed.ok) throw new Error(`${defaultsFile} does not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.policy;
}

/** Lines joined with newlines, so each case shows its file as written and its line numbers can be counted. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

describe('parseDefaultPolicy', () => {
  it('reads the shipped policies/default.yml', () => {
    const policy = shippedDefaults();
    expect(policy.rules).toMatchObject({ trigger: 'pull_request', requiredApprovals: 0, allowForks: false, freezeWindows: [] });
    expect(policy.rules.commands.promote).toEqual({ permission: 'write', teams: [], codeowners: false });
    expect(policy.rules.commands.unlock.permission).toBe('maintain');
    expect(policy.rules.commands.status.permission).toBe('read');
    expect(policy.rules.commands.help.permission).toBe('read');
    for (const command of ['abort', 'retry', 'pause', 'resume', 'deploy'] as const) expect(policy.rules.commands[command].permission).toBe('write');
    expect(policy.environments).toEqual([expect.objectContaining({ name: 'default', paths: ['**/*.yaml', '**/*.yml'], namespace: undefined, trigger: 'pull_request' })]);
  });

  const complete = [
    'trigger: pull_request',
    'requiredApprovals: 0',
    'allowForks: false',
    'commands:',
    ...['promote', 'abort', 'retry', 'pause', 'resume', 'deploy', 'unlock', 'status'].map((name) => `  ${name}: { permission: write }`),
    '  help: { permission: read }',
    'environments:',
    '  - name: default',
    "    paths: ['**/*.yaml']",
  ];

  it('reads a complete defaults file', () => {
    expect(parseDefaultPolicy(yaml(...complete), defaultsFile).ok).toBe(true);
  });

  it.each([
    {
      name: 'a rule left out',
      text: yaml(...complete.filter((line) => !line.startsWith('requiredApprovals'))),
      error: { line: 1, column: 1, message: 'missing field "requiredApprovals": the defaults must state how many approvals a deploy needs' },
    },
    {
      name: 'a command without a permission',
      text: yaml(...complete.map((line) => line.replace('help: { permission: read }', 'help: {}'))),
      error: { line: 13, column: 9, message: 'missing field "permission": the defaults must state who may run /help' },
    },
    {
      name: 'rules on an environment',
      text: yaml(...complete, '    requiredApprovals: 2'),
      error: { line: 17, column: 5, message: '"requiredApprovals" belongs at the top level of the defaults: an environment here names only its paths and namespace' },
    },
  ])('refuses $name and locks everything down', ({ text, error }) => {
    const parsed = parseDefaultPolicy(text, defaultsFile);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toEqual([{ file: defaultsFile, ...error }]);
    expect(parsed.policy).toBe(lockedDownPolicy);
    expect(parsed.policy.environments).toEqual([]);
  });
});

describe('parseRepositoryPolicy', () => {
  const defaults = shippedDefaults();
  const file = '.gradual.yml';

  it('gives the defaults when the repository has no .gradual.yml or an empty one', () => {
    expect(parseRepositoryPolicy(undefined, file, defaults)).toEqual({ ok: true, policy: defaults });
    expect(parseRepositoryPolicy('# nothing to narrow\n', file, defaults)).toEqual({ ok: true, policy: defaults });
  });

  it.each([
    { name: 'a later trigger', text: yaml('trigger: approved'), expected: { trigger: 'approved' } },
    { name: 'the latest trigger', text: yaml('trigger: merge'), expected: { trigger: 'merge' } },
    { name: 'more approvals', text: yaml('requiredApprovals: 2'), expected: { requiredApprovals: 2 } },
    { name: 'forks refused again', text: yaml('allowForks: false'), expected: { allowForks: false } },
    {
      name: 'a higher permission, teams and code owners',
      text: yaml('commands:', '  promote:', '    permission: maintain', '    teams: ["@Acme/SRE", acme/release]', '    codeowners: true'),
      expected: { commands: { ...defaults.rules.commands, promote: { permission: 'maintain', teams: ['acme/sre', 'acme/release'], codeowners: true } } },
    },
  ])('accepts $name', ({ text, expected }) => {
    const parsed = parseRepositoryPolicy(text, file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.rules).toMatchObject(expected);
    // Without environments of its own, the repository's rules apply to the defaults' environments.
    expect(parsed.policy.environments[0]).toMatchObject({ name: 'default', ...expected });
  });

  it('adds freeze windows to those of the defaults, at every level', () => {
    const text = yaml(
      'freezeWindows:',
      '  - name: weekend',
      '    schedule: "0 18 * * FRI"',
      '    duration: 62h',
      '    timeZone: Europe/Berlin',
      'environments:',
      '  - name: production',
      '    paths: [prod/**]',
      '    namespace: shop',
      '    freezeWindows:',
      '      - { name: year-end, start: "2026-12-20T00:00", end: "2027-01-04", timeZone: Europe/Berlin }',
    );
    const parsed = parseRepositoryPolicy(text, file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.rules.freezeWindows).toEqual([{ kind: 'recurring', name: 'weekend', schedule: '0 18 * * FRI', durationSeconds: 62 * 3600, timeZone: 'Europe/Berlin', source: '.gradual.yml:2' }]);
    expect(parsed.policy.environments).toHaveLength(1);
    expect(parsed.policy.environments[0]?.namespace).toBe('shop');
    expect(parsed.policy.environments[0]?.freezeWindows).toEqual([
      parsed.policy.rules.freezeWindows[0],
      // Midnight in Berlin, in winter (UTC+1).
      { kind: 'fixed', name: 'year-end', start: new Date('2026-12-19T23:00:00Z'), end: new Date('2027-01-03T23:00:00Z'), timeZone: 'Europe/Berlin', source: '.gradual.yml:11' },
    ]);
  });

  it('lets an environment narrow the repository-wide rules further', () => {
    const text = yaml('trigger: approved', 'requiredApprovals: 1', 'environments:', '  - name: staging', '    paths: [staging/**]', '  - name: production', '    paths: [prod/**]', '    trigger: merge', '    requiredApprovals: 2');
    const parsed = parseRepositoryPolicy(text, file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.environments.map(({ name, trigger, requiredApprovals }) => ({ name, trigger, requiredApprovals }))).toEqual([
      { name: 'staging', trigger: 'approved', requiredApprovals: 1 },
      { name: 'production', trigger: 'merge', requiredApprovals: 2 },
    ]);
  });

  it('lets a repository or an environment forbid pruning (prune: false), and not allow it again under defaults that forbid it', () => {
    const parsed = parseRepositoryPolicy(yaml('environments:', '  - name: staging', '    paths: [staging/**]', '  - name: production', '    paths: [prod/**]', '    prune: false'), file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.environments.map(({ name, prune }) => ({ name, prune }))).toEqual([
      { name: 'staging', prune: undefined },
      { name: 'production', prune: false },
    ]);
    const noPrune = parseDefaultPolicy(`${shippedText}\nprune: false\n`, defaultsFile);
    if (!noPrune.ok) throw new Error('the defaults with prune: false do not parse');
    expect(noPrune.policy.rules.prune).toBe(false);
    expect(parseRepositoryPolicy(yaml('prune: true'), file, noPrune.policy)).toEqual({
      ok: false,
      errors: [{ file, line: 1, column: 8, message: 'prune: true would delete objects removed from git, which is forbidden; a repository may only narrow the defaults' }],
      policy: noPrune.policy,
    });
  });

  const strictDefaults = parseDefaultPolicy(
    shippedText.replace('trigger: pull_request', 'trigger: approved').replace('requiredApprovals: 0', 'requiredApprovals: 1').replace('promote: { permission: write }', 'promote: { permission: write, teams: [acme/sre, acme/release], codeowners: true }'),
    defaultsFile,
  );

  it.each([
    { name: 'an earlier trigger', text: yaml('trigger: pull_request'), line: 1, column: 10, message: 'trigger "pull_request" deploys sooner than "approved" (pull_request < approved < command < merge); a repository may only narrow the defaults' },
    { name: 'fewer approvals', text: yaml('# release policy', 'requiredApprovals: 0'), line: 2, column: 20, message: 'requiredApprovals 0 is fewer than 1; a repository may only narrow the defaults' },
    { name: 'forks allowed', text: yaml('allowForks: true'), line: 1, column: 13, message: 'allowForks: true would deploy pull requests from forks, which are not deployed; a repository may only narrow the defaults' },
    {
      name: 'a weaker permission',
      text: yaml('commands:', '  abort:', '    permission: read'),
      line: 3,
      column: 17,
      message: '/abort: permission "read" is weaker than "write" (none < read < triage < write < maintain < admin); a repository may only narrow the defaults',
    },
    { name: 'a team outside the defaults', text: yaml('commands:', '  promote:', '    teams: [acme/sre, acme/interns]'), line: 3, column: 23, message: '/promote: team @acme/interns is not among @acme/sre, @acme/release; a repository may only narrow the defaults' },
    { name: 'no team at all', text: yaml('commands:', '  promote:', '    teams: []'), line: 3, column: 12, message: '/promote: an empty list of teams lets anyone in, not only @acme/sre, @acme/release; a repository may only narrow the defaults' },
    { name: 'code owners dropped', text: yaml('commands:', '  promote:', '    codeowners: false'), line: 3, column: 17, message: '/promote: codeowners: false would let people who own none of the changed manifests in; a repository may only narrow the defaults' },
    {
      name: 'an environment looser than the repository-wide rules',
      text: yaml('trigger: command', 'environments:', '  - name: dev', '    paths: [dev/**]', '    trigger: approved'),
      line: 5,
      column: 14,
      message: 'trigger "approved" deploys sooner than "command" (pull_request < approved < command < merge); a repository may only narrow the repository-wide rules (and so the defaults)',
    },
  ])('refuses $name at its file:line and falls back to the defaults', ({ text, line, column, message }) => {
    if (!strictDefaults.ok) throw new Error('the strict defaults do not parse');
    const parsed = parseRepositoryPolicy(text, file, strictDefaults.policy);
    expect(parsed).toEqual({ ok: false, errors: [{ file, line, column, message }], policy: strictDefaults.policy });
  });

  it('falls back to the defaults, not a mix, when one field widens and another narrows', () => {
    const parsed = parseRepositoryPolicy(yaml('requiredApprovals: 3', 'allowForks: true'), file, defaults);
    expect(parsed.ok).toBe(false);
    expect(parsed.policy).toBe(defaults);
    expect(parsed.policy.rules.requiredApprovals).toBe(0);
  });

  it.each([
    { name: 'a YAML syntax error', text: yaml('trigger: [merge'), line: 2, column: 1, message: 'YAML: ', prefix: true },
    { name: 'a list instead of a map', text: yaml('- trigger: merge'), line: 1, column: 1, message: 'expected a map of policy fields, got a list' },
    { name: 'a misspelt field', text: yaml('trigger: merge', 'requiredAprovals: 2'), line: 2, column: 1, message: 'unknown field "requiredAprovals" (did you mean "requiredApprovals"?)' },
    { name: 'a misspelt command', text: yaml('commands:', '  promte: { permission: admin }'), line: 2, column: 3, message: 'unknown field "promte" (did you mean "promote"?)' },
    { name: 'an unknown trigger', text: yaml('trigger: never'), line: 1, column: 10, message: 'expected "pull_request" or "approved" or "command" or "merge", got the string "never"' },
    { name: 'a negative approval count', text: yaml('requiredApprovals: -1'), line: 1, column: 20, message: 'expected at least 0, got the number -1' },
    { name: 'an environment without paths', text: yaml('environments:', '  - name: prod'), line: 2, column: 5, message: 'missing field "paths"' },
    { name: 'a bad environment name', text: yaml('environments:', '  - name: Prod', '    paths: [x/**]'), line: 2, column: 11, message: 'expected lower-case letters, digits and "-", starting and ending with a letter or digit' },
    { name: 'an environment named twice', text: yaml('environments:', '  - { name: a, paths: [a/**] }', '  - { name: a, paths: [b/**] }'), line: 3, column: 13, message: 'environment "a" is defined twice' },
    { name: 'a path outside the repository', text: yaml('environments:', '  - name: a', '    paths: [../x/**]'), line: 3, column: 13, message: 'expected a glob relative to the repository root, got "../x/**"' },
    { name: 'a team without its organisation', text: yaml('commands:', '  abort: { teams: [sre] }'), line: 2, column: 20, message: 'expected a team as "org/team-slug"' },
    { name: 'a bad cron schedule', text: yaml('freezeWindows:', '  - name: w', '    schedule: "0 25 * * *"', '    duration: 1h'), line: 3, column: 15, message: 'expected a cron schedule of five fields (minute hour day-of-month month day-of-week), got "0 25 * * *": ', prefix: true },
    { name: 'a zero duration', text: yaml('freezeWindows:', '  - name: w', '    schedule: "0 1 * * *"', '    duration: 0s'), line: 4, column: 15, message: 'expected a positive duration such as "30m" or "62h", got "0s"' },
    { name: 'an unknown time zone', text: yaml('freezeWindows:', '  - { name: w, start: "2026-12-20", end: "2026-12-21", timeZone: Europe/Atlantis }'), line: 2, column: 66, message: 'expected an IANA time zone such as "Europe/Berlin"' },
    { name: 'a schedule and an end', text: yaml('freezeWindows:', '  - name: w', '    schedule: "0 1 * * *"', '    end: "2026-12-21"'), line: 2, column: 5, message: 'a freeze window needs either "schedule" and "duration" or "start" and "end"' },
    { name: 'a schedule without a duration', text: yaml('freezeWindows:', '  - name: w', '    schedule: "0 1 * * *"'), line: 2, column: 5, message: 'missing field "duration" (such as "62h")' },
    { name: 'an end before the start', text: yaml('freezeWindows:', '  - name: w', '    start: "2026-12-21"', '    end: "2026-12-20T23:00"'), line: 4, column: 10, message: 'end "2026-12-20T23:00" is not after start "2026-12-21"' },
  ])('reports $name at its place', ({ text, line, column, message, prefix }: { text: string; line: number; column: number; message: string; prefix?: boolean }) => {
    const parsed = parseRepositoryPolicy(text, file, defaults);
    expect(parsed.ok).toBe(false);
    // A message from a library (YAML's, croner's) is checked only as far as Gradual words it.
    const errors = (parsed.ok ? [] : parsed.errors).map((error) => (prefix === true ? { ...error, message: error.message.slice(0, message.length) } : error));
    expect(errors).toEqual([{ file, line, column, message }]);
    expect(parsed.policy).toBe(defaults);
  });
});

describe('policies/example.gradual.yml', () => {
  it('narrows the shipped defaults as its comments say', () => {
    const text = readFileSync(new URL('../../policies/example.gradual.yml', import.meta.url), 'utf8');
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', shippedDefaults());
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    const [staging, production] = parsed.policy.environments;
    expect(staging).toMatchObject({ name: 'staging', namespace: 'shop-staging', trigger: 'approved', requiredApprovals: 1 });
    expect(production).toMatchObject({ name: 'production', namespace: 'shop', trigger: 'command', requiredApprovals: 2 });
    expect(production?.commands.deploy).toEqual({ permission: 'write', teams: ['acme/sre', 'acme/release-managers'], codeowners: false });
    expect(production?.commands.promote.codeowners).toBe(true);
    expect(production?.commands.unlock).toEqual({ permission: 'maintain', teams: ['acme/release-managers'], codeowners: false });
    expect(production?.freezeWindows.map((window) => window.name)).toEqual(['weekend', 'year-end']);
    expect(staging).toMatchObject({ namespaces: ['shop-staging', 'shop-staging-jobs'], kinds: applicationKinds });
    expect(production).toMatchObject({ namespaces: ['shop'], kinds: ['Rollout.argoproj.io', 'AnalysisTemplate.argoproj.io', 'Service', 'ConfigMap', 'Secret'] });
  });
});

describe('confinement in the policy: namespaces and kinds', () => {
  const defaults = shippedDefaults();
  const file = '.gradual.yml';

  it('ships the application kinds and no cluster-scoped kind, Role or RoleBinding', () => {
    expect(defaults.rules.kinds).toEqual(applicationKinds);
    for (const kind of ['Rollout.argoproj.io', 'AnalysisTemplate.argoproj.io', 'Service', 'Secret', 'Deployment.apps', 'VirtualService.networking.istio.io', 'HTTPRoute.gateway.networking.k8s.io']) expect(defaults.rules.kinds).toContain(kind);
    for (const kind of ['ClusterRoleBinding.rbac.authorization.k8s.io', 'ClusterRole.rbac.authorization.k8s.io', 'RoleBinding.rbac.authorization.k8s.io', 'Role.rbac.authorization.k8s.io', 'Namespace', 'CustomResourceDefinition.apiextensions.k8s.io', 'ClusterAnalysisTemplate.argoproj.io']) expect(defaults.rules.kinds).not.toContain(kind);
    // The default environment names no namespace: it is confined to `default`.
    expect(defaults.environments[0]).toMatchObject({ namespace: undefined, namespaces: [], kinds: applicationKinds });
  });

  it.each([
    { name: 'one namespace', lines: ['    namespace: shop'], expected: { namespace: 'shop', namespaces: ['shop'] } },
    { name: 'several namespaces, the first the default', lines: ['    namespaces: [shop, shop-jobs]'], expected: { namespace: 'shop', namespaces: ['shop', 'shop-jobs'] } },
    { name: 'none', lines: [], expected: { namespace: undefined, namespaces: [] } },
    { name: 'fewer kinds at the top', lines: [], top: ['kinds: [Rollout.argoproj.io, Service]'], expected: { kinds: ['Rollout.argoproj.io', 'Service'] } },
    { name: 'fewer kinds on the environment', lines: ['    kinds: [Service]'], top: ['kinds: [Rollout.argoproj.io, Service]'], expected: { kinds: ['Service'] } },
  ])('reads $name', ({ lines, top = [], expected }) => {
    const parsed = parseRepositoryPolicy(yaml(...top, 'environments:', '  - name: shop', '    paths: [deploy/**]', ...lines), file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.environments[0]).toMatchObject(expected);
  });

  it.each([
    {
      name: 'a kind the defaults do not allow, at the top',
      text: yaml('kinds: [Service, ClusterRoleBinding.rbac.authorization.k8s.io]'),
      error: { line: 1, column: 18, message: expect.stringMatching(/^kind ClusterRoleBinding\.rbac\.authorization\.k8s\.io is not among the kinds allowed \(Rollout\.argoproj\.io, .*\); a repository may only narrow the defaults$/u) as string },
    },
    {
      name: 'a kind the top level removed, on an environment',
      text: yaml('kinds: [Service]', 'environments:', '  - name: shop', '    paths: [deploy/**]', '    kinds: [Service, Secret]'),
      error: { line: 5, column: 22, message: 'kind Secret is not among the kinds allowed (Service); a repository may only narrow the repository-wide rules (and so the defaults)' },
    },
    {
      name: 'a kind spelled as a resource',
      text: yaml('kinds: [deployments.apps]'),
      error: { line: 1, column: 9, message: expect.stringContaining('expected a kind as "Kind" (core group) or "Kind.group"') as string },
    },
    {
      name: 'both namespace and namespaces',
      text: yaml('environments:', '  - name: shop', '    paths: [deploy/**]', '    namespace: shop', '    namespaces: [shop]'),
      error: { line: 5, column: 17, message: 'write either "namespace" or "namespaces" (the first of which is the default), not both' },
    },
    {
      name: 'a namespace listed twice',
      text: yaml('environments:', '  - name: shop', '    paths: [deploy/**]', '    namespaces: [shop, shop]'),
      error: { line: 4, column: 24, message: 'namespace "shop" is listed twice' },
    },
  ])('refuses $name, at its place, and gives the defaults', ({ text, error }) => {
    const parsed = parseRepositoryPolicy(text, file, defaults);
    expect(parsed.ok ? [] : parsed.errors).toEqual([{ file, ...error }]);
    expect(parsed.policy).toBe(defaults);
  });

  it('lets the operator allow a kind in the defaults, and refuses kinds on a defaults environment', () => {
    const wider = parseDefaultPolicy(`${shippedText}\n`.replace('kinds:\n', 'kinds:\n  - RoleBinding.rbac.authorization.k8s.io\n'), defaultsFile);
    expect(wider.ok ? [] : wider.errors).toEqual([]);
    expect(wider.policy.rules.kinds).toContain('RoleBinding.rbac.authorization.k8s.io');
    const onEnvironment = parseDefaultPolicy(`${shippedText}    kinds: [Service]\n`, defaultsFile);
    expect(onEnvironment.ok).toBe(false);
    expect(onEnvironment.policy).toBe(lockedDownPolicy);
    expect(lockedDownPolicy.rules.kinds).toEqual([]);
  });

  it('gives defaults that leave kinds out the application kinds, never more', () => {
    const withoutKinds = shippedText.replace(/^kinds:\n(?: {2}- .*\n)+/mu, '');
    expect(withoutKinds).not.toContain('kinds:');
    const parsed = parseDefaultPolicy(withoutKinds, defaultsFile);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    expect(parsed.policy.rules.kinds).toEqual(applicationKinds);
  });
});
