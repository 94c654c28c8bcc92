/**
 * Search and related work over one PaperStore: vector, full-text, and their fusion.
 *
 * Every score handed out is on [0, 1] and means the same in every mode: where the paper stands among
 * the query's candidates (1 = the best, 0 = the weakest), by BM25 in fts mode, by cosine in vector
 * mode, and by the convex mix of the two that ranks it in hybrid (src/core/ranking.ts).
 *
 * Folder src/engine/search/: search and related work (this service and its related-work cache).
 * Engine process only: imported by server/ (and keywords/, for UnknownPaperError).
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { TermStatistics, topTerms } from '../../core/moreLikeThis';
import { dot, FUSION_DEPTH, hybridRanking, maximalMarginalRelevance, RELATED_MORE_LIKE_THIS, relatedRanking, singleSideRanking, TERM_STATISTICS_SAMPLE, type Scored } from '../../core/ranking';
import type { Paper } from '../../shared/paper';
import type { SearchHit, SearchMode } from '../../shared/engineProtocol';
import { documentText } from '../index/indexer';
import { writeJsonAtomic } from '../node/atomicFile';
import { tableSideFile } from '../store/tableSideFiles';
import type { PaperStore } from '../store/paperStore';
import { RelatedCache } from './relatedCache';
import type { TextEncoder } from '../encoder/textEncoder';

export class UnknownPaperError extends Error {}

/** The caller cancelled: the search stops at its next step (after the query is encoded, before papers are read). */
export class SearchCancelled extends Error {
  override name = 'SearchCancelled';
}

/** A JSON-RPC CancellationToken or anything shaped like it. */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
}

function stopIfCancelled(token: Cancellation | undefined): void {
  if (token?.isCancellationRequested) throw new SearchCancelled('cancelled');
}

export function paperToHit(paper: Paper, score: number): SearchHit {
  const source = paper.sources[0];
  const hit: SearchHit = {
    id: paper.id,
    title: paper.title,
    score: Math.round(score * 1e6) / 1e6,
    authors: paper.authors,
    source: source ? `${source.file}:${source.line}` : '',
  };
  if (paper.year !== undefined) hit.year = paper.year;
  return hit;
}

/** The file that keeps a table's related-work word statistics, beside the table (see savedOrCountedTerms). */
export function termStatisticsFileFor(dbDir: string, tableName: string): string {
  return tableSideFile(dbDir, tableName, 'terms');
}

export class SearchService {
  constructor(
    private readonly store: PaperStore,
    private readonly encoder: TextEncoder,
    /**
     * Where the word statistics of related work are kept between engine processes (see libraryTerms);
     * without it they are counted again by every process.
     */
    private readonly termStatisticsFile?: string,
  ) {}

  private async toHits(ranked: readonly Scored[], k: number, diversity?: number): Promise<SearchHit[]> {
    let chosen = ranked.slice(0, diversity !== undefined && diversity < 1 ? Math.max(k * 4, 20) : k);
    if (diversity !== undefined && diversity < 1) {
      const vectors = await this.store.vectors(chosen.map((h) => h.id));
      const withVectors = chosen.flatMap((h) => {
        const vector = vectors.get(h.id);
        return vector ? [{ ...h, vector }] : [];
      });
      // Relative to the best candidate, so λ trades like for like with cosine redundancy whatever the mode.
      const top = withVectors[0]?.score || 1;
      chosen = maximalMarginalRelevance(
        withVectors.map((h) => ({ ...h, score: h.score / top })),
        k,
        diversity,
      );
    }
    const papers = await this.store.papers(chosen.map((h) => h.id));
    return chosen.flatMap((h) => {
      const paper = papers.get(h.id);
      return paper ? [paperToHit(paper, h.score)] : [];
    });
  }

  async search(query: string, k: number, mode: SearchMode = 'hybrid', diversity?: number, token?: Cancellation): Promise<SearchHit[]> {
    const depth = Math.max(k, FUSION_DEPTH);
    const queryVector = async (): Promise<Float32Array | undefined> => {
      stopIfCancelled(token);
      const vector = (await this.encoder.encode([query], 'query'))[0];
      stopIfCancelled(token);
      return vector;
    };
    let ranked: Scored[];
    if (mode === 'fts') ranked = singleSideRanking(await this.store.fullTextSearch(query, depth));
    else if (mode === 'vector') {
      const vector = await queryVector();
      ranked = singleSideRanking(vector ? await this.store.vectorSearch(vector, depth) : []);
    } else {
      const vectorSide = queryVector().then(async (vector) => ({ vector, hits: vector ? await this.store.vectorSearch(vector, depth) : [] }));
      const [{ vector, hits: v }, f] = await Promise.all([vectorSide, this.store.fullTextSearch(query, depth)]);
      ranked = hybridRanking(query, f, vector ? await this.withCosines(v, f, vector) : [], depth);
    }
    stopIfCancelled(token);
    return this.toHits(ranked, k, diversity);
  }

  /** The vector hits plus the exact cosine of every full-text hit they lack (one look-up of ≤ 50 vectors). */
  private async withCosines(vectorHits: readonly Scored[], textHits: readonly Scored[], query: Float32Array): Promise<Scored[]> {
    const seen = new Set(vectorHits.map((h) => h.id));
    const missing = textHits.map((h) => h.id).filter((id) => !seen.has(id));
    if (missing.length === 0) return [...vectorHits];
    const vectors = await this.store.vectors(missing);
    const extra = missing.flatMap((id) => {
      const v = vectors.get(id);
      return v ? [{ id, score: dot(query, v) }] : [];
    });
    return [...vectorHits, ...extra].sort((a, b) => b.score - a.score);
  }

