/**
 * The hover waits for related papers only: keywords come from a cache keyed by keyword model and
 * content hash, or are fetched behind the hover; a newer hover cancels an older fetch in the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource, type CancellationTokenSource as Source } from 'vscode-jsonrpc/node';
import { HoverKeywordCache, HoverRelatedCache, hoverEngineData, type HoverEngine } from '../../../src/host/hover/hoverEngineData';
import type { KeywordsResult, SearchHit } from '../../../src/shared/engineProtocol';

/** An engine whose keyword requests wait until the test answers them. */
class FakeEngine implements HoverEngine {
  relatedCalls: string[] = [];
  keywordCalls: { id: string; cancel?: Source; answer: (top: string[]) => void }[] = [];

  related(params: { id: string; k: number }): Promise<SearchHit[]> {
    this.relatedCalls.push(params.id);
    return Promise.resolve([{ id: `near-${params.id}`, title: 'Near', score: 1, authors: [], source: '' }]);
  }

  keywords(params: { id: string; k: number }, cancel?: Source): Promise<KeywordsResult> {
    return new Promise((resolve, reject) => {
      cancel?.token.onCancellationRequested(() => reject(new Error('cancelled')));
      this.keywordCalls.push({
        id: params.id,
        ...(cancel ? { cancel } : {}),
        answer: (top) => resolve({ text: '', spans: [], top: top.map((text) => ({ text, start: 0, end: 0, score: 1 })) }),
      });
    });
  }
}

const token = (): CancellationTokenSource => new CancellationTokenSource();

test('a first hover returns with related papers while the keyword model is still running; the next hover has its keywords', async () => {
  const engine = new FakeEngine();
  const cache = new HoverKeywordCache();
  const first = await hoverEngineData(engine, { id: 'a', contentHash: 'h1' }, 'mlm', { keywords: cache }, token().token);
  assert.deepEqual(first.related?.map((h) => h.id), ['near-a']);
  assert.equal(first.keywords, undefined, 'the hover did not wait for the masked LM');
  assert.equal(engine.keywordCalls.length, 1, 'keywords are fetched behind the hover');
  engine.keywordCalls[0]!.answer(['attention', 'transformer']);
  await first.keywordsBehind;
  const second = await hoverEngineData(engine, { id: 'a', contentHash: 'h1' }, 'mlm', { keywords: cache }, token().token);
  assert.deepEqual(second.keywords, ['attention', 'transformer']);
  assert.equal(engine.keywordCalls.length, 1, 'a cached paper asks the engine for related papers only');
  const edited = await hoverEngineData(engine, { id: 'a', contentHash: 'h2' }, 'mlm', { keywords: cache }, token().token);
  assert.equal(edited.keywords, undefined, 'a new content hash is a new text');
  const otherModel = await hoverEngineData(engine, { id: 'a', contentHash: 'h1' }, 'other-mlm', { keywords: cache }, token().token);
  assert.equal(otherModel.keywords, undefined, 'another keyword model is another cache entry');
});

test('hovering another paper cancels the keyword fetch of the one the user moved past', async () => {
  const engine = new FakeEngine();
  const cache = new HoverKeywordCache();
  await hoverEngineData(engine, { id: 'a', contentHash: 'ha' }, 'mlm', { keywords: cache }, token().token);
  const fetchA = engine.keywordCalls[0]!;
  await hoverEngineData(engine, { id: 'a', contentHash: 'ha' }, 'mlm', { keywords: cache }, token().token);
  assert.equal(engine.keywordCalls.length, 1, 'the same paper again reuses its fetch');
  assert.equal(fetchA.cancel?.token.isCancellationRequested, false);
  await hoverEngineData(engine, { id: 'b', contentHash: 'hb' }, 'mlm', { keywords: cache }, token().token);
  assert.equal(fetchA.cancel?.token.isCancellationRequested, true, 'the engine is told to drop the old fetch');
  assert.equal(engine.keywordCalls.at(-1)?.id, 'b');
});

test('a cancelled hover cancels its related request and starts no keyword fetch', async () => {
  let seen: Source | undefined;
  const engine: HoverEngine = {
    related: (_p, cancel) => {
      seen = cancel;
      return new Promise((_resolve, reject) => cancel?.token.onCancellationRequested(() => reject(new Error('cancelled'))));
    },
    keywords: () => assert.fail('no keyword fetch for a cancelled hover'),
  };
  const hover = token();
  const pending = hoverEngineData(engine, { id: 'a', contentHash: 'h' }, 'mlm', { keywords: new HoverKeywordCache() }, hover.token);
  hover.cancel();
  await assert.rejects(pending);
  assert.equal(seen?.token.isCancellationRequested, true);
});

test('a repeat hover takes its related papers from the host cache until the library version moves on', async () => {
  const engine = new FakeEngine();
  const caches = { keywords: new HoverKeywordCache(), related: { cache: new HoverRelatedCache(), libraryVersion: 1 } };
  const first = await hoverEngineData(engine, { id: 'a' }, 'mlm', caches, token().token);
  first.related![0]!.title = 'changed by a caller';
  const again = await hoverEngineData(engine, { id: 'a' }, 'mlm', caches, token().token);
  assert.deepEqual(engine.relatedCalls, ['a'], 'the second hover did not ask the engine');
  assert.equal(again.related?.[0]?.title, 'Near', 'callers get copies');
  await hoverEngineData(engine, { id: 'b' }, 'mlm', caches, token().token);
  caches.related.libraryVersion = 2;
  await hoverEngineData(engine, { id: 'a' }, 'mlm', caches, token().token);
  assert.deepEqual(engine.relatedCalls, ['a', 'b', 'a'], 'an index run makes every entry stale');
});

test('the host related cache drops the least recently hovered paper first', () => {
  const cache = new HoverRelatedCache(2);
  const hits = (id: string): SearchHit[] => [{ id, title: id, score: 1, authors: [], source: '' }];
  cache.set('a', 1, hits('a'));
  cache.set('b', 1, hits('b'));
  assert.ok(cache.get('a', 1));
  cache.set('c', 1, hits('c'));
  assert.equal(cache.get('b', 1), undefined);
  assert.ok(cache.get('a', 1) && cache.get('c', 1));
  assert.equal(cache.get('a', 2), undefined, 'another version');
});
