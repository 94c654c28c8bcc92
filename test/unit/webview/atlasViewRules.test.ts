import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abstractStart, fitScaleFor, layoutKey, resizedScale } from '../../../webview/atlasViewRules';

test('a saved view belongs to one layout: a rebuilt map has another key', () => {
  const b = { minX: -3.25, maxX: 7.5, minY: -1, maxY: 2.125 };
  assert.equal(layoutKey(24, b), layoutKey(24, { ...b }));
  assert.notEqual(layoutKey(24, b), layoutKey(24, { ...b, maxX: 7.6 }), 'same papers, new layout');
  assert.notEqual(layoutKey(24, b), layoutKey(25, b));
});

test('a resize keeps the same part of the map in view', () => {
  const b = { minX: 0, maxX: 10, minY: 0, maxY: 10 };
  const before = fitScaleFor(b, 1200, 800);
  const after = fitScaleFor(b, 600, 400);
  // Fitted before: fitted after.
  assert.equal(resizedScale(before, before, after), after);
  // Zoomed in ×4: still ×4 of the new fit.
  assert.equal(resizedScale(before * 4, before, after), after * 4);
});

test('the abstract does not repeat the title', () => {
  const title = 'Dense Passage Retrieval for Open-Domain Question Answering';
  const text = `${title}. Open-domain question answering relies on efficient passage retrieval.`;
  assert.equal(text.slice(abstractStart(text, title)), 'Open-domain question answering relies on efficient passage retrieval.');
  assert.equal(abstractStart('Only an abstract.', title), 0);
  assert.equal(abstractStart(title, title), title.length);
});
