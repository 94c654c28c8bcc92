/** The citation each document language gets, and where the inserted citation needs a space. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citationInsertion, citationText, latexCiteCommand } from '../../../src/core/citations/citationSyntax';

test('Pandoc [@key] in Markdown, \\cite{key} in LaTeX, @key elsewhere', () => {
  assert.equal(citationText('he2016resnet', 'markdown'), '[@he2016resnet]');
  assert.equal(citationText('he2016resnet', 'latex'), '\\cite{he2016resnet}');
  assert.equal(citationText('he2016resnet', 'tex'), '\\cite{he2016resnet}');
  assert.equal(citationText('he2016resnet', 'plaintext'), '@he2016resnet');
  assert.equal(citationText('he2016resnet', undefined), '@he2016resnet');
});

test('the LaTeX command comes from the setting; anything that is not a command name falls back to cite', () => {
  assert.equal(citationText('k', 'latex', 'citep'), '\\citep{k}');
  assert.equal(citationText('k', 'latex', ' \\autocite '), '\\autocite{k}');
  assert.equal(citationText('k', 'latex', 'cite*'), '\\cite*{k}');
  assert.equal(citationText('k', 'markdown', 'citep'), '[@k]');
  for (const bad of ['', 'cite{x}', 'ci te', '\\input', '1cite', 'cite}{\\evil', undefined]) {
    const name = latexCiteCommand(bad);
    assert.ok(name === 'cite' || name === 'input', `${String(bad)} -> ${name}`);
  }
  assert.equal(latexCiteCommand('cite}{\\evil'), 'cite');
  assert.equal(latexCiteCommand(undefined), 'cite');
});

test('a space goes in front only when the citation would stick to a word', () => {
  assert.equal(citationInsertion('Deep networks', 13, '[@k]'), ' [@k]');
  assert.equal(citationInsertion('Deep networks ', 14, '[@k]'), '[@k]');
  assert.equal(citationInsertion('Deep networks~', 14, '\\cite{k}'), '\\cite{k}');
  assert.equal(citationInsertion('(see ', 5, '@k'), '@k');
  assert.equal(citationInsertion('', 0, '[@k]'), '[@k]');
  assert.equal(citationInsertion('Deep networks.', 14, '[@k]'), ' [@k]');
});
