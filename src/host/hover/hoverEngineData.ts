/**
 * What a citation hover asks the engine for, kept off the slow path: the hover waits only for the
 * related papers (vector + full-text search, cached in the engine; a repeat hover on the same library
 * takes them from the host's HoverRelatedCache without asking), never for the masked LM. Keywords
 * come from a cache keyed by the paper's content hash and the keyword model; on a miss the hover shows
 * the library's own keywords and the model's keywords are fetched behind it, for the next hover of
 * that paper. A newer hover cancels an older fetch still running (the user has moved on). No `vscode`
 * here, so the bench (bench/latency/interactiveLatency.ts) times exactly what the provider waits for.
 */
import type { CancellationToken } from 'vscode-jsonrpc/node';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { LruMap } from '../../core/lruMap';
import type { KeywordsResult, SearchHit } from '../../shared/engineProtocol';
import { foldNestedPhrases } from '../../shared/keyphraseChips';

export const HOVER_RELATED = 4;
export const HOVER_KEYWORDS = 5;
export const HOVER_KEYWORD_ENTRIES = 1000;
export const HOVER_RELATED_ENTRIES = 500;

/** The two engine requests a hover makes (EngineClient satisfies it). */
export interface HoverEngine {
  related(params: { id: string; k: number }, cancel?: CancellationTokenSource): Promise<SearchHit[]>;
  keywords(params: { id: string; k: number }, cancel?: CancellationTokenSource): Promise<KeywordsResult>;
}

/** The paper being hovered: its id and the hash of the text its keywords come from. */
export interface HoveredPaper {
  id: string;
  /** Without it the keywords are not cached (nothing says when they would go stale). */
  contentHash?: string;
}

/** Top keywords per (keyword model, content hash), least recently used out first; one fetch in flight at a time. */
export class HoverKeywordCache {
  private readonly entries: LruMap<string, string[]>;
  private inflight: { key: string; cancel: CancellationTokenSource; done: Promise<void> } | undefined;

  constructor(capacity = HOVER_KEYWORD_ENTRIES) {
    this.entries = new LruMap(capacity);
  }

  static key(model: string, contentHash: string): string {
    return `${model}\u0000${contentHash}`;
  }

  get(key: string): string[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, keywords: string[]): void {
    this.entries.set(key, keywords);
  }

  /**
   * Fetches a paper's keywords behind the hover (not awaited by it). A fetch for another paper still
   * running is cancelled in the engine; one for the same key is reused.
   */
  fetchBehind(engine: HoverEngine, paper: HoveredPaper, key: string): Promise<void> {
    if (this.inflight?.key === key) return this.inflight.done;
    this.cancelFetch();
    const cancel = new CancellationTokenSource();
    // A few more than shown: the ones nested in another are folded away (see keyphraseChips.ts).
    const done = engine.keywords({ id: paper.id, k: HOVER_KEYWORDS + 3 }, cancel).then(
      (result) => {
        const top = foldNestedPhrases(result.top.map((s) => s.text), HOVER_KEYWORDS);
        if (top.length > 0) this.set(key, top);
      },
      () => undefined, // cancelled, or no keyword model: the hover keeps the library's keywords
    );
    const entry = { key, cancel, done };
    this.inflight = entry;
    void done.finally(() => {
      if (this.inflight === entry) this.inflight = undefined;
      cancel.dispose();
    });
    return done;
  }

  /** Cancels the fetch in flight, unless it is the one for `keep`. */
  cancelFetch(keep?: string): void {
    if (this.inflight && this.inflight.key === keep) return;
    this.inflight?.cancel.cancel();
    this.inflight = undefined;
  }

  clear(): void {
    this.cancelFetch();
    this.entries.clear();
  }
}

/**
 * Related papers of papers hovered before, for one version of the library (PaperCatalog.version, which
 * every index run and Clear Index moves on): a repeat hover is answered in the extension host. The
 * engine caches related lists too, but a round trip waits for whatever the engine's thread and the two
 * cores are doing, such as the topic map and keyword statistics it computes after indexing.
 */
export class HoverRelatedCache {
  private readonly entries: LruMap<string, readonly SearchHit[]>;
  private version: number | undefined;

  constructor(capacity = HOVER_RELATED_ENTRIES) {
    this.entries = new LruMap(capacity);
  }

  get(id: string, version: number): SearchHit[] | undefined {
    if (version !== this.version) return undefined;
    return this.entries.get(id)?.map((h) => ({ ...h }));
  }

  set(id: string, version: number, hits: readonly SearchHit[]): void {
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    this.entries.set(id, hits.map((h) => ({ ...h })));
  }
}

/** The host's caches a hover reads before it asks the engine. */
export interface HoverCaches {
  keywords: HoverKeywordCache;
  /** Without it every hover asks the engine for its related papers (the bench times that path). */
  related?: { cache: HoverRelatedCache; libraryVersion: number };
}

export interface HoverEngineData {
  related: SearchHit[] | undefined;
  /** The model's keywords when cached; undefined: show the library's own and wait for the next hover. */
  keywords: string[] | undefined;
  /** The keyword fetch started behind this hover, if any (tests and the bench wait on it). */
  keywordsBehind?: Promise<void>;
}

/**
 * The engine part of a hover. `token` is the hover's: when VS Code cancels the hover (the mouse moved
 * on), the related request is cancelled in the engine too. The keyword fetch behind it is not tied to
 * this hover, only to the next one.
 */
export async function hoverEngineData(engine: HoverEngine, paper: HoveredPaper, model: string, caches: HoverCaches, token: CancellationToken): Promise<HoverEngineData> {
  const cache = caches.keywords;
  const key = paper.contentHash !== undefined ? HoverKeywordCache.key(model, paper.contentHash) : undefined;
  const keywords = key !== undefined ? cache.get(key) : undefined;
  // Another paper's fetch would only compete with this hover's related request: the user has moved on.
  cache.cancelFetch(key);
  const cancel = new CancellationTokenSource();
  const sub = token.onCancellationRequested(() => cancel.cancel());
  try {
    const known = caches.related?.cache.get(paper.id, caches.related.libraryVersion);
    const related = known ?? (await engine.related({ id: paper.id, k: HOVER_RELATED }, cancel));
    if (!known && caches.related) caches.related.cache.set(paper.id, caches.related.libraryVersion, related);
    const keywordsBehind = keywords || key === undefined || token.isCancellationRequested ? undefined : cache.fetchBehind(engine, paper, key);
    return { related, keywords, ...(keywordsBehind ? { keywordsBehind } : {}) };
  } finally {
    sub.dispose();
    cancel.dispose();
  }
}
