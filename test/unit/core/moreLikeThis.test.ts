import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TermStatistics, textTerms, topTerms } from '../../../src/core/moreLikeThis';

test('words split as the full-text index splits them', () => {
  assert.deepEqual(textTerms('Graph-based BERT: 3D point clouds.'), ['graph', 'based', 'bert', '3d', 'point', 'clouds']);
});

test('top terms: rare and repeated words first; stop words, numbers and words no other paper has are left out', () => {
  const stats = new TermStatistics();
  const library = [
    'Transformers for protein folding. The model predicts protein structure.',
    'A model of protein structure from sequences.',
    'The model of the network is trained on images.',
    'A network model for images and video.',
    'Folding at home: a model of distributed computing in 2020.',
  ];
  for (const t of library) stats.addDocument(t);
  const terms = topTerms(library[0]!, stats, { maxTerms: 3 });
  // "protein" (twice here, 2 of 5 papers) and "folding"/"structure" (2 of 5) beat "model" (in every paper).
  assert.equal(terms[0], 'protein');
  assert.ok(!terms.includes('model'));
  assert.ok(!terms.includes('the') && !terms.includes('for'));
  // "transformers" and "predicts" occur in this paper only: they cannot find a neighbour.
  assert.ok(!terms.includes('transformers') && !terms.includes('predicts'));
  // A text from outside the library may use words found once.
  assert.ok(topTerms('protein transformers', stats, { maxTerms: 5, minDocumentFrequency: 1 }).includes('protein'));
  // Words in most papers are left out when asked: "model" is in all five.
  assert.ok(!topTerms('model protein', stats, { maxTerms: 5, maxDocumentShare: 0.5 }).includes('model'));
  assert.ok(topTerms('model protein', stats, { maxTerms: 5 }).includes('model'));
  assert.deepEqual(topTerms('in 2020 the of', stats, { maxTerms: 5, minDocumentFrequency: 1 }), []);
});

test('at most maxTerms words, in a stable order', () => {
  const stats = new TermStatistics();
  for (const t of ['alpha beta gamma delta', 'alpha beta gamma delta', 'epsilon']) stats.addDocument(t);
  assert.deepEqual(topTerms('delta gamma beta alpha', stats, { maxTerms: 2 }), ['alpha', 'beta']);
});

test('word statistics survive a round trip through JSON, and a damaged copy is refused', () => {
  const stats = new TermStatistics();
  stats.addDocument('Dense passage retrieval for open-domain question answering');
  stats.addDocument('Passage re-ranking with BERT');
  const back = TermStatistics.fromJSON(JSON.parse(JSON.stringify(stats)));
  assert.ok(back);
  assert.equal(back.documents, 2);
  assert.equal(back.idf('passage'), stats.idf('passage'));
  assert.equal(back.idf('bert'), stats.idf('bert'));
  assert.equal(TermStatistics.fromJSON({ documents: 2, documentFrequency: [['passage', 3]] }), undefined, 'more papers than counted');
  assert.equal(TermStatistics.fromJSON({ documents: 2, documentFrequency: [['passage', '2']] }), undefined);
  assert.equal(TermStatistics.fromJSON({ documents: -1, documentFrequency: [] }), undefined);
  assert.equal(TermStatistics.fromJSON(null), undefined);
  assert.equal(TermStatistics.fromJSON([1, 2]), undefined);
});
