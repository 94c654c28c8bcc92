import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countDocumentFrequency, DocumentFrequencyTable } from '../../../src/core/keywords/documentFrequency';

const library = [
  'Dense passage retrieval for open-domain question answering.',
  'Dense passage retrieval with hard negatives improves question answering.',
  'Latent diffusion models for image synthesis.',
];

test('dropping singletons keeps every shared key and counts an unseen key as one paper', () => {
  const full = new DocumentFrequencyTable();
  for (const t of library) full.addDocument(t);
  const kept = new DocumentFrequencyTable();
  for (const t of library) kept.addDocument(t);
  kept.dropSingletons();
  assert.ok(kept.counts.size < full.counts.size, 'singletons are gone');
  for (const [key, n] of full.counts) {
    // Shared keys are exact; a key of one paper reads 1, as it did ("in no other paper" stays true).
    assert.equal(kept.count(key), n, key);
  }
  assert.equal(kept.count('no such phrase'), 1);
  assert.equal(full.count('no such phrase'), 0);
  assert.equal(kept.documents, 3);
});

test('a saved table keeps its floor', () => {
  const table = new DocumentFrequencyTable();
  for (const t of library) table.addDocument(t);
  table.dropSingletons();
  const back = DocumentFrequencyTable.fromJSON(JSON.parse(JSON.stringify(table.toJSON())));
  assert.equal(back.count('no such phrase'), 1);
  assert.deepEqual([...back.counts].sort(), [...table.counts].sort());
  // Tables saved before singletons were dropped count an unseen key as 0.
  assert.equal(DocumentFrequencyTable.fromJSON({ documents: 3, counts: { dense: 2 } }).count('x'), 0);
});

test('countDocumentFrequency is addDocument over the library, then dropSingletons', () => {
  const whole = new DocumentFrequencyTable();
  for (const t of library) whole.addDocument(t);
  assert.deepEqual(countDocumentFrequency(library).toJSON(), whole.dropSingletons().toJSON());
});
