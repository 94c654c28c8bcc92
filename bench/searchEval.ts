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
import { TermStatistics, topTerms } from '../src/core/moreLikeThis';
import { convexFusion, dot, FUSION_DEPTH, MORE_LIKE_THIS_TERMS, hybridRanking, queryWordCount, reciprocalRankFusion, relatedRanking, type LexicalWeightRule, type ScoreScale, type Scored } from '../src/core/ranking';
import { mean, ndcgAt, precisionAt, reciprocalRankAt } from '../src/core/retrievalMetrics';
import { documentText } from '../src/engine/indexer';
import { PaperStore, type StoredRow } from '../src/engine/paperStore';
import type { TextEncoder } from '../src/engine/textEncoder';
import { percentile } from './stats';
import type { DevPaper, DevQuery, DevSets, Split } from './devSets';

/** Query sets searched in the library index (title + abstract) or among abstracts alone. */
const SEARCH_SETS = { sentence: 'library', keyword: 'library', question: 'abstracts', title: 'abstracts' } as const;
type SearchSet = keyof typeof SEARCH_SETS;
/** Bounded more-like-this sizes compared with the whole text. */
const MLT_SIZES = [8, 16, 24, 32] as const;

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

function cacheKey(sets: DevSets, encoderFingerprint: string): string {
  const h = createHash('sha256');
  h.update(encoderFingerprint);
  for (const p of sets.papers) h.update(`${p.id}\u0000${p.title}\u0000${p.abstract}\u0001`);
  for (const name of Object.keys(SEARCH_SETS) as SearchSet[]) for (const q of sets[name]) h.update(`${q.id}\u0000${q.text}\u0001`);
  h.update(sets.related.join(','));
  h.update(`mlt:${MLT_SIZES.join(',')};depth:${FUSION_DEPTH}`);
  return h.digest('hex').slice(0, 16);
}

/** Runs every query once per side and saves the lists (or reads them back). */
export async function candidateLists(sets: DevSets, openEncoder: () => Promise<TextEncoder>, cacheDir: string, log: (l: string) => void): Promise<CachedLists> {
  const encoder = await openEncoder();
  const dir = path.join(cacheDir, cacheKey(sets, encoder.fingerprint));
  const file = path.join(dir, 'lists.json');
  if (existsSync(file)) {
    await encoder.release();
    log(`candidate lists from ${file}`);
    return JSON.parse(readFileSync(file, 'utf8')) as CachedLists;
  }
  mkdirSync(dir, { recursive: true });
  const { papers } = sets;
  const libraryTexts = papers.map((p) => documentText(p));
  const abstractTexts = papers.map((p) => p.abstract);
  const started = performance.now();
  const libraryVectors = await encoder.encode(libraryTexts, 'document');
  const abstractVectors = await encoder.encode(abstractTexts, 'document');
  log(`embedded ${papers.length} papers twice in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const stores = {
    library: await buildIndex(path.join(dir, 'library'), papers, libraryTexts, libraryVectors, encoder.dims),
    abstracts: await buildIndex(path.join(dir, 'abstracts'), papers, abstractTexts, abstractVectors, encoder.dims),
  };
  const vectorsOf = { library: new Map(papers.map((p, i) => [p.id, libraryVectors[i]!])), abstracts: new Map(papers.map((p, i) => [p.id, abstractVectors[i]!])) };

  const search = {} as Record<SearchSet, QueryLists[]>;
  for (const name of Object.keys(SEARCH_SETS) as SearchSet[]) {
    const where = SEARCH_SETS[name];
    const queries = sets[name];
    const queryVectors = await encoder.encode(
      queries.map((q) => q.text),
      'query',
    );
    search[name] = [];
    for (let i = 0; i < queries.length; i++) {
      const lexical = await stores[where].fullTextSearch(queries[i]!.text, FUSION_DEPTH);
      const semantic = await stores[where].vectorSearch(queryVectors[i]!, FUSION_DEPTH);
      const cosine: Record<string, number> = {};
      for (const h of [...lexical, ...semantic]) cosine[h.id] = dot(queryVectors[i]!, vectorsOf[where].get(h.id)!);
      search[name].push({ lexical, semantic, cosine });
    }
    log(`${name}: ${queries.length} queries searched`);
  }

  const stats = new TermStatistics();
  for (const t of libraryTexts) stats.addDocument(t);
  const textOf = new Map(papers.map((p, i) => [p.id, libraryTexts[i]!]));
  const related: RelatedLists[] = [];
  for (const id of sets.related) {
    const notSelf = (hits: Scored[]): Scored[] => hits.filter((h) => h.id !== id);
    const text = textOf.get(id)!;
    const semantic = notSelf(await stores.library.vectorSearch(vectorsOf.library.get(id)!, FUSION_DEPTH + 1));
    const lexical: Record<string, Scored[]> = {};
    const ms: Record<string, number> = {};
    const queries: Record<string, string> = { full: text };
    for (const n of MLT_SIZES) queries[`top${n}`] = topTerms(text, stats, n).join(' ');
    for (const [name, q] of Object.entries(queries)) {
      const t = performance.now();
      lexical[name] = notSelf(await stores.library.fullTextSearch(q, FUSION_DEPTH + 1));
      ms[name] = performance.now() - t;
    }
    related.push({ id, semantic, lexical, ms });
  }
  log(`related: ${sets.related.length} papers`);
  stores.library.close();
  stores.abstracts.close();
  await encoder.release();
  const lists: CachedLists = { search, related };
  writeFileSync(file, JSON.stringify(lists));
  return lists;
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
  rankers['shipped hybrid'] = (q, l) => hybridRanking(q, l.lexical, l.semantic);

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
  relatedRankers['shipped related'] = (l) => relatedRanking(l.lexical[`top${MORE_LIKE_THIS_TERMS}`] ?? [], l.semantic);
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
