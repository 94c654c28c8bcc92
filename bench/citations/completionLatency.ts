/**
 * Citation completion at 10k papers, timed as the completion provider does its work
 * (src/host/citations/citationCompletionProvider.ts), from the trigger to the first items:
 *
 * - by meaning (`\cite{` with nothing typed): the paragraph is cut out of the document
 *   (paragraphAround), sent to the engine's relatedToText on its worker thread (encoder + vector
 *   search + full-text more-like-this, fused) for 30 papers, their records fetched and the shared
 *   keyphrases computed (suggestCitations), then the items looked up in the host's catalogue;
 * - by prefix (a key, author or title prefix typed): PrefixIndex.rank over the catalogue in this thread
 *   (the index, folded once per library change, is timed on its own).
 *
 * The paragraphs are the first two sentences of held-out arXiv abstracts (papers not in the index),
 * written around a `\cite{` so the sentence-being-written path is the one timed. The index is the
 * first 10k arXiv listings, built once and kept in $PAPER_ATLAS_BENCH_CACHE (citations-10k/).
 * VS Code's own work (sending the items to the renderer) is not in these numbers.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { paragraphAround, PrefixIndex } from '../../src/core/citations/citationRanking';
import { suggestCitations } from '../../src/core/citations/citationSuggestions';
import { EngineClient } from '../../src/engine/client/engineClient';
import type { Paper } from '../../src/shared/paper';
import { heldOutArxiv, readArxivListings } from '../heldOutData';
import { benchEngineOptions, cachedArxivIndex } from '../indexing/cachedArxivIndex';
import { percentile } from '../stats';

/** The provider's list size (COMPLETION_ITEMS). */
const ITEMS = 30;

export interface CompletionLatencyResult {
  papers: number;
  indexBuiltSeconds?: number;
  meaningQueries: number;
  meaningFirstMs: number;
  meaningP50Ms: number;
  meaningP95Ms: number;
  meaningMaxMs: number;
  /** Folding the library for prefix ranking, once per library change (not per keystroke). */
  prefixIndexMs: number;
  prefixQueries: number;
  prefixP50Ms: number;
  prefixP95Ms: number;
  prefixMaxMs: number;
  loadBefore: number[];
  loadAfter: number[];
}

function twoSentences(abstract: string): string {
  const sentences = abstract.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z])/);
  return sentences.slice(0, 2).join(' ');
}

export async function benchCompletionLatency(options: {
  slice: (dir: string, count: number) => Promise<string | undefined>;
  count: number;
  queries: number;
  log: (line: string) => void;
}): Promise<CompletionLatencyResult | { skipped: string }> {
  const listings = readArxivListings();
  if (!listings) return { skipped: 'no ../shared/data' };
  const library = await cachedArxivIndex({ slice: options.slice, count: options.count, section: 'citations', log: options.log });
  if (!library) return { skipped: 'no ../shared/data' };
  const indexBuiltSeconds = library.builtSeconds;
  const engine = EngineClient.start();
  try {
    await engine.open(benchEngineOptions(library.db));
    // The host's catalogue: every paper's record, read once (as PaperCatalog.refresh does).
    const catalog = new Map<string, Paper>();
    for (let offset = 0; ; offset += 2000) {
      const page = await engine.listPapers(offset, 2000);
      for (const p of page.papers) catalog.set(p.id, p);
      if (page.papers.length < 2000) break;
    }
    options.log(`citations: ${catalog.size} papers in the index`);
    const held = heldOutArxiv(listings).filter((p) => p.abstract.length > 200);
    const step = Math.max(1, Math.floor(held.length / options.queries));
    const documents = held.filter((_p, i) => i % step === 0).slice(0, options.queries).map((p) => ['\\section{Related work}', '', `${twoSentences(p.abstract)} \\cite{`, '', 'Next paragraph.']);
    const loadBefore = os.loadavg();
    const meaning: number[] = [];
    for (const lines of documents) {
      const t0 = performance.now();
      const text = paragraphAround(lines, 2);
      const suggestions = await suggestCitations(engine, text, ITEMS);
      const items = suggestions.filter((s) => catalog.has(s.id));
      meaning.push(performance.now() - t0);
      if (items.length === 0) throw new Error(`no completion items for "${text.slice(0, 80)}"`);
    }
    // Prefixes people type: the first 1–3 letters of an author's family name or of a title word.
    const papers = [...catalog.values()];
    const prefixes: string[] = [];
    for (let i = 0; prefixes.length < options.queries; i += Math.max(1, Math.floor(papers.length / options.queries))) {
      const p = papers[i % papers.length]!;
      const word = (i % 2 === 0 ? (p.authors[0] ?? 'a').split(/\s+/).pop() : p.title.split(/\s+/)[1]) ?? 'a';
      prefixes.push(word.slice(0, 1 + (i % 3)));
    }
    const tIndex = performance.now();
    const index = new PrefixIndex(catalog.values());
    const prefixIndexMs = performance.now() - tIndex;
    const prefix: number[] = [];
    for (const pre of prefixes) {
      const t0 = performance.now();
      index.rank(pre, ITEMS);
      prefix.push(performance.now() - t0);
    }
    const loadAfter = os.loadavg();
    return {
      papers: catalog.size,
      ...(indexBuiltSeconds !== undefined ? { indexBuiltSeconds } : {}),
      meaningQueries: meaning.length,
      meaningFirstMs: meaning[0] ?? Number.NaN,
      meaningP50Ms: percentile(meaning, 50),
      meaningP95Ms: percentile(meaning, 95),
      meaningMaxMs: Math.max(...meaning),
      prefixIndexMs,
      prefixQueries: prefix.length,
      prefixP50Ms: percentile(prefix, 50),
      prefixP95Ms: percentile(prefix, 95),
      prefixMaxMs: Math.max(...prefix),
      loadBefore,
      loadAfter,
    };
  } finally {
    await engine.stop();
  }
}
