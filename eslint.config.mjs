// Lint: typescript-eslint's recommended rules, floating promises, and the layering of
// docs/architecture.md "Layers". Each layer lists what it may NOT import, so a back-edge fails CI
// (test/lint/layer-rules.test.ts plants one in every layer):
//   pure core (errors, random, space, config, hpo, latency, study, report view; src/index.ts)
//   < async < backend < storage < data < nas (engine) < profiler < usecases, browser, k8s (adapters)
//   < temporal glue (src/temporal, activities, workflows) < cli
import tseslint from 'typescript-eslint';

const vendor = ['@tensorflow/*', '@aws-sdk/*', '@kubernetes/*', '@temporalio/*', 'jpeg-js', 'pngjs'];
const nodeBuiltins = ['fs', 'node:*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'zlib', 'stream'];
// A folder as relative imports name it: bare (`../src/k8s`, its index) or any file in it.
const folder = (name) => [`**/${name}`, `**/${name}/**`];
// Relative-import patterns naming each layer's directory (from anywhere in the tree).
const layer = {
  async: folder('async'),
  backend: folder('backend'),
  storage: folder('storage'),
  // data/latency/*.json (checked-in tables) is not the data layer: a regex, since a glob cannot re-include below an excluded folder
  data: [{ regex: '^\\.{1,2}/(.*/)?data(/[^/]+)?$' }],
  nas: folder('nas'),
  profiler: folder('profiler'),
  usecases: folder('usecases'),
  browser: folder('browser'),
  k8s: folder('k8s'),
  temporal: folder('temporal'),
  activities: folder('activities'),
  workflows: folder('workflows'),
  cli: folder('cli'),
};
const layers = (...names) => names.flatMap((n) => layer[n]);
const entries = layers('cli', 'activities', 'workflows');
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
    // Pure core: no I/O, no clock, no vendor SDKs, nothing above it. The package entry (src/index.ts)
    // exports only the pure core, so `import 'spnas'` loads no TensorFlow, AWS or Temporal code.
    files: [
      'src/random/**/*.ts',
      'src/stats/**/*.ts',
      'src/space/**/*.ts',
      'src/hpo/**/*.ts',
      'src/config/**/*.ts',
      'src/latency/**/*.ts',
      'src/study/**/*.ts',
      'src/report/*.ts',
      'src/errors.ts',
      'src/index.ts',
    ],
    rules: restrict(pureCore),
  },
  // Async helpers (sleep, cancellation, retry): errors only, so storage and k8s can share them.
  { files: ['src/async/**/*.ts'], rules: restrict(pureCore) },
  {
    files: ['src/backend/**/*.ts'],
    rules: restrict([
      '@aws-sdk/*',
      '@kubernetes/*',
      '@temporalio/*',
      ...layers('storage', 'data', 'nas', 'profiler', 'usecases', 'browser', 'k8s', 'temporal'),
      ...entries,
    ]),
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: restrict([
      '@tensorflow/*',
      '@temporalio/*',
      '@kubernetes/*',
      ...layers('backend', 'data', 'nas', 'profiler', 'usecases', 'browser', 'k8s', 'temporal'),
      ...entries,
    ]),
  },
  {
    files: ['src/data/**/*.ts'],
    rules: restrict(['@temporalio/*', '@kubernetes/*', ...layers('backend', 'nas', 'profiler', 'usecases', 'browser', 'k8s', 'temporal'), ...entries]),
  },
  // The engine reaches data and storage only through its own interfaces (BatchSource, CheckpointStore).
  {
    files: ['src/nas/**/*.ts'],
    rules: restrict(['@aws-sdk/*', '@kubernetes/*', '@temporalio/*', ...layers('data', 'profiler', 'usecases', 'browser', 'k8s', 'temporal'), ...entries]),
  },
  {
    files: ['src/profiler/**/*.ts'],
    rules: restrict(['@aws-sdk/*', '@kubernetes/*', '@temporalio/*', ...layers('usecases', 'browser', 'k8s', 'temporal'), ...entries]),
  },
  { files: ['src/usecases/**/*.ts'], rules: restrict(['@temporalio/*', '@kubernetes/*', ...layers('k8s', 'temporal'), ...entries]) },
  // The Job-per-activity adapter: storage, config and errors; what a Job runs is the activity's business.
  {
    files: ['src/k8s/**/*.ts'],
    rules: restrict(['@temporalio/*', '@tensorflow/*', ...layers('backend', 'data', 'nas', 'profiler', 'usecases', 'browser', 'temporal'), ...entries]),
  },
  // The browser adapters (page bundling, local server, browser profiling, web export): beside the use cases.
  { files: ['src/browser/*.ts'], rules: restrict(['@temporalio/*', '@kubernetes/*', ...layers('usecases', 'k8s', 'temporal'), ...entries]) },
  // Temporal glue: connection, dev server, workers, study client. Heavy work only through activities.
  {
    files: ['src/temporal/**/*.ts'],
    rules: restrict(['@tensorflow/*', '@aws-sdk/*', '@kubernetes/*', ...layers('backend', 'data', 'nas', 'profiler', 'browser', 'k8s', 'cli')]),
  },
  // Activities run use cases (locally or as Jobs); the workers (src/temporal) import them, never the reverse.
  {
    files: ['activities/**/*.ts'],
    rules: restrict(['@tensorflow/*', '@aws-sdk/*', ...layers('backend', 'data', 'nas', 'profiler', 'browser', 'temporal', 'workflows', 'cli')]),
  },
  // The CLI (the top layer) parses flags and calls the layers below; Temporal's SDK only through
  // src/temporal, Kubernetes only through the activities' executor, TensorFlow only through src/backend.
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(['@tensorflow/*', '@aws-sdk/*', '@kubernetes/*', '@temporalio/*', ...layers('k8s', 'activities', 'workflows')]),
  },
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
                ...layers('usecases', 'k8s', 'temporal'),
                ...entries,
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
    rules: restrict(pureCore),
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
      ...layers('async', 'backend', 'storage', 'data', 'nas', 'profiler', 'usecases', 'browser', 'k8s', 'temporal', 'cli'),
    ]),
  },
);
