/** The least recently used entry goes first; get and set both count as use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruMap } from '../../../src/core/lruMap';

test('an LruMap over capacity drops the entry used longest ago', () => {
  const m = new LruMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.get('a'), 1);
  m.set('c', 3);
  assert.equal(m.get('b'), undefined, 'b was used last before a');
  assert.equal(m.size, 2);
  m.set('a', 10);
  m.set('d', 4);
  assert.equal(m.get('c'), undefined, 'setting a again counted as use');
  assert.equal(m.get('a'), 10);
  assert.equal(m.delete('a'), true);
  m.clear();
  assert.equal(m.size, 0);
});
