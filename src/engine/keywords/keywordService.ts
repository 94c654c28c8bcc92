/**
 * The engine's keyword feature: answers GetKeywords for a paper id or a free text. The MLM opens on
 * the first request (most sessions never ask for keywords, and the session costs memory), IDF comes
 * from the library itself, and MLM surprise is cached per text in `<dbDir>/keywords__<mlm>.json`.
 *
 * Folder src/engine/keywords/: the keyword heat-map — this service, the masked-LM scorer, its head
 * gather graph, the part-of-speech tagger and the per-text cache. The ranking math lives in
 * src/core/keywords. Engine process only: imported by server/.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { phraseKey } from '../../core/keywords/candidatePhrases';
import type { Paper } from '../../shared/paper';
import type { KeywordsResult } from '../../shared/engineProtocol';
import { JsonFileKeywordCache, keywordCacheFile } from './keywordCache';
import { KeywordScorer, type EmbedTexts } from './keywordScorer';
import { DEFAULT_MLM_ID } from '../models/modelFolder';
import { SearchCancelled, UnknownPaperError, type Cancellation } from '../search/searchService';
import { documentFrequencyInThread } from './documentFrequencyThread';

/** What the service needs from the paper store (PaperStore satisfies it). */
export interface KeywordPaperSource {
  papers(ids: readonly string[]): Promise<Map<string, Paper>>;
  count(): Promise<number>;
  pageOfPapers(offset: number, limit: number): Promise<Paper[]>;
  /** Stored embeddings (of the paper's title and abstract): the phrase-similarity feature reuses them. */
  vectors?(ids: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Moves with every write to the table: the library is read again only when it moved. */
  version?(): Promise<number>;
}

export interface KeywordServiceOptions {
  dbDir: string;
  store: KeywordPaperSource;
  mlm?: string;
  threads?: number;
  log?: (line: string) => void;
  /** The library's encoder, for the similarity of a phrase to its paper. */
  embed?: EmbedTexts;
}

/** Below this many papers library IDF is noise (every phrase is rare), so it is not used. */
export const MIN_PAPERS_FOR_IDF = 50;

/** How many papers list each keyword (stemmed key), for the `listed` keyphrase feature. */
export function listedKeywordCounts(papers: readonly Pick<Paper, 'keywords'>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of papers) for (const key of new Set(p.keywords.map(phraseKey))) if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The text whose keywords a paper shows: what the spans' offsets index into. */
export function paperKeywordText(paper: Pick<Paper, 'title' | 'abstract'>): string {
  return paper.abstract ? `${paper.title}. ${paper.abstract}` : paper.title;
}

export class KeywordService {
  private opening: Promise<{ scorer: KeywordScorer; cache: JsonFileKeywordCache }> | undefined;
  private dfStamp = '';
  private lastFlush = Date.now();
  /** Paper count when IDF was last checked; -1 = check again (the library changed). */
  /** Paper count and table version when the library was last read. */
  private dfSeen = '';
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: KeywordServiceOptions) {}

  /**
   * `token`: the caller moved on (another selection, a closed hover). Checked before the masked-LM
   * run, the step that blocks the engine's thread: a request that waited behind the library's phrase
   * table or another request then stops there instead of holding up the ones after it.
   */
  async keywords(params: { id?: string; text?: string; k: number }, token?: Cancellation): Promise<KeywordsResult> {
    let text = params.text;
    let textVector: Float32Array | undefined;
    let ownKeywords: readonly string[] = [];
    if (text === undefined) {
      if (!params.id) throw new Error('keywords needs an id or a text');
      const paper = (await this.options.store.papers([params.id])).get(params.id);
      if (!paper) throw new UnknownPaperError(`no paper with id "${params.id}" in the index`);
      text = paperKeywordText(paper);
      textVector = (await this.options.store.vectors?.([params.id]))?.get(params.id);
      ownKeywords = paper.keywords;
    }
    const { scorer, cache } = await this.open();
    await this.refreshDocumentFrequency(scorer);
    if (token?.isCancellationRequested) throw new SearchCancelled('cancelled');
    const result = await scorer.keywords(text, params.k, textVector, ownKeywords);
    // The whole file is rewritten on a flush: at most every 30 s here, and always on release().
    if (Date.now() - this.lastFlush > 30_000) {
      cache.flush();
      this.lastFlush = Date.now();
    }
    return result;
  }

