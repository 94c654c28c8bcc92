/** The keys a document cites, as the checks read them: no fenced or inline code in Markdown, no comments in LaTeX. */
import './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citedKeys } from '../../../src/host/citations/citationDiagnostics';

test('Markdown: Pandoc, Obsidian and LaTeX citations; code is skipped', () => {
  const lines = ['Text [@alpha; @beta] and @gamma, [[@delta]].', '```', '[@inCode]', '```', 'Inline `@notThis` and \\cite{eps, zeta}.', 'mail me@example.org'];
  assert.deepEqual(
    citedKeys(lines, 'pandoc').map((c) => [c.key, c.line, lines[c.line]?.slice(c.start, c.end)]),
    [
      ['alpha', 0, 'alpha'],
      ['beta', 0, 'beta'],
      ['gamma', 0, 'gamma'],
      ['delta', 0, 'delta'],
      ['eps', 4, 'eps'],
      ['zeta', 4, 'zeta'],
    ],
  );
});

test('LaTeX: comments are no citations', () => {
  const lines = ['As shown \\citep[p.~2]{x,y}. % \\cite{commented}', '% \\cite{z}', '50\\% of \\cite{w}'];
  assert.deepEqual(
    citedKeys(lines, 'latex').map((c) => c.key),
    ['x', 'y', 'w'],
  );
});
