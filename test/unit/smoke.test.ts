import { test } from 'node:test';
import assert from 'node:assert/strict';
test('toolchain builds and runs TypeScript tests', () => {
  assert.equal([1, 2, 3].length, 3);
});
