/**
 * Show Keyword Highlights decorates the words the engine scored, and nothing when the text changed
 * while the model ran (its offsets would land on other words).
 */
import { fake, fakeLog, registeredCommands } from './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import type { AtlasContext } from '../../../src/host/atlasContext';
import { Commands } from '../../../src/host/commands/commandTable';
import { registerKeywordHighlights } from '../../../src/host/keywords/keywordHighlights';
import type { KeywordsResult } from '../../../src/shared/engineProtocol';

const TEXT = 'Sparse attention lets transformers read long documents.';

/** An editor with TEXT selected whose document's version moves on when `edit()` is called. */
function editorOn(text: string) {
  const set: { type: unknown; ranges: unknown[] }[] = [];
  const document = {
    version: 1,
    isClosed: false,
    lineCount: 1,
    getText: () => text,
    offsetAt: (p: { character: number }) => p.character,
    positionAt: (offset: number) => ({ line: 0, character: offset }),
    lineAt: () => ({ text, range: { end: { line: 0, character: text.length } } }),
  };
  const editor = {
    document,
    selection: { isEmpty: false, start: { line: 0, character: 0 }, end: { line: 0, character: text.length }, active: { line: 0, character: 0 } },
    setDecorations: (type: unknown, ranges: unknown[]) => set.push({ type, ranges }),
  };
  return { editor, set, edit: () => document.version++ };
}

async function highlight(typeWhileScoring: boolean): Promise<{ decorated: number; status: string[] }> {
  fake.reset();
  const { editor, set, edit } = editorOn(TEXT);
  const status: string[] = [];
  const window = vscode.window as unknown as Record<string, unknown>;
  window.activeTextEditor = editor;
  window.setStatusBarMessage = (m: string) => (status.push(m), { dispose: () => undefined });
  const result: KeywordsResult = { text: TEXT, spans: [{ text: 'attention', start: 7, end: 16, score: 1 }], top: [{ text: 'sparse attention', start: 0, end: 16, score: 1 }] };
  const client = {
    keywords: () => {
      if (typeWhileScoring) edit();
      return Promise.resolve(result);
    },
  };
  const ctx = { engine: { get: () => Promise.resolve(client) }, catalog: { get: () => undefined, byDoiOrArxiv: () => undefined }, log: fakeLog() } as unknown as AtlasContext;
  const registration = registerKeywordHighlights(ctx);
  try {
    await registeredCommands.get(Commands.showKeywordHighlights.id)!();
  } finally {
    registration.dispose();
  }
  return { decorated: set.filter((s) => s.ranges.length > 0).length, status };
}

test('the scored words are decorated when the text is unchanged', async () => {
  const { decorated, status } = await highlight(false);
  assert.ok(decorated >= 2, 'a highlight level and the keyword summary');
  assert.deepEqual(status, []);
});

test('an edit while the model ran: no decorations at stale offsets, and the status bar says why', async () => {
  const { decorated, status } = await highlight(true);
  assert.equal(decorated, 0);
  assert.match(status[0] ?? '', /text changed while its keywords were scored/);
});
