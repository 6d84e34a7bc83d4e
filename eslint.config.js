// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The layers (docs/DESIGN.md): imports run one way, from the fronts down to the base.
 *   fronts        cli, gitops, dashboard, demo, local   what people and GitHub talk to
 *   shared model  rollout-view, rollout-actions         what every front shows and does to a Rollout
 *   core          engine, analysis, traffic, policies, providers
 *   base          api, kube, log, condition, errors      Argo's types, the Kubernetes client, logging,
 *                                                       the condition language, the error base
 * Within a layer some folders sit below others (below: the folders each one may not import).
 * Tests and test fixtures are exempt: a test may stand up the local GitHub or PKI whatever it tests.
 */
const FRONTS = ['cli', 'gitops', 'dashboard', 'demo', 'local'];
const SHARED = ['rollout-view', 'rollout-actions'];
const CORE = ['engine', 'analysis', 'traffic', 'policies', 'providers'];
const BASE = ['api', 'kube', 'log', 'condition', 'errors'];
const ALL = [...FRONTS, ...SHARED, ...CORE, ...BASE];
/** For each folder of src/, the folders it must not import. */
export const forbiddenImports = {
  cli: [],
  demo: ['cli'],
  gitops: ['cli', 'demo'],
  dashboard: ['cli', 'demo', 'gitops'],
  local: ['cli', 'demo', 'gitops', 'dashboard'],
  'rollout-actions': [...FRONTS],
  'rollout-view': [...FRONTS, 'rollout-actions'],
  engine: [...FRONTS, ...SHARED],
  analysis: [...FRONTS, ...SHARED, 'engine', 'traffic', 'policies'],
  traffic: [...FRONTS, ...SHARED, 'engine', 'analysis', 'policies', 'providers'],
  policies: [...FRONTS, ...SHARED, 'engine', 'analysis', 'traffic', 'providers'],
  providers: [...FRONTS, ...SHARED, 'engine', 'analysis', 'traffic', 'policies'],
  api: [...FRONTS, ...SHARED, ...CORE],
  kube: [...FRONTS, ...SHARED, ...CORE],
  log: [...FRONTS, ...SHARED, ...CORE, 'api', 'kube'],
  condition: ALL.filter((folder) => folder !== 'condition' && folder !== 'errors'),
  errors: ALL.filter((folder) => folder !== 'errors'),
};

/** One block per folder: a relative import that climbs out of the folder into a forbidden one is an error. */
export const layerBlocks = Object.entries(forbiddenImports)
  .filter(([, forbidden]) => forbidden.length > 0)
  .map(([folder, forbidden]) => ({
    files: [`src/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `src/${folder}/ must not import from a layer above it or beside it (the layers: docs/DESIGN.md, eslint.config.js).`,
            },
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // @kubernetes/client-node models Kubernetes objects as classes that carry only data; the API accepts
      // plain objects and every manifest is one, so this rule would forbid the library's ordinary use.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string union or an as-const object.' }],
    },
  },
  ...layerBlocks,
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