  /**
   * Nearest papers fused with a lexical more-like-this: the paper's less common words (best tf·idf
   * first) as a full-text query. The fusion lifts "neighbours share the primary category" P@10 above
   * vectors alone and above the more-like-this alone on the held-out dev set (`npm run eval`), and the
   * bounded query keeps it fast (the whole text as the query took p50 115–374 ms at 75k papers).
   */
  async related(id: string, k: number, diversity?: number, token?: Cancellation): Promise<SearchHit[]> {
    // A repeat (the same hover again) is answered from the cache before any look-up by id.
    const version = await this.store.version();
    const key = RelatedCache.key(id, k, diversity);
    const cached = this.relatedCache.get(key, version);
    if (cached) return cached;
    const [vector, paper] = await Promise.all([this.store.vectors([id]).then((m) => m.get(id)), this.store.papers([id]).then((m) => m.get(id))]);
    if (!vector || !paper) throw new UnknownPaperError(`no paper with id "${id}" in the index`);
    stopIfCancelled(token);
    const ranked = await this.fusedNeighbours(vector, documentText(paper), id, k, diversity);
    stopIfCancelled(token);
    const hits = await this.toHits(ranked, k, diversity);
    // Stored under the version read before the search: a write during it leaves an entry that is already stale, never a wrong one marked fresh.
    this.relatedCache.set(key, version, hits);
    return hits;
  }

  /** Related lists of recently asked papers (see relatedCache.ts). */
  private readonly relatedCache = new RelatedCache();

  private termStatistics?: { papers: number; stats: Promise<TermStatistics> };

  /** The index was emptied: its saved word statistics go too (see savedOrCountedTerms). */
  forgetTermStatistics(): void {
    this.termStatistics = undefined;
    if (this.termStatisticsFile) rmSync(this.termStatisticsFile, { force: true });
  }

  /**
   * Word document frequencies, counted on the first TERM_STATISTICS_SAMPLE papers (tells common words
   * from rare ones; ≈ 0.2 s, where the whole of a 75k library took seconds) and again when the number
   * of papers changes.
   */
  private async libraryTerms(): Promise<TermStatistics> {
    const papers = await this.store.count();
    if (!this.termStatistics || this.termStatistics.papers !== papers) {
      const stats = this.savedOrCountedTerms(papers);
      const entry = { papers, stats };
      this.termStatistics = entry;
      stats.catch(() => {
        if (this.termStatistics === entry) this.termStatistics = undefined;
      });
    }
    return this.termStatistics.stats;
  }

  /**
   * The statistics a process saved at this table version, or counted now and saved. Reading 5,000
   * papers and counting their words took ~330 ms at 75k papers, on the path of the first hover after
   * the engine opens; the saved file (~370 KB) is read in ~7 ms. Any write to the table changes its
   * version, so a file is not used for a library it was not counted on (a rebuild starts the versions
   * again: ClearIndex deletes the file, and the number of papers is part of the key as well).
   */
  private async savedOrCountedTerms(papers: number): Promise<TermStatistics> {
    const version = await this.store.version();
    const file = this.termStatisticsFile;
    if (file) {
      try {
        const saved = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; papers?: unknown; stats?: unknown };
        const stats = saved.version === version && saved.papers === papers ? TermStatistics.fromJSON(saved.stats) : undefined;
        if (stats) return stats;
      } catch {
        // none yet, or unreadable: count
      }
    }
    const sample = await this.store.pageOfPapers(0, TERM_STATISTICS_SAMPLE);
    const stats = new TermStatistics();
    for (const p of sample) stats.addDocument(documentText(p));
    if (file) {
      try {
        writeJsonAtomic(file, { version, papers, stats });
      } catch {
        // A read-only or full disk: the statistics still serve this process.
      }
    }
    return stats;
  }

  private async fusedNeighbours(vector: Float32Array, text: string, excludeId: string | undefined, k: number, diversity?: number): Promise<Scored[]> {
    const depth = Math.max(FUSION_DEPTH, k + 1, diversity !== undefined ? k * 4 : 0);
    const terms = topTerms(text, await this.libraryTerms(), RELATED_MORE_LIKE_THIS);
    const [v, f] = await Promise.all([this.store.vectorSearch(vector, depth), terms.length ? this.store.fullTextSearch(terms.join(' '), depth) : []]);
    const notSelf = (hits: readonly Scored[]): Scored[] => hits.filter((h) => h.id !== excludeId);
    // A more-like-this hit the vector search did not return is judged by its exact cosine, not a guess
    // (one look-up of its vectors): on the dev set's tune split this lifted the fusion above vectors alone.
    const lexical = notSelf(f);
    const semantic = await this.withCosines(notSelf(v), lexical, vector);
    // Lists asked for `depth` hits hold one fewer once the paper itself is dropped: still cut at the depth.
    return relatedRanking(lexical, semantic, depth - (excludeId === undefined ? 0 : 1));
  }

  async relatedToText(text: string, k: number, diversity?: number, token?: Cancellation): Promise<SearchHit[]> {
    stopIfCancelled(token);
    const [vector] = await this.encoder.encode([text], 'document');
    if (!vector) return [];
    stopIfCancelled(token);
    const ranked = await this.fusedNeighbours(vector, text, undefined, k, diversity);
    stopIfCancelled(token);
    return this.toHits(ranked, k, diversity);
  }
}
