/**
 * Search and related-work quality on the dev sets (bench/devSets.ts), for full text alone, vectors
 * alone, the old equal-weight RRF, and every fusion variant tried.
 *
 * The expensive part — embedding ~12k held-out papers twice, building two LanceDB indexes, and running
 * each query once per side — is done once and kept under `cacheDir` (outside the repository): the
 * candidate lists of every query (top 50 of each side, with scores, plus the exact cosine of every
 * candidate) are saved, and every fusion variant is then a pure re-ranking of those lists. A later run
 * with the same data, seed and encoder goes straight to the table.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TermStatistics, topTerms, type MoreLikeThisLimits } from '../src/core/moreLikeThis';
import { convexFusion, dot, FUSION_DEPTH, RELATED_MORE_LIKE_THIS, TERM_STATISTICS_SAMPLE, hybridRanking, queryWordCount, reciprocalRankFusion, relatedRanking, type LexicalWeightRule, type ScoreScale, type Scored } from '../src/core/ranking';
import { mean, ndcgAt, precisionAt, reciprocalRankAt } from '../src/core/retrievalMetrics';
import { documentText } from '../src/engine/index/indexer';
import { PaperStore, type StoredRow } from '../src/engine/store/paperStore';
import type { TextEncoder } from '../src/engine/encoder/textEncoder';
import { percentile } from './stats';
import type { DevPaper, DevQuery, DevSets, Split } from './devSets';

/** Query sets searched in the library index (title + abstract) or among abstracts alone. */
const SEARCH_SETS = { sentence: 'library', keyword: 'library', question: 'abstracts', title: 'abstracts' } as const;
type SearchSet = keyof typeof SEARCH_SETS;
/**
 * Bounded more-like-this queries compared with the whole text: word limits, and the papers the word
 * statistics are counted on (all, or the first `sample` of the library, as the engine counts them).
 */
const MLT_VARIANTS: Record<string, { limits: MoreLikeThisLimits; sample?: number }> = {
  top24: { limits: { maxTerms: 24 } },
  top48: { limits: { maxTerms: 48 } },
  top64: { limits: { maxTerms: 64 } },
  'df<=5%': { limits: { maxTerms: 1000, maxDocumentShare: 0.05 } },
  'df<=5%, top48': { limits: { maxTerms: 48, maxDocumentShare: 0.05 } },
  shipped: { limits: RELATED_MORE_LIKE_THIS, sample: TERM_STATISTICS_SAMPLE },
  '≤5% of a 5k sample, top64 (shipped before)': { limits: { ...RELATED_MORE_LIKE_THIS, maxTerms: 64 }, sample: TERM_STATISTICS_SAMPLE },
  '≤5% of a 5k sample, top24': { limits: { ...RELATED_MORE_LIKE_THIS, maxTerms: 24 }, sample: TERM_STATISTICS_SAMPLE },
  '≤5% of a 5k sample, top16': { limits: { ...RELATED_MORE_LIKE_THIS, maxTerms: 16 }, sample: TERM_STATISTICS_SAMPLE },
};

interface QueryLists {
  lexical: Scored[];
  semantic: Scored[];
  /** Exact cosine of every paper in either list (for the "filled" variants). */
  cosine: Record<string, number>;
}

interface RelatedLists {
  id: string;
  semantic: Scored[];
  /** 'full' = the paper's whole text as the query; 'topN' = its N best tf·idf words. */
  lexical: Record<string, Scored[]>;
  ms: Record<string, number>;
  /** Exact cosine to the paper of every candidate of any list (for the "exact cosine" variants). */
  cosine: Record<string, number>;
}

interface CachedLists {
  search: Record<SearchSet, QueryLists[]>;
  related: RelatedLists[];
}

