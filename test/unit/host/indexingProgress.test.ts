/**
 * The indexing notification with a hostile library file name (issue 11.10) and in readable units
 * (issue 12.10): IndexingController with a stand-in engine that reports the progress a real run
 * reports, through the `vscode` fake that records what the notification shows.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { IndexingController } from '../../../src/host/indexing/indexingController';
import type { EngineManager } from '../../../src/host/engine/engineManager';
import type { PaperCatalog } from '../../../src/host/library/paperCatalog';
import type { IndexProgress, IndexSummary } from '../../../src/shared/engineProtocol';

/** VS Code's linked-text parser (vs/base/common/linkedText.ts): what becomes a clickable link. */
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

const HOSTILE = '[Cancel indexing](command:workbench.extensions.installExtension?%5B%22evil.ext%22%5D).bib';

function standIn(steps: IndexProgress[]): { engine: EngineManager; catalog: PaperCatalog } {
  const progress = new vscode.EventEmitter<IndexProgress>();
  const none = new vscode.EventEmitter<unknown>();
  const summary: IndexSummary = { files: 2, filesRead: 2, added: 3, updated: 0, unchanged: 0, removed: 0, skippedFiles: 0, embedded: 3, diagnostics: 0, papers: 3, seconds: 0.1, provider: 'cpu', model: 'fake' };
  const client = {
    index: async (): Promise<IndexSummary> => {
      for (const p of steps) {
        progress.fire(p);
        await new Promise((r) => setTimeout(r, 20));
      }
      return summary;
    },
    diagnostics: async () => [],
  };
  const engine = {
    info: undefined,
    state: 'ready',
    lastError: undefined,
    crashCount: 0,
    onProgress: progress.event,
    onDidChangeState: none.event,
    onDidCrash: none.event,
    onDidRequestRestart: none.event,
    get: async () => client,
    refreshInfo: async () => undefined,
    indexDir: () => '/index-folder-outside-the-workspace',
  };
  const catalog = { size: 0, onDidChange: none.event, refresh: async () => undefined, clear: () => undefined };
  return { engine: engine as unknown as EngineManager, catalog: catalog as unknown as PaperCatalog };
}

test('a library file named like a command link stays text in the indexing notification, which reads in files, papers and sizes', async () => {
  fake.reset();
  fake.config.include = ['**/*.bib'];
  fake.files = ['/workspace/a.bib', `/workspace/${HOSTILE}`];
  const { engine, catalog } = standIn([
    { phase: 'reading', done: 0, total: 1_422_321, message: 'a.bib', filesDone: 0, filesTotal: 2, papersFound: 0 },
    { phase: 'reading', done: 991_043, total: 1_422_321, message: HOSTILE, filesDone: 1, filesTotal: 2, papersFound: 2 },
    { phase: 'embedding', done: 2, total: 3 },
  ]);
  const indexing = new IndexingController(engine, catalog, fakeLog() as unknown as vscode.LogOutputChannel);
  try {
    const summary = await indexing.index('test', { notifyAfterMs: 0 });
    assert.equal(summary?.papers, 3);
    const shown = fake.progress.map((p) => p.message);
    assert.ok(shown.length >= 2, JSON.stringify(fake.progress));
    for (const message of shown) assert.equal([...message.matchAll(LINK)].length, 0, `a live link in ${message}`);
    const hostile = shown.find((m) => m.includes('Cancel indexing'));
    assert.ok(hostile, JSON.stringify(shown));
    assert.equal(hostile.replace(/\u200b/g, ''), `reading file 2 of 2 (968 KB of 1.4 MB), 2 papers so far — ${HOSTILE}`);
    assert.ok(shown.includes('embedding 2 of 3 papers'), JSON.stringify(shown));
    for (const message of shown) assert.doesNotMatch(message, /991043|1422321/);
  } finally {
    indexing.dispose();
  }
});