  private open(): Promise<{ scorer: KeywordScorer; cache: JsonFileKeywordCache }> {
    if (this.opening) return this.opening;
    this.opening = (async () => {
      const mlm = this.options.mlm ?? DEFAULT_MLM_ID;
      const scorer = await KeywordScorer.open(mlm, {
        ...(this.options.threads ? { threads: this.options.threads } : {}),
        ...(this.options.log ? { log: this.options.log } : {}),
        ...(this.options.embed ? { embed: this.options.embed } : {}),
      });
      // The cache file records the weights' fingerprint, which is known once the scorer is open.
      const cache = new JsonFileKeywordCache(keywordCacheFile(this.options.dbDir, scorer.settings.id), scorer.fingerprint);
      scorer.cache = cache;
      return { scorer, cache };
    })();
    // A model that failed to open (not installed yet) is tried again on the next request.
    this.opening.catch(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /**
   * Library IDF, rebuilt when the set of papers changed (stamp = hash of the sorted content hashes)
   * and kept in `<dbDir>/keywords__df.json`, since counting a large library takes seconds. One
   * refresh at a time: two requests at start share it (the second used to run without library IDF
   * while the first was still reading).
   */
  private refreshDocumentFrequency(scorer: KeywordScorer): Promise<void> {
    this.refreshing ??= this.refreshNow(scorer).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshNow(scorer: KeywordScorer): Promise<void> {
    const store = this.options.store;
    // The table's version moves with every write (this process's or another's): unchanged, nothing to read.
    const version = await store.version?.();
    const total = await store.count();
    const seen = `${total}:${version ?? ''}`;
    if (seen === this.dfSeen) return;
    this.dfSeen = seen;
    const papers: Paper[] = [];
    for (let offset = 0; offset < total; offset += 1000) papers.push(...(await store.pageOfPapers(offset, 1000)));
    // The table's own version is part of the stamp: keys of up to four terms since the noun-phrase
    // candidates, and singletons dropped since v3.
    const stamp = createHash('sha256')
      .update(`df-v3:${papers.map((p) => p.contentHash).sort().join(',')}`)
      .digest('hex')
      .slice(0, 16);
    // Keywords are not part of the content hash: recount them whenever the papers were read.
    scorer.listedKeywords = listedKeywordCounts(papers);
    if (stamp === this.dfStamp) return;
    this.dfStamp = stamp;
    if (papers.length < MIN_PAPERS_FOR_IDF) {
      scorer.documentFrequency = undefined;
      return;
    }
    // Read or counted in a worker thread (documentFrequency.worker.ts): counting 75k abstracts takes
    // 40–80 s, and parsing or writing a large table a second; requests keep being answered meanwhile.
    const { table, source } = await documentFrequencyInThread({ file: path.join(this.options.dbDir, 'keywords__df.json'), stamp }, () => papers.map(paperKeywordText));
    scorer.documentFrequency = table;
    this.options.log?.(`keyword document frequencies ${source === 'saved' ? 'read' : 'counted'} for ${papers.length} papers (${table.counts.size} phrases)`);
  }

  /**
   * Counts the library's document frequencies now, in the background (after an index run), so that
   * the first keyword request after indexing a large library does not wait for it. Without a masked
   * LM there is nothing to prepare.
   */
  async prepareLibraryStatistics(): Promise<void> {
    const { scorer } = await this.open();
    await this.refreshDocumentFrequency(scorer);
  }

  /** Call after indexing: the next request re-checks the library's IDF. */
  libraryChanged(): void {
    this.dfSeen = '';
  }

  async release(): Promise<void> {
    const opened = this.opening;
    this.opening = undefined;
    if (!opened) return;
    const { scorer, cache } = await opened;
    cache.flush();
    await scorer.release();
  }
}