function row(p: DevPaper, text: string, vector: Float32Array): StoredRow {
  return {
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    authors: '[]',
    year: null,
    venue: '',
    doi: '',
    url: '',
    arxivId: '',
    keywords: '[]',
    sources: '[]',
    contentHash: p.id,
    metaHash: '',
    normTitle: '',
    text,
    vector: Array.from(vector),
  };
}

async function buildIndex(dir: string, papers: DevPaper[], texts: string[], vectors: Float32Array[], dims: number): Promise<PaperStore> {
  rmSync(dir, { recursive: true, force: true });
  const store = await PaperStore.open(dir, 'eval', dims);
  for (let i = 0; i < papers.length; i += 5000) {
    await store.add(papers.slice(i, i + 5000).map((p, j) => row(p, texts[i + j]!, vectors[i + j]!)));
  }
  await store.maintain();
  return store;
}

function hashOf(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${part}\u0001`);
  return h.digest('hex').slice(0, 16);
}

function* corpusParts(sets: DevSets, encoderFingerprint: string): Iterable<string> {
  yield encoderFingerprint;
  for (const p of sets.papers) yield `${p.id}\u0000${p.title}\u0000${p.abstract}`;
}

/** A JSON file under the cache, computed once. */
async function cached<T>(file: string, compute: () => Promise<T>): Promise<T> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = await compute();
  writeFileSync(file, JSON.stringify(value));
  return value;
}

/**
 * Runs every query once per side and saves the lists (or reads them back). The two indexes are keyed
 * by the corpus and the encoder, each set's lists by its queries, so changing one set re-runs only it.
 */
export async function candidateLists(sets: DevSets, openEncoder: () => Promise<TextEncoder>, cacheDir: string, log: (l: string) => void): Promise<CachedLists> {
  const encoder = await openEncoder();
  try {
    const dir = path.join(cacheDir, hashOf(corpusParts(sets, encoder.fingerprint)));
    mkdirSync(dir, { recursive: true });
    const { papers } = sets;
    const libraryTexts = papers.map((p) => documentText(p));
    const abstractTexts = papers.map((p) => p.abstract);
    const ready = path.join(dir, 'indexes.json');
    let stores: Record<'library' | 'abstracts', PaperStore>;
    const vectorsOf = { library: new Map<string, Float32Array>(), abstracts: new Map<string, Float32Array>() };
    if (existsSync(ready)) {
      stores = { library: await PaperStore.open(path.join(dir, 'library'), 'eval', encoder.dims), abstracts: await PaperStore.open(path.join(dir, 'abstracts'), 'eval', encoder.dims) };
      for (const where of ['library', 'abstracts'] as const) {
        const { ids, vectors } = await stores[where].allVectors();
        ids.forEach((id, i) => vectorsOf[where].set(id, vectors[i]!));
      }
      log(`indexes of ${papers.length} papers from ${dir}`);
    } else {
      const started = performance.now();
      const libraryVectors = await encoder.encode(libraryTexts, 'document');
      const abstractVectors = await encoder.encode(abstractTexts, 'document');
      log(`embedded ${papers.length} papers twice in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      stores = {
        library: await buildIndex(path.join(dir, 'library'), papers, libraryTexts, libraryVectors, encoder.dims),
        abstracts: await buildIndex(path.join(dir, 'abstracts'), papers, abstractTexts, abstractVectors, encoder.dims),
      };
      papers.forEach((p, i) => {
        vectorsOf.library.set(p.id, libraryVectors[i]!);
        vectorsOf.abstracts.set(p.id, abstractVectors[i]!);
      });
      writeFileSync(ready, JSON.stringify({ papers: papers.length }));
    }

    const search = {} as Record<SearchSet, QueryLists[]>;
    for (const name of Object.keys(SEARCH_SETS) as SearchSet[]) {
      const where = SEARCH_SETS[name];
      const queries = sets[name];
      const file = path.join(dir, `${name}-${hashOf([`depth:${FUSION_DEPTH}`, ...queries.map((q) => `${q.id}\u0000${q.text}`)])}.json`);
      search[name] = await cached(file, async () => {
        const queryVectors = await encoder.encode(
          queries.map((q) => q.text),
          'query',
        );
        const out: QueryLists[] = [];
        for (let i = 0; i < queries.length; i++) {
          const lexical = await stores[where].fullTextSearch(queries[i]!.text, FUSION_DEPTH);
          const semantic = await stores[where].vectorSearch(queryVectors[i]!, FUSION_DEPTH);
          const cosine: Record<string, number> = {};
          for (const h of [...lexical, ...semantic]) cosine[h.id] = dot(queryVectors[i]!, vectorsOf[where].get(h.id)!);
          out.push({ lexical, semantic, cosine });
        }
        log(`${name}: ${queries.length} queries searched`);
        return out;
      });
    }

    // One file per lexical variant, so a new variant runs only its own queries.
    const relatedKey = hashOf([`depth:${FUSION_DEPTH}`, ...sets.related]);
    const textOf = new Map(papers.map((p, i) => [p.id, libraryTexts[i]!]));
    const semanticLists = await cached(path.join(dir, `related-vector-${relatedKey}.json`), async () => {
      const out: Scored[][] = [];
      for (const id of sets.related) out.push((await stores.library.vectorSearch(vectorsOf.library.get(id)!, FUSION_DEPTH + 1)).filter((h) => h.id !== id));
      return out;
    });
    const lexicalLists: Record<string, { hits: Scored[]; ms: number }[]> = {};
    for (const [name, variant] of [['full', undefined], ...Object.entries(MLT_VARIANTS)] as [string, { limits: MoreLikeThisLimits; sample?: number } | undefined][]) {
      const spec = variant ? JSON.stringify(variant.sample === undefined ? variant.limits : variant) : '{}';
      lexicalLists[name] = await cached(path.join(dir, `related-${name.replace(/[^a-z0-9]+/gi, '_')}-${hashOf([relatedKey, spec])}.json`), async () => {
        const stats = new TermStatistics();
        for (const t of libraryTexts.slice(0, variant?.sample ?? libraryTexts.length)) stats.addDocument(t);
        const out: { hits: Scored[]; ms: number }[] = [];
        for (const id of sets.related) {
          const text = textOf.get(id)!;
          const query = variant ? topTerms(text, stats, variant.limits).join(' ') : text;
          const t = performance.now();
          const hits = (await stores.library.fullTextSearch(query, FUSION_DEPTH + 1)).filter((h) => h.id !== id);
          out.push({ hits, ms: performance.now() - t });
        }
        log(`related, ${name}: ${sets.related.length} papers`);
        return out;
      });
    }
    const related: RelatedLists[] = sets.related.map((id, i) => ({
      id,
      semantic: semanticLists[i]!,
      lexical: Object.fromEntries(Object.entries(lexicalLists).map(([name, l]) => [name, l[i]!.hits])),
      ms: Object.fromEntries(Object.entries(lexicalLists).map(([name, l]) => [name, l[i]!.ms])),
      cosine: Object.fromEntries(
        [...semanticLists[i]!, ...Object.values(lexicalLists).flatMap((l) => l[i]!.hits)].map((h) => [h.id, dot(vectorsOf.library.get(id)!, vectorsOf.library.get(h.id)!)]),
      ),
    }));
    stores.library.close();
    stores.abstracts.close();
    return { search, related };
  } finally {
    await encoder.release();
  }
}

