/**
 * Interrupted runs: papers written before a cancel are not embedded again, and when the file of an
 * interrupted run is deleted its papers leave the index (the run never recorded the file as indexed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IndexCancelled, indexFiles, stateFileFor } from '../../../src/engine/index/indexer';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { PaperStore } from '../../../src/engine/store/paperStore';
import { TextEncoder } from '../../../src/engine/encoder/textEncoder';

test('a cancelled run resumes without re-embedding, and a deleted file of a cancelled run is cleaned up', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-resume-'));
  const bib = path.join(work, 'papers.bib');
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library', 'papers.bib'), bib);
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  const store = await PaperStore.open(path.join(work, 'db'), 'papers', encoder.dims);
  const state = stateFileFor(path.join(work, 'db'), 'papers');
  try {
    let embedded = 0;
    await assert.rejects(
      indexFiles([bib], store, encoder, state, {
        chunkSize: 2,
        onProgress: (p) => {
          if (p.phase === 'embedding') embedded = p.done;
        },
        // Cancel once the first chunk of two papers has been embedded (its write still completes).
        isCancelled: () => embedded >= 2,
      }),
      IndexCancelled,
    );
    const written = await store.count();
    assert.equal(written, 2);

    const resumed = await indexFiles([bib], store, encoder, state, { chunkSize: 2 });
    assert.equal(resumed.embedded, 3, 'only the papers the cancelled run had not written');
    assert.equal(resumed.papers, 5);

    // Now cancel a fresh file's run after its first chunk, delete the file, and index again.
    const other = path.join(work, 'other.bib');
    cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library', 'papers.bib'), other);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(other, readFileSync(other, 'utf8').replace(/@(\w+)\{(\w+),/g, '@$1{$2copy,').replace(/title = \{/g, 'title = {Copy of ').replace(/\s*doi = \{[^}]*\},/g, ''));
    embedded = 0;
    await assert.rejects(
      indexFiles([bib, other], store, encoder, state, {
        chunkSize: 2,
        onProgress: (p) => {
          if (p.phase === 'embedding') embedded = p.done;
        },
        isCancelled: () => embedded >= 2,
      }),
      IndexCancelled,
    );
    assert.equal(await store.count(), 7);
    rmSync(other);
    const cleaned = await indexFiles([bib], store, encoder, state);
    assert.equal(cleaned.removed, 2);
    assert.equal(cleaned.papers, 5);
  } finally {
    store.close();
    await encoder.release();
    rmSync(work, { recursive: true, force: true });
  }
});
