import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

/*
 * The layers of src/ are enforced by eslint.config.js (no-restricted-imports, one block per
 * folder). This lints planted files with exactly those blocks (without type information, so it
 * is fast) and shows that an upward import fails and a downward one passes.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

async function lintImport(filePath: string, specifier: string): Promise<string[]> {
  const config = (await import(new URL('../../eslint.config.js', import.meta.url).href)) as { layerBlocks: Linter.Config[] };
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...config.layerBlocks],
  });
  const [result] = await eslint.lintText(`import { thing } from '${specifier}';\nexport const used = thing;\n`, {
    filePath: `${root}src/${filePath}`,
  });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('imports run one way (fronts → shared model → core → base)', () => {
  it.each([
    ['the engine importing the CLI', 'engine/planted.ts', '../cli/program.js'],
    ['the engine importing the read model', 'engine/controller/planted.ts', '../../rollout-view/rollout-info.js'],
    ['the bot importing the CLI', 'gitops/report/planted.ts', '../../cli/rollout-verbs/index.js'],
    ['the dashboard importing the CLI', 'dashboard/planted.ts', '../cli/program.js'],
    ['the actions importing a front', 'rollout-actions/planted.ts', '../dashboard/index.js'],
    ['the read model importing the actions', 'rollout-view/planted.ts', '../rollout-actions/run-action.js'],
    ['a provider importing the analysis that calls it', 'providers/web/planted.ts', '../../analysis/reconcile-analysis-run.js'],
    ['the analysis importing the engine', 'analysis/controller/planted.ts', '../../engine/rollout-phase.js'],
    ['a traffic router importing the engine', 'traffic/istio/planted.ts', '../../engine/plan-rollout.js'],
    ['the API types importing the engine', 'api/planted.ts', '../engine/index.js'],
    ['the kube client importing the engine', 'kube/planted.ts', '../engine/index.js'],
    ['the condition language importing anything of src/', 'condition/planted.ts', '../api/index.js'],
    ['the error base importing anything of src/', 'errors/planted.ts', '../kube/index.js'],
  ])('fails: %s', async (_name, file, specifier) => {
    const messages = await lintImport(file, specifier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: .*must not import from a layer above it/u);
  });

  it.each([
    ['the bot importing the actions', 'gitops/planted.ts', '../rollout-actions/run-action.js'],
    ['the CLI importing the bot', 'cli/planted.ts', '../gitops/index.js'],
    ['the read model importing the engine', 'rollout-view/planted.ts', '../engine/rollout-phase.js'],
    ['the engine importing the analysis', 'engine/planted.ts', '../analysis/reconcile-analysis-run.js'],
    ['the engine importing within itself', 'engine/controller/planted.ts', '../../engine/rollout-phase.js'],
    ['the analysis importing the providers', 'analysis/planted.ts', '../providers/provider.js'],
    ['the condition language importing the error base', 'condition/planted.ts', '../errors/gradual-error.js'],
    ['a file whose name starts like a forbidden folder', 'engine/planted.ts', './cli-like.js'],
    ['a test, which may stand up any fixture', 'engine/planted.test.ts', '../local/github/testing.js'],
  ])('passes: %s', async (_name, file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([]);
  });
});