// ---------------------------------------------------------------- variants

type SearchRanker = (query: string, l: QueryLists) => Scored[];
type RelatedRanker = (l: RelatedLists) => Scored[];

interface ConvexVariant {
  lexicalScale: ScoreScale;
  semanticScale: ScoreScale;
  /** Papers only the lexical list found get their exact cosine instead of the semantic list's floor. */
  fill: boolean;
}

function convexRank(l: QueryLists, v: ConvexVariant, w: number): Scored[] {
  const semantic = v.fill ? Object.entries(l.cosine).map(([id, score]) => ({ id, score })) : l.semantic;
  return convexFusion(
    { hits: l.lexical, scale: v.lexicalScale, truncated: l.lexical.length >= FUSION_DEPTH },
    { hits: semantic.sort((a, b) => b.score - a.score), scale: v.semanticScale, truncated: !v.fill },
    w,
  );
}

const GRID = Array.from({ length: 21 }, (_, i) => i / 20);
/** Query-shape buckets: 1–2 words, 3–5, 6 or more. */
const BUCKETS = [2, 5, Infinity];

function bucketOf(query: string): number {
  const n = queryWordCount(query);
  return BUCKETS.findIndex((b) => n <= b);
}

/** A related paper's vector neighbours plus the exact cosine of the lexical list's papers they lack. */
function withExactCosine(l: RelatedLists, lex: string): Scored[] {
  const seen = new Set(l.semantic.map((h) => h.id));
  const extra = l.lexical[lex]!.filter((h) => !seen.has(h.id)).map((h) => ({ id: h.id, score: l.cosine[h.id] ?? 0 }));
  return [...l.semantic, ...extra].sort((a, b) => b.score - a.score);
}

