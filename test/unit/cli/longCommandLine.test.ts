/**
 * A long command line (issue #11 item 2): `paper-atlas search <~18 KB query>` and `paper-atlas index`
 * with 300 file paths (~20 KB) died of SIGSEGV (exit 139). onnxruntime's telemetry read
 * /proc/self/cmdline with deep recursion on the engine worker's 4 MB stack; switching telemetry off
 * (src/engine/encoder/onnxTelemetry.ts) removed the read. The CLI runs with a fresh HOME and without the CI
 * variables that would make onnxruntime skip its telemetry by itself.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childEnv, generatedBib, runCli } from '../engine/indexProbe';
import { userLikeEnv } from '../engine/syscallWatch';

const MIN_BYTES = 15 * 1024;
let work: string;
let env: NodeJS.ProcessEnv;

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-long-argv-'));
  const home = path.join(work, 'home');
  mkdirSync(home);
  env = userLikeEnv(childEnv(), home);
});
after(() => rmSync(work, { recursive: true, force: true }));

const bytes = (args: readonly string[]): number => args.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);

/** 300 one-paper .bib files under a folder whose long name makes each path ~100 bytes. */
function library(name: string): string[] {
  const dir = path.join(work, `${name}-a-library-folder-with-a-rather-long-name-for-every-path`);
  mkdirSync(dir);
  return Array.from({ length: 300 }, (_, i) => {
    const file = path.join(dir, `paper-${String(i).padStart(3, '0')}.bib`);
    writeFileSync(file, generatedBib(`f${i}x`, 1));
    return file;
  });
}

test('index with 300 paths (≥ 15 KB of command line) runs', async () => {
  const files = library('index');
  const args = ['index', ...files, '--db', path.join(work, 'index-db')];
  assert.ok(bytes(args) >= MIN_BYTES, `the command line is ${bytes(args)} bytes`);
  const r = await runCli(args, { env, cwd: work });
  assert.equal(r.signal, null, `index died of ${r.signal}: ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /300 papers in the index/);
});

test('search with a ≥ 15 KB query runs', async () => {
  const files = library('search');
  const db = path.join(work, 'search-db');
  const indexed = await runCli(['index', path.dirname(files[0] ?? ''), '--db', db], { env, cwd: work });
  assert.equal(indexed.code, 0, indexed.stderr);
  const query = Array.from({ length: 700 }, (_, i) => `study ${i} of attention`).join(' ');
  const args = ['search', query, '--db', db];
  assert.ok(bytes(args) >= MIN_BYTES, `the command line is ${bytes(args)} bytes`);
  const r = await runCli(args, { env, cwd: work });
  assert.equal(r.signal, null, `search died of ${r.signal}: ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[f\d+x\d+\]/, 'search printed hits');
});
