/**
 * The engine boundary lint rule (scripts/eslint/engineBoundary.mjs): host and CLI code may import only
 * src/engine/client, src/engine/models and src/engine/node (Node helpers that import only Node built-ins,
 * which a lint rule of their own holds: last test). Checked three ways: the rule on its own (which specifiers it
 * resolves to engine internals, from which folders), the project's config (the rule is on for src/host
 * and src/cli, off inside the engine), and the real `eslint` run on a real host file with one
 * engine-internal import added, which must fail as `npm run lint` would.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { packageRoot } from '../../../src/engine/node/packageRoot';

const root = packageRoot();
const requireFromRoot = createRequire(path.join(root, 'package.json'));
// Loaded at run time from the checkout (not bundled into the test): the same eslint `npm run lint` runs.
const { ESLint, Linter } = requireFromRoot('eslint') as typeof import('eslint');
const tseslint = requireFromRoot('typescript-eslint') as typeof import('typescript-eslint');

interface BoundaryModule {
  engineBoundary: import('eslint').Rule.RuleModule;
}
const loadRule = async (): Promise<BoundaryModule> => (await import(pathToFileURL(path.join(root, 'scripts', 'eslint', 'engineBoundary.mjs')).href)) as BoundaryModule;

async function ruleMessages(file: string, code: string): Promise<string[]> {
  const { engineBoundary } = await loadRule();
  const linter = new Linter({ configType: 'flat', cwd: root });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as never },
        plugins: { atlas: { rules: { 'engine-boundary': engineBoundary } } },
        rules: { 'atlas/engine-boundary': ['error', { engineDir: path.join(root, 'src', 'engine'), allowed: ['client', 'models'] }] },
      },
    ],
    { filename: path.join(root, file) },
  );
  return messages.map((m) => `${m.ruleId ?? 'parser'}: ${m.message}`);
}

test('the rule flags engine internals from host and CLI code, resolved from the importing file', async () => {
  const fromFeature = await ruleMessages(
    'src/host/search/fixture.ts',
    [
      "import { PaperStore } from '../../engine/store/paperStore';",
      "export { TextEncoder } from '../../engine/encoder/textEncoder';",
      "const lazy = import('../../engine/index/indexer');",
      "const old = require('../../engine/search/searchService');",
      "import { EngineClient } from '../../engine/client/engineClient';",
      "import { readSelectedModel } from '../../engine/models/modelSelection';",
      "import { EngineManager } from '../engine/engineManager';", // src/host/engine: host code
      "import { notificationText } from '../../core/displayText';",
      'export const all = [PaperStore, lazy, old, EngineClient, readSelectedModel, EngineManager, notificationText];',
    ].join('\n'),
  );
  assert.equal(fromFeature.length, 4, fromFeature.join('\n'));
  for (const [i, internal] of ['engine/store/paperStore', 'engine/encoder/textEncoder', 'engine/index/indexer', 'engine/search/searchService'].entries()) {
    assert.match(fromFeature[i]!, new RegExp(`^atlas/engine-boundary: '\\.\\./\\.\\./${internal}' is engine-internal`));
  }
  // One folder up (src/host/extension.ts, src/cli/cli.ts) the same module is '../engine/...'.
  assert.equal((await ruleMessages('src/cli/fixture.ts', "import { indexFiles } from '../engine/index/indexer';\nexport { indexFiles };")).length, 1);
  assert.deepEqual(await ruleMessages('src/host/fixture.ts', "import { EngineManager } from './engine/engineManager';\nexport { EngineManager };"), []);
});

test('the project config turns the rule on for src/host and src/cli only', async () => {
  const eslint = new ESLint({ cwd: root });
  for (const file of ['src/host/extension.ts', 'src/host/search/searchPapersCommand.ts', 'src/cli/cli.ts']) {
    const config = (await eslint.calculateConfigForFile(path.join(root, file))) as { rules: Record<string, unknown> };
    const setting = config.rules['atlas/engine-boundary'] as [number, { engineDir: string; allowed: string[] }] | undefined;
    assert.ok(setting, `${file}: the rule is configured`);
    assert.equal(setting[0], 2, `${file}: as an error`);
    assert.equal(path.resolve(setting[1].engineDir), path.join(root, 'src', 'engine'));
    assert.deepEqual(setting[1].allowed, ['client', 'models', 'node']);
  }
  const inside = (await eslint.calculateConfigForFile(path.join(root, 'src/engine/server/engineServer.ts'))) as { rules: Record<string, unknown> };
  assert.equal(inside.rules['atlas/engine-boundary'], undefined, 'the engine itself imports its internals');
});

test('eslint fails on a real host file that imports an engine internal, and passes on it as it is', async () => {
  const file = path.join(root, 'src', 'host', 'indexing', 'indexingController.ts');
  const original = readFileSync(file, 'utf8');
  const eslint = new ESLint({ cwd: root });
  const [clean] = await eslint.lintText(original, { filePath: file });
  assert.deepEqual(clean?.messages.map((m) => m.message), [], 'the file as committed passes');
  const tampered = `import { PaperStore } from '../../engine/store/paperStore';\nvoid PaperStore;\n${original}`;
  const [result] = await eslint.lintText(tampered, { filePath: file });
  const boundary = result?.messages.filter((m) => m.ruleId === 'atlas/engine-boundary') ?? [];
  assert.equal(boundary.length, 1, JSON.stringify(result?.messages));
  assert.equal(boundary[0]?.severity, 2);
  assert.equal(boundary[0]?.line, 1);
});

test('src/engine/node imports only Node built-ins: another engine folder or a native module fails lint', async () => {
  const file = path.join(root, 'src', 'engine', 'node', 'atomicFile.ts');
  const original = readFileSync(file, 'utf8');
  const eslint = new ESLint({ cwd: root });
  const [clean] = await eslint.lintText(original, { filePath: file });
  assert.deepEqual(clean?.messages.map((m) => m.message), [], 'the file as committed passes');
  for (const spec of ['../store/paperStore', '../../core/displayText', '@lancedb/lancedb', 'vscode']) {
    const [result] = await eslint.lintText(`import * as x from '${spec}';\nvoid x;\n${original}`, { filePath: file });
    const refused = result?.messages.filter((m) => m.ruleId === 'no-restricted-imports') ?? [];
    assert.equal(refused.length, 1, `${spec}: ${JSON.stringify(result?.messages)}`);
    assert.equal(refused[0]?.line, 1);
  }
});
