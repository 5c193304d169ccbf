// Lint: typescript-eslint's recommended rules, floating promises, and the layering of
// docs/architecture.md. Each layer lists what it may NOT import, so a back-edge fails CI:
//   pure core (random, space, config, hpo, latency, study spec, report view) < async < backend < storage < data
//   < nas (engine) < profiler < usecases < cli / activities / workflows (entries)
import tseslint from 'typescript-eslint';

const vendor = ['@tensorflow/*', '@aws-sdk/*', '@kubernetes/*', '@temporalio/*', 'jpeg-js', 'pngjs'];
const nodeBuiltins = ['fs', 'node:*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'zlib', 'stream'];
// Relative-import patterns naming each layer's directory (from anywhere in the tree).
const layer = {
  async: ['**/async', '**/async/**'],
  backend: ['**/backend', '**/backend/**'],
  storage: ['**/storage', '**/storage/**'],
  // data/latency/*.json (checked-in tables) is not the data layer: a regex, since a glob cannot re-include below an excluded folder
  data: [{ regex: '^\\.{1,2}/(.*/)?data(/[^/]+)?$' }],
  nas: ['**/nas', '**/nas/**'],
  profiler: ['**/profiler', '**/profiler/**'],
  usecases: ['**/usecases', '**/usecases/**'],
  entries: ['**/cli', '**/cli/**', '**/activities', '**/activities/**', '**/workflows', '**/workflows/**'],
};
// What pure code (the core, and the pages bundled for a browser) may not import: Node, vendors, any layer.
const pureCore = [...nodeBuiltins, ...vendor, ...Object.values(layer).flat()];
const restrict = (patterns) => {
  const globs = patterns.filter((p) => typeof p === 'string');
  const message = 'this layer may not import that (docs/architecture.md "Layers")';
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: globs, message }, ...patterns.filter((p) => typeof p !== 'string').map((p) => ({ message, ...p }))] },
    ],
  };
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'bin/**', 'dist/**', 'runs/**', 'tmp/**', 'helm/**', 'k8s/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Pure core: no I/O, no clock, no vendor SDKs, nothing above it.
    files: [
      'src/random/**/*.ts',
      'src/space/**/*.ts',
      'src/hpo/**/*.ts',
      'src/config/**/*.ts',
      'src/latency/**/*.ts',
      'src/study/**/*.ts',
      'src/report/*.ts',
      'src/errors.ts',
    ],
    rules: restrict(pureCore),
  },
  // Async helpers (sleep, cancellation, retry): errors only, so storage and k8s can share them.
  { files: ['src/async/**/*.ts'], rules: restrict([...nodeBuiltins, ...vendor, ...Object.values(layer).flat()]) },
  { files: ['src/backend/**/*.ts'], rules: restrict([...layer.storage, ...layer.data, ...layer.nas, ...layer.profiler, ...layer.usecases, ...layer.entries]) },
  {
    files: ['src/storage/**/*.ts'],
    rules: restrict([
      '@tensorflow/*',
      '@temporalio/*',
      '@kubernetes/*',
      ...layer.backend,
      ...layer.data,
      ...layer.nas,
      ...layer.profiler,
      ...layer.usecases,
      ...layer.entries,
    ]),
  },
  {
    files: ['src/data/**/*.ts'],
    rules: restrict(['@temporalio/*', '@kubernetes/*', ...layer.backend, ...layer.nas, ...layer.profiler, ...layer.usecases, ...layer.entries]),
  },
  // The engine reaches data and storage only through its own interfaces (BatchSource, CheckpointStore).
  {
    files: ['src/nas/**/*.ts'],
    rules: restrict(['@aws-sdk/*', '@kubernetes/*', '@temporalio/*', ...layer.data, ...layer.profiler, ...layer.usecases, ...layer.entries]),
  },
  { files: ['src/profiler/**/*.ts'], rules: restrict(['@aws-sdk/*', '@kubernetes/*', '@temporalio/*', ...layer.usecases, ...layer.entries]) },
  { files: ['src/usecases/**/*.ts', 'src/k8s/**/*.ts'], rules: restrict(['@temporalio/*', ...layer.entries]) },
  // The browser adapters (page bundling, local server, browser profiling, web export): beside the use cases.
  { files: ['src/browser/*.ts'], rules: restrict(['@temporalio/*', '@kubernetes/*', ...layer.usecases, ...layer.entries]) },
  {
    // Browser pages: bundled for the browser, so no Node, no native backend, no storage or data readers;
    // only the pure core, the engine's network builder and timing, the profiler's Node-free method and
    // the data loader's normalisation table. src/browser/page/tsconfig.json also compiles them without Node types.
    files: ['src/browser/page/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...nodeBuiltins,
                '@aws-sdk/*',
                '@kubernetes/*',
                '@temporalio/*',
                '@tensorflow/tfjs-node',
                '@tensorflow/tfjs-node-gpu',
                'jpeg-js',
                'pngjs',
                'esbuild',
                ...layer.backend,
                ...layer.storage,
                '**/profiler/profiler',
                '**/latency/default-tables',
                '**/nas/model-export',
                '**/nas/train-*',
                '**/nas/search',
                '**/nas/supernet',
                '**/nas/mbconv',
                '**/nas/functional-ops',
                '**/browser/local-server',
                '**/browser/bundle',
                '**/browser/browser-profile',
                '**/browser/web-export',
                '**/browser/serve-web',
                ...layer.usecases,
                ...layer.entries,
              ],
              message: 'browser pages bundle only Node-free modules',
            },
            { regex: '^\\.[./]*/data(/(?!augment$).*)?$', message: 'of the data layer, pages use only the normalisation table (data/augment)' },
          ],
        },
      ],
    },
  },
  {
    // The report page (bundled inline into the report): Chart.js and the report's own pure modules only.
    files: ['src/report/page/**/*.ts'],
    rules: restrict([...pureCore, '**/browser/**']),
  },
  {
    // Workflows are deterministic: only pure modules and activity types.
    files: ['workflows/**/*.ts'],
    rules: restrict([
      ...nodeBuiltins,
      '@tensorflow/*',
      '@aws-sdk/*',
      '@kubernetes/*',
      '@temporalio/activity',
      '@temporalio/worker',
      '@temporalio/client',
      ...layer.backend,
      ...layer.storage,
      ...layer.data,
      ...layer.nas,
      ...layer.profiler,
      ...layer.usecases,
      '**/k8s/**',
      '**/cli/**',
    ]),
  },
);
