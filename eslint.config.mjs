// Lint: typescript-eslint's recommended rules, floating promises, and the layering rules of
// docs/architecture.md (workflows are deterministic; the pure core has no I/O or vendor SDKs).
import tseslint from 'typescript-eslint';

const vendor = ['@tensorflow/*', '@aws-sdk/*', '@kubernetes/*'];
const nodeBuiltins = ['fs', 'node:*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'bin/**', 'runs/**', 'helm/**', 'k8s/**'] },
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
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodeBuiltins, ...vendor, '**/storage/**', '**/k8s/**', '**/nas/**', '**/data/**', '**/backend/**'] }],
    },
  },
  {
    files: ['src/space/**/*.ts', 'src/hpo/**/*.ts', 'src/config/**/*.ts', 'src/runtime/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodeBuiltins, ...vendor, '@temporalio/*'] }],
    },
  },
);
