import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countDocumentFrequency } from '../../../src/core/keywords/documentFrequency';
import { documentFrequencyInThread } from '../../../src/engine/keywords/documentFrequencyThread';

const texts = Array.from({ length: 120 }, (_, i) =>
  [
    'Dense passage retrieval for open-domain question answering with hard negatives.',
    'Latent diffusion models for high-resolution image synthesis.',
    'Trauma exposure profiles and mental health outcomes in adolescents.',
  ][i % 3]! + ` Paper ${i}.`,
);

test('the worker counts the same table as the engine thread would, saves it, and reads it back for the same library', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-df-'));
  try {
    const file = path.join(dir, 'keywords__df.json');
    const expected = countDocumentFrequency(texts);
    let asked = 0;
    const textsOf = (t: string[]) => (): string[] => {
      asked += 1;
      return t;
    };
    const first = await documentFrequencyInThread({ file, stamp: 'a' }, textsOf(texts));
    assert.equal(first.source, 'counted');
    assert.deepEqual(first.table.toJSON(), expected.toJSON());
    assert.ok(existsSync(file));
    const second = await documentFrequencyInThread({ file, stamp: 'a' }, textsOf(texts));
    assert.equal(second.source, 'saved', 'same stamp: read, not counted');
    assert.equal(asked, 1, 'the texts were asked for only when counting');
    assert.deepEqual(second.table.toJSON(), expected.toJSON());
    assert.equal(second.table.count('no such phrase'), 1, 'singletons dropped: an absent key counts one paper');
    const other = await documentFrequencyInThread({ file, stamp: 'b' }, textsOf(texts.slice(0, 30)));
    assert.equal(other.source, 'counted', 'another library is counted again');
    assert.equal(other.table.documents, 30);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { stamp: string }).stamp, 'b');
    // A damaged file is counted again, not an error.
    writeFileSync(file, '{"stamp": "b", "table": ');
    assert.equal((await documentFrequencyInThread({ file, stamp: 'b' }, textsOf(texts))).source, 'counted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
