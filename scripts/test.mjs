// `npm test`: type-check, lint, build, then the unit tier in plain Node (node:test), then the
// integration tier inside a real VS Code when its host is available. Fails on the first tier that fails.
import { spawnSync } from 'node:child_process';
import fg from 'fast-glob';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function step(name, cmd, args, env = {}) {
  console.log(`\n== ${name}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal}) after ${seconds}s`);
    process.exit(r.status || 1);
  }
  console.log(`== ${name}: ok in ${seconds}s`);
}

// `--unit`: the plain-Node tier alone (no type-check, lint or VS Code), for a quick loop while coding.
const unitOnly = process.argv.includes('--unit');
// Two projects, one per runtime: Node (src, test, bench) without the DOM, the webview without Node's types.
if (!unitOnly) step('typecheck (node)', 'npx', ['tsc', '-p', '.', '--noEmit']);
if (!unitOnly) step('typecheck (webview)', 'npx', ['tsc', '-p', 'webview', '--noEmit']);
if (!unitOnly) step('lint', 'npx', ['eslint', '--no-error-on-unmatched-pattern', 'src', 'test', 'webview', 'bench']);
step('build', 'node', ['scripts/build.mjs']);
const unitTests = await fg('dist-test/test/unit/**/*.test.js');
if (unitTests.length === 0) {
  console.error('no unit tests were built');
  process.exit(1);
}
step('unit tests', 'node', ['--test', '--test-concurrency=1', ...unitTests]);
if (!unitOnly && existsSync('scripts/integration.mjs')) step('integration tests (real VS Code)', 'node', ['scripts/integration.mjs']);