interface SetScore {
  ndcg: number;
  mrr: number;
  p10: number;
}

function scoreQuery(q: DevQuery, ranked: readonly Scored[]): SetScore {
  const ids = ranked.map((h) => h.id);
  const only = Object.keys(q.relevant);
  return {
    ndcg: ndcgAt(ids, q.relevant, 10),
    mrr: only.length === 1 ? reciprocalRankAt(ids, only[0]!, 10) : NaN,
    p10: precisionAt(ids, (id) => (q.relevant[id] ?? 0) > 0, 10),
  };
}

function meanScore(scores: SetScore[]): SetScore {
  return { ndcg: mean(scores.map((s) => s.ndcg)), mrr: mean(scores.map((s) => s.mrr)), p10: mean(scores.map((s) => s.p10)) };
}

export interface EvalTable {
  /** set -> split -> method -> score */
  search: Record<string, Record<Split, Record<string, SetScore>>>;
  related: Record<Split, Record<string, number>>;
  chosen: { search: Record<string, LexicalWeightRule[]>; related: Record<string, number> };
  relatedMs: Record<string, { p50: number; p95: number }>;
}

export function evaluateVariants(sets: DevSets, lists: CachedLists): EvalTable {
  const names = Object.keys(SEARCH_SETS) as SearchSet[];
  const all = names.flatMap((name) => sets[name].map((q, i) => ({ name, q, l: lists.search[name][i]! })));

  // Each family: a ranker given one lexical weight; the weight per query-shape bucket is chosen on 'tune'
  // by the mean over sets of nDCG@10 (sets weigh the same whatever their size).
  const families: Record<string, (query: string, l: QueryLists, w: number) => Scored[]> = {
    'weighted RRF': (_q, l, w) => reciprocalRankFusion([l.lexical, l.semantic], 60, [w, 1 - w]),
  };
  for (const lexicalScale of ['best', 'minmax'] as const)
    for (const semanticScale of ['unit', 'minmax'] as const)
      for (const fill of [false, true]) {
        families[`convex ${lexicalScale}/${semanticScale === 'unit' ? 'cosine' : 'minmax'}${fill ? ' +exact cosine' : ''}`] = (_q, l, w) => convexRank(l, { lexicalScale, semanticScale, fill }, w);
      }

  const chosenSearch: Record<string, LexicalWeightRule[]> = {};
  const rankers: Record<string, SearchRanker> = {
    'fts': (_q, l) => l.lexical,
    'vector': (_q, l) => l.semantic,
    'hybrid RRF (before)': (_q, l) => reciprocalRankFusion([l.semantic, l.lexical], 60),
  };
  for (const [family, rank] of Object.entries(families)) {
    const rules: LexicalWeightRule[] = [];
    BUCKETS.forEach((maxWords, b) => {
      const tune = all.filter((x) => x.q.split === 'tune' && bucketOf(x.q.text) === b);
      let best = { w: 0.5, score: -1 };
      for (const w of GRID) {
        const perSet = names
          .map((name) => tune.filter((x) => x.name === name))
          .filter((xs) => xs.length > 0)
          .map((xs) => mean(xs.map((x) => scoreQuery(x.q, rank(x.q.text, x.l, w)).ndcg)));
        const score = mean(perSet);
        if (score > best.score + 1e-9) best = { w, score };
      }
      rules.push({ maxWords, lexicalWeight: best.w });
    });
    chosenSearch[family] = rules;
    rankers[`${family} (tuned)`] = (q, l) => {
      const b = bucketOf(q);
      return rank(q, l, rules[b]!.lexicalWeight);
    };
  }
  rankers['shipped hybrid'] = (q, l) =>
    hybridRanking(
      q,
      l.lexical,
      Object.entries(l.cosine)
        .map(([id, score]) => ({ id, score }))
        .sort((a, b) => b.score - a.score),
    );

  const search: EvalTable['search'] = {};
  for (const name of names) {
    search[name] = { tune: {}, test: {} };
    for (const split of ['tune', 'test'] as const) {
      const xs = all.filter((x) => x.name === name && x.q.split === split);
      for (const [method, rank] of Object.entries(rankers)) search[name][split][method] = meanScore(xs.map((x) => scoreQuery(x.q, rank(x.q.text, x.l))));
    }
  }

  // Related work: category P@10; the lexical side is the whole text or its top-N words.
  const category = new Map(sets.papers.map((p) => [p.id, p.category]));
  const p10 = (id: string, ranked: readonly Scored[]): number => {
    const own = category.get(id);
    return precisionAt(
      ranked.map((h) => h.id),
      (x) => category.get(x) === own,
      10,
    );
  };
  const splitOfRelated = (r: RelatedLists): Split => sets.related.indexOf(r.id) % 2 === 0 ? 'tune' : 'test';
  const relatedRankers: Record<string, RelatedRanker> = {
    'vector': (l) => l.semantic,
  };
  const relatedFamilies: Record<string, (l: RelatedLists, lex: string, w: number) => Scored[]> = {
    'weighted RRF': (l, lex, w) => reciprocalRankFusion([l.lexical[lex]!, l.semantic], 60, [w, 1 - w]),
    'convex best/cosine': (l, lex, w) =>
      convexFusion({ hits: l.lexical[lex]!, scale: 'best', truncated: l.lexical[lex]!.length >= FUSION_DEPTH }, { hits: l.semantic, scale: 'unit', truncated: true }, w),
    'convex minmax/minmax': (l, lex, w) =>
      convexFusion({ hits: l.lexical[lex]!, scale: 'minmax', truncated: l.lexical[lex]!.length >= FUSION_DEPTH }, { hits: l.semantic, scale: 'minmax', truncated: true }, w),
    'convex best/cosine +exact cosine': (l, lex, w) =>
      convexFusion({ hits: l.lexical[lex]!, scale: 'best', truncated: l.lexical[lex]!.length >= FUSION_DEPTH }, { hits: withExactCosine(l, lex), scale: 'unit', truncated: true }, w),
    'convex minmax/minmax +exact cosine': (l, lex, w) =>
      convexFusion({ hits: l.lexical[lex]!, scale: 'minmax', truncated: l.lexical[lex]!.length >= FUSION_DEPTH }, { hits: withExactCosine(l, lex), scale: 'minmax', truncated: true }, w),
  };
  const chosenRelated: Record<string, number> = {};
  const lexNames = Object.keys(lists.related[0]?.lexical ?? {});
  for (const lex of lexNames) {
    relatedRankers[`fts more-like-this (${lex})`] = (l) => l.lexical[lex]!;
    relatedRankers[`hybrid RRF (before), ${lex}`] = (l) => reciprocalRankFusion([l.semantic, l.lexical[lex]!], 60);
    for (const [family, rank] of Object.entries(relatedFamilies)) {
      const tune = lists.related.filter((r) => splitOfRelated(r) === 'tune');
      let best = { w: 0.5, score: -1 };
      for (const w of GRID) {
        const score = mean(tune.map((r) => p10(r.id, rank(r, lex, w))));
        if (score > best.score + 1e-9) best = { w, score };
      }
      chosenRelated[`${family}, ${lex}`] = best.w;
      relatedRankers[`${family}, ${lex} (tuned)`] = (l) => rank(l, lex, best.w);
    }
  }
  // The engine's related(): the shipped more-like-this, the vector neighbours plus the exact cosine of its hits they lack.
  relatedRankers['shipped related'] = (l) => relatedRanking(l.lexical.shipped ?? [], l.lexical.shipped ? withExactCosine(l, 'shipped') : l.semantic);
  const related: EvalTable['related'] = { tune: {}, test: {} };
  for (const split of ['tune', 'test'] as const) {
    const rs = lists.related.filter((r) => splitOfRelated(r) === split);
    for (const [method, rank] of Object.entries(relatedRankers)) related[split][method] = mean(rs.map((r) => p10(r.id, rank(r))));
  }
  const relatedMs: EvalTable['relatedMs'] = {};
  for (const lex of lexNames) {
    const ms = lists.related.map((r) => r.ms[lex]!);
    relatedMs[lex] = { p50: percentile(ms, 50), p95: percentile(ms, 95) };
  }
  return { search, related, chosen: { search: chosenSearch, related: chosenRelated }, relatedMs };
}

