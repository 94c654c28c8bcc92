/**
 * A table of older weights of the same model is dropped once the new one is complete, and the files
 * kept beside it (index state, related work's word statistics) go with it; another model's table and
 * its files stay (the user may switch back without re-embedding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paperToRow } from '../../../src/engine/index/indexer';
import { PaperStore } from '../../../src/engine/store/paperStore';
import { TABLE_SIDE_FILES, tableSideFile } from '../../../src/engine/store/tableSideFiles';
import type { Paper } from '../../../src/shared/paper';

const paper: Paper = { id: 'p1', title: 'Sparse attention', abstract: 'Attention over long documents.', authors: [], keywords: [], sources: [], contentHash: 'h1' };

async function tableWithSideFiles(dbDir: string, name: string): Promise<PaperStore> {
  const store = await PaperStore.open(dbDir, name, 4);
  await store.add([paperToRow(paper, new Float32Array([1, 0, 0, 0]))]);
  for (const kind of TABLE_SIDE_FILES) writeFileSync(tableSideFile(dbDir, name, kind), '{}');
  return store;
}

test('dropping the table of older weights removes its state and word-statistics files, not another model\'s', async () => {
  const dbDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'atlas-stale-')), 'db');
  try {
    (await tableWithSideFiles(dbDir, 'mini__w1')).close();
    (await tableWithSideFiles(dbDir, 'other__w1')).close();
    const current = await tableWithSideFiles(dbDir, 'mini__w2');
    await current.maintain();
    assert.deepEqual((await current.otherTables()).sort(), ['other__w1']);
    current.close();
    for (const kind of TABLE_SIDE_FILES) {
      assert.equal(existsSync(tableSideFile(dbDir, 'mini__w1', kind)), false, `mini__w1.${kind}.json went with its table`);
      assert.ok(existsSync(tableSideFile(dbDir, 'mini__w2', kind)), `the current table's ${kind} file stays`);
      assert.ok(existsSync(tableSideFile(dbDir, 'other__w1', kind)), `another model's ${kind} file stays`);
    }
  } finally {
    rmSync(path.dirname(dbDir), { recursive: true, force: true });
  }
});
