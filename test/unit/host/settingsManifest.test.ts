/**
 * The Settings UI renders `markdownDescription` as Markdown and `description` as plain text (showing
 * `**…**`, backticks and `#paperAtlas.include#` raw), and it can edit only settings of one simple type:
 * a type union such as ["string", "integer"] gets only an "Edit in settings.json" link.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fake } from './fakeVscode';
import { readConfig } from '../../../src/host/config';
import { manifest } from './manifest';

const properties = (): [string, import('./manifest').ManifestProperty][] => Object.entries(manifest().contributes.configuration.properties);

test('every setting is described in Markdown, never as plain text', () => {
  for (const [key, p] of properties()) {
    assert.equal(p.description, undefined, `${key} has a plain-text description`);
    assert.ok(typeof p.markdownDescription === 'string' && p.markdownDescription.length > 10, `${key} has a markdownDescription`);
  }
});

test('every setting can be edited in the Settings UI (one simple type)', () => {
  for (const [key, p] of properties()) {
    assert.ok(typeof p.type === 'string' && ['string', 'integer', 'number', 'boolean', 'array'].includes(p.type), `${key}: type ${JSON.stringify(p.type)}`);
    if (p.type === 'array') assert.deepEqual(p['items'], { type: 'string' }, `${key}: a list of strings`);
  }
});

test('clusterCount accepts auto or 2…200 in the Settings UI, and Config reads new and old values', () => {
  const p = manifest().contributes.configuration.properties['paperAtlas.clusterCount'];
  assert.ok(p?.pattern && p.default === 'auto');
  const accepts = new RegExp(p.pattern);
  for (const ok of ['auto', '2', '8', '42', '200', ' 12 ']) assert.ok(accepts.test(ok), `accepts "${ok}"`);
  for (const bad of ['', '0', '1', '201', '1000', 'many', '8.5', '-3']) assert.ok(!accepts.test(bad), `rejects "${bad}"`);
  const read = (v: unknown): unknown => {
    fake.reset();
    fake.config = { clusterCount: v };
    return readConfig().clusterCount;
  };
  assert.equal(read('auto'), 'auto');
  assert.equal(read(undefined), 'auto');
  assert.equal(read(' 12 '), 12);
  assert.equal(read('200'), 200);
  // Values written when the setting was a string-or-integer union keep working.
  assert.equal(read(12), 12);
  assert.equal(read(1), 2);
  assert.equal(read('nonsense'), 'auto');
  fake.reset();
});
