// Builds every runtime with esbuild: one entry per runtime (see ../shared/CONVENTIONS.md #13),
// plus the unit tests, evaluation and benchmarks. Native packages stay external: they are loaded
// from node_modules at run time (and shipped in the VSIX).
import * as esbuild from 'esbuild';
import fg from 'fast-glob';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nativeExternals = ['vscode', 'onnxruntime-node', '@lancedb/lancedb', 'apache-arrow', '@huggingface/transformers', 'transformers-js'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: nativeExternals };

/** Entries that exist yet: the build must work while features are still being written. */
function present(entries) {
  return Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(src)));
}

const builds = [
  {
    ...nodeCommon,
    entryPoints: present({
      extension: 'src/host/extension.ts',
      engine: 'src/engine/server/engineServer.ts',
      topics: 'src/engine/topics/topicMap.worker.ts',
      documentFrequency: 'src/engine/keywords/documentFrequency.worker.ts',
      cli: 'src/cli/cli.ts',
      eval: 'bench/eval.ts',
      bench: 'bench/bench.ts',
    }),
    outdir: 'dist',
  },
  {
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    // Browser code compiles under its own project (DOM, no Node types), src/shared included.
    tsconfig: 'webview/tsconfig.json',
    entryPoints: present({ webview: 'webview/main.ts' }),
    outdir: 'dist',
  },
];

if (!production) {
  const tests = await fg(['test/unit/**/*.test.ts', 'test/soak/**/*.ts', 'test/integration/**/*.ts', 'bench/**/*.ts', '!bench/eval.ts', '!bench/bench.ts']);
  rmSync('dist-test', { recursive: true, force: true });
  builds.push({ ...nodeCommon, entryPoints: tests, outdir: 'dist-test', outbase: '.' });
}

// The Atlas webview loads codicons from dist/ (its localResourceRoots are dist/ and media/ only).
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);

const active = builds.filter((b) => (Array.isArray(b.entryPoints) ? b.entryPoints.length : Object.keys(b.entryPoints).length) > 0);
if (watch) {
  for (const b of active) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(active.map((b) => esbuild.build(b)));
}
