// `npm run soak`: the long reliability runs (parser fuzzing at full case counts, kill -9 during
// indexing, large inputs, a 75 s engine session watched for egress). Too slow for `npm test`; each
// prints its figures. Fails on the first failure.
import { spawnSync } from 'node:child_process';
import fg from 'fast-glob';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const build = spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status || 1);
// An optional name filter: `npm run soak -- fuzz` runs only the soak files whose name contains "fuzz".
const filter = process.argv[2];
const files = (await fg('dist-test/test/soak/**/*.soak.js')).filter((f) => !filter || f.toLowerCase().includes(filter.toLowerCase())).sort();
if (files.length === 0) {
  console.error(`no soak runs were built${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
const started = Date.now();
const r = spawnSync('node', ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, PAPER_ATLAS_SOAK: '1' },
});
console.log(`\nsoak: ${files.length} file(s) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(r.status ?? 1);