export function printEvalTable(t: EvalTable, sizes: Record<string, number>): void {
  const cell = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));
  const sets = Object.keys(t.search);
  const methods = Object.keys(t.search[sets[0]!]!.tune);
  for (const split of ['tune', 'test'] as const) {
    console.log(`\nSearch, ${split} split — nDCG@10 (sentence/question/title: MRR@10 in brackets; keyword: P@10 in brackets)`);
    console.log(`| method | ${sets.map((s) => `${s} (${sizes[s]})`).join(' | ')} |`);
    console.log(`|---|${sets.map(() => '---').join('|')}|`);
    for (const m of methods) {
      const cells = sets.map((s) => {
        const r = t.search[s]![split][m]!;
        return `${cell(r.ndcg)} (${cell(s === 'keyword' ? r.p10 : r.mrr)})`;
      });
      console.log(`| ${m} | ${cells.join(' | ')} |`);
    }
  }
  console.log('\nLexical weight chosen on the tune split, by query words (≤2 / 3–5 / ≥6):');
  for (const [family, rules] of Object.entries(t.chosen.search)) console.log(`- ${family}: ${rules.map((r) => r.lexicalWeight.toFixed(2)).join(' / ')}`);
  console.log(`\nRelated work — neighbours share the primary category, P@10 (${sizes.related} arXiv papers)`);
  console.log('| method | tune | test | lexical weight |');
  console.log('|---|---|---|---|');
  for (const m of Object.keys(t.related.tune)) {
    const key = m.replace(/ \(tuned\)$/, '');
    const w = t.chosen.related[key];
    console.log(`| ${m} | ${cell(t.related.tune[m]!)} | ${cell(t.related.test[m]!)} | ${w === undefined ? '' : w.toFixed(2)} |`);
  }
  console.log('\nMore-like-this full-text query time in this eval (12k papers), ms:');
  for (const [lex, ms] of Object.entries(t.relatedMs)) console.log(`- ${lex}: p50 ${ms.p50.toFixed(1)}, p95 ${ms.p95.toFixed(1)}`);
}
