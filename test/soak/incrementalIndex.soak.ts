/**
 * `npm run soak`: the model-based test of incremental indexing (test/unit/engine/indexModel.ts) at
 * length: many more edit sequences, longer ones, with a random seed (printed; PAPER_ATLAS_MODEL_SEED
 * reproduces it). PAPER_ATLAS_MODEL_RUNS (default 300) sets the number of sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextEncoder } from '../../src/engine/encoder/textEncoder';
import { checkIncrementalMatchesFromScratch } from '../unit/engine/indexModel';

const SOAK = process.env.PAPER_ATLAS_SOAK === '1';
const seed = Number(process.env.PAPER_ATLAS_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.PAPER_ATLAS_MODEL_RUNS ?? 300);

test('incremental indexing matches from scratch on many generated edit sequences', { skip: SOAK ? false : 'set PAPER_ATLAS_SOAK=1 (npm run soak) to run' }, async () => {
  console.log(`incremental index model soak: seed ${seed} (PAPER_ATLAS_MODEL_SEED=${seed} reproduces it), ${numRuns} sequences`);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'atlas-model-soak-'));
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  const started = Date.now();
  try {
    const runs = await checkIncrementalMatchesFromScratch({ encoder, workDir, numRuns, maxCommands: 25, seed });
    assert.ok(runs > 0);
    console.log(`${numRuns} sequences, ${runs} index runs (incremental + from scratch), 0 differences, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await encoder.release();
    rmSync(workDir, { recursive: true, force: true });
  }
});
