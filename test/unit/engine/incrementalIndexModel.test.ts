/**
 * Issue 11 acceptance: incremental and from-scratch indexing give the same papers and ids on every
 * sequence of edits fast-check generates (see indexModel.ts). This is the short, fixed-seed form;
 * `npm run soak` runs many more sequences with a random seed (test/soak/incrementalIndex.soak.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextEncoder } from '../../../src/engine/encoder/textEncoder';
import { checkIncrementalMatchesFromScratch } from './indexModel';

test('incremental indexing matches from-scratch indexing on generated edit sequences (fixed seed)', async () => {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'atlas-model-'));
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  try {
    const runs = await checkIncrementalMatchesFromScratch({ encoder, workDir, numRuns: 25, maxCommands: 10, seed: 20261202 });
    assert.ok(runs > 0);
  } finally {
    await encoder.release();
    rmSync(workDir, { recursive: true, force: true });
  }
});
