import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convexFusion, hybridRanking, lexicalWeightFor, queryWordCount, relatedRanking, scaleSide, SEARCH_LEXICAL_WEIGHTS, singleSideRanking, type Scored } from '../../../src/core/ranking';

test('a side is put on [0, 1]: BM25 over its best, min-max, or clamped cosine', () => {
  const bm25 = [
    { id: 'a', score: 12 },
    { id: 'b', score: 6 },
    { id: 'c', score: 3 },
  ];
  const best = scaleSide({ hits: bm25, scale: 'best', truncated: true });
  assert.deepEqual([...best.scores.values()], [1, 0.5, 0.25]);
  assert.equal(best.missing, 0.25, 'a paper past a cut list may score up to its worst');
  assert.equal(scaleSide({ hits: bm25, scale: 'best', truncated: false }).missing, 0, 'a complete list: a missing paper matched nothing');
  const minmax = scaleSide({ hits: bm25, scale: 'minmax', truncated: true });
  assert.deepEqual([...minmax.scores.values()], [1, 1 / 3, 0]);
  const cosine = scaleSide({
    hits: [
      { id: 'a', score: 0.8 },
      { id: 'b', score: -0.2 },
    ],
    scale: 'unit',
    truncated: false,
  });
  assert.deepEqual([...cosine.scores.values()], [0.8, 0]);
});

test('convex fusion: weight 1 ranks as the lexical list, 0 as the semantic one, and a paper both sides like wins in between', () => {
  const lexical = [
    { id: 'lex', score: 10 },
    { id: 'both', score: 8 },
  ];
  const semantic = [
    { id: 'sem', score: 0.9 },
    { id: 'both', score: 0.85 },
  ];
  const ids = (w: number): string[] =>
    convexFusion({ hits: lexical, scale: 'best', truncated: false }, { hits: semantic, scale: 'unit', truncated: false }, w).map((h) => h.id);
  assert.deepEqual(ids(1).slice(0, 2), ['lex', 'both']);
  assert.deepEqual(ids(0).slice(0, 2), ['sem', 'both']);
  assert.equal(ids(0.5)[0], 'both');
  // The fused score is the mix of what each mode alone shows for that paper.
  const both = convexFusion({ hits: lexical, scale: 'best', truncated: false }, { hits: semantic, scale: 'unit', truncated: false }, 0.5).find((h) => h.id === 'both');
  assert.ok(Math.abs((both?.score ?? 0) - (0.5 * 0.8 + 0.5 * 0.85)) < 1e-12);
});

test('a short query leans lexical: the weight follows the number of words', () => {
  assert.equal(queryWordCount('BERT'), 1);
  assert.equal(queryWordCount('graph neural networks for molecules, revisited'), 6);
  const rules = [
    { maxWords: 2, lexicalWeight: 0.9 },
    { maxWords: Infinity, lexicalWeight: 0.4 },
  ];
  assert.equal(lexicalWeightFor('BERT', rules), 0.9);
  assert.equal(lexicalWeightFor('a sentence about protein folding with many words', rules), 0.4);
  const shipped = (q: string): number => lexicalWeightFor(q, SEARCH_LEXICAL_WEIGHTS);
  assert.ok(shipped('BERT') >= shipped('which papers study pre-training of deep bidirectional transformers'));
});

const hits = (scores: fc.Arbitrary<number>): fc.Arbitrary<Scored[]> =>
  fc.uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), score: scores }), { selector: (h) => h.id, maxLength: 8 }).map((xs) => [...xs].sort((x, y) => y.score - x.score));

test('scores shown to users stay in [0, 1] in every mode, whatever BM25 and cosine return', () => {
  const bm25 = hits(fc.double({ min: 0, max: 1e4, noNaN: true }));
  const cosine = hits(fc.double({ min: -1, max: 1, noNaN: true }));
  const inUnit = (xs: readonly Scored[]): boolean => xs.every((h) => h.score >= 0 && h.score <= 1);
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), bm25, cosine, fc.double({ min: -1, max: 2, noNaN: true }), fc.integer({ min: 1, max: 10 }), (query, lexical, semantic, w, depth) => {
      assert.ok(inUnit(hybridRanking(query, lexical, semantic, depth)));
      assert.ok(inUnit(relatedRanking(lexical, semantic, depth)));
      assert.ok(inUnit(convexFusion({ hits: lexical, scale: 'minmax', truncated: true }, { hits: semantic, scale: 'minmax', truncated: true }, w)));
      // fts and vector modes show one side scaled alone: the two ends of the same mix.
      assert.ok(inUnit(singleSideRanking(lexical)));
      assert.ok(inUnit(singleSideRanking(semantic)));
    }),
  );
});

test('a hybrid score lies between what full text alone and vectors alone show for that paper', () => {
  const bm25 = hits(fc.double({ min: 0.01, max: 100, noNaN: true }));
  const cosine = hits(fc.double({ min: -1, max: 1, noNaN: true }));
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), bm25, cosine, (query, lexical, semantic) => {
      const score = (xs: Scored[], id: string): number => xs.find((h) => h.id === id)?.score ?? 0;
      const fts = singleSideRanking(lexical);
      const vector = singleSideRanking(semantic);
      for (const h of hybridRanking(query, lexical, semantic, 100)) {
        const a = score(fts, h.id);
        const b = score(vector, h.id);
        assert.ok(h.score >= Math.min(a, b) - 1e-12 && h.score <= Math.max(a, b) + 1e-12);
      }
    }),
  );
});
