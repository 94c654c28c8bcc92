// Lint rules that hold the process boundaries of ../shared/CONVENTIONS.md: only src/host imports
// `vscode`; core stays free of native modules; the webview sees only src/shared; onnxruntime-node is
// loaded only through src/engine/encoder/onnxRuntime.ts, which switches its telemetry off first; host
// and CLI import only src/engine/client, src/engine/models and src/engine/node
// (scripts/eslint/engineBoundary.mjs), the rest of src/engine runs in the engine process.
// src/engine/node (atomic writes, file locks, the package root) imports only Node built-ins, so
// every side may use it.
import path from 'node:path';
import tseslint from 'typescript-eslint';
import { engineBoundary } from './scripts/eslint/engineBoundary.mjs';

/** The rule's settings: test/unit/lint/engineBoundary.test.ts checks they are in force for host and CLI. */
export const ENGINE_BOUNDARY = { engineDir: path.join(import.meta.dirname, 'src', 'engine'), allowed: ['client', 'models', 'node'] };

const native = ['onnxruntime-node', '@lancedb/lancedb', 'apache-arrow'];
const onnxThroughItsDoor = {
  name: 'onnxruntime-node',
  message: 'Import src/engine/encoder/onnxRuntime instead: it switches onnxruntime telemetry off before the library loads.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'models/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports.' }],
    },
  },
  {
    files: ['src/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [onnxThroughItsDoor] }] },
  },
  {
    files: ['src/core/**', 'src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...native], patterns: ['**/engine/**', '**/host/**', '**/cli/**'] }] },
  },
  {
    files: ['src/engine/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', onnxThroughItsDoor], patterns: ['**/host/**'] }] },
  },
  {
    files: ['src/host/**', 'src/cli/**'],
    plugins: { atlas: { rules: { 'engine-boundary': engineBoundary } } },
    rules: { 'atlas/engine-boundary': ['error', ENGINE_BOUNDARY] },
  },
  {
    files: ['src/engine/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', ...native],
          patterns: [{ group: ['../*', '../../*'], message: 'src/engine/node imports only Node built-ins and its own files: host, CLI and engine all use it.' }],
        },
      ],
    },
  },
  {
    files: ['src/engine/encoder/onnxRuntime.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'], patterns: ['**/host/**'] }] },
  },
  {
    files: ['webview/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...native], patterns: ['**/core/**', '**/engine/**', '**/host/**', '**/cli/**'] }] },
  },
);
