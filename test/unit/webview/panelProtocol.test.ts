/**
 * The side pane's two messages (src/shared/panelProtocol.ts): a paper posted before its keyword
 * heat-map is in says so, and the heat-map that follows names the paper it belongs to.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostToPanel } from '../../../src/shared/panelProtocol';

const paper = { id: 'karpukhin2020dpr', title: 'Dense Passage Retrieval', authors: ['Karpukhin'], abstract: 'We show that retrieval…', keywords: [] };
const heat = { text: 'Dense Passage Retrieval. We show that retrieval…', spans: [{ start: 0, end: 5, score: 0.9 }], top: ['dense passage retrieval'] };

test('a paper may be posted with its heat-map pending, and the heat-map follows on its own', () => {
  const first = parseHostToPanel({ type: 'paper', paper, keywords: null, keywordsPending: true, related: [] });
  assert.equal(first?.type, 'paper');
  assert.equal(first?.type === 'paper' && first.keywordsPending, true);
  const second = parseHostToPanel({ type: 'paperKeywords', id: paper.id, keywords: heat });
  assert.deepEqual(second, { type: 'paperKeywords', id: paper.id, keywords: heat });
  // No heat-map could be computed: the pending note must still go away.
  assert.deepEqual(parseHostToPanel({ type: 'paperKeywords', id: paper.id, keywords: null }), { type: 'paperKeywords', id: paper.id, keywords: null });
});

test('a heat-map without the paper it belongs to, or with malformed spans, is refused', () => {
  assert.equal(parseHostToPanel({ type: 'paperKeywords', keywords: heat }), undefined);
  assert.equal(parseHostToPanel({ type: 'paperKeywords', id: '', keywords: heat }), undefined);
  assert.equal(parseHostToPanel({ type: 'paperKeywords', id: paper.id, keywords: { ...heat, spans: [{ start: '0' }] } }), undefined);
  assert.equal(parseHostToPanel({ type: 'paper', paper, keywords: null, keywordsPending: 'yes', related: [] }), undefined);
});
