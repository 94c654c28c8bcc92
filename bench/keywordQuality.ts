/**
 * Keyphrase quality and speed (not a test; prints tables). Run:
 *   node scripts/build.mjs && node dist-test/bench/keywordQuality.js [--model ID|DIR] [--encoder ID] [--limit N] [--threads N] [--tune [--write]] [--fresh]
 * or `npm run tune:keywords` (= --tune --write): re-chooses the weights in
 * src/core/keywords/keyphraseWeights.json for the MLM and encoder given (run it again after swapping
 * in a retrained MLM, then rebuild).
 *
 * Two dev sets, each split in a tune half (even index) and a test half (odd index):
 * - SemEval 2017 task 10 (493 science paragraphs, gold keyphrases); IDF over the arXiv abstracts;
 * - "library": papers of ../shared/data/bib and ../shared/data/ris that carry their own keywords and
 *   an abstract, gold = the keywords that occur in the title or abstract (present keyphrases, as in
 *   the keyphrase-generation literature: indexing terms such as "Humans" or "Male" cannot be
 *   extracted by any extractor); IDF over all abstracts of those files — the library itself, as in
 *   the product.
 * F1@10 (and @5) with stemmed exact match, macro-averaged (src/core/keywords/keyphraseMetrics.ts).
 * Rows: TF-IDF over the old stop-word n-grams (the earlier baseline) and over the noun phrases, MLM
 * surprise alone (every candidate masked), each signal added to it alone, the shipped combination
 * (the MLM masks only its pool, as in the engine) and the shipped weights without each part. Weights
 * are chosen by coordinate ascent on the mean of the two tune halves' F1@10 and reported on the test
 * halves; the diversity settings are searched among diverse ones only (see `tune`).
 * Speed: tagger and `analyse` (tag, tokenise, plan, one batched ONNX run) per text, with load average.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { candidatePhrases, phraseKey } from '../src/core/keywords/candidatePhrases';
import { DocumentFrequencyTable } from '../src/core/keywords/documentFrequency';
import { f1AtKOfKeys, meanOf } from '../src/core/keywords/keyphraseMetrics';
import {
  KEYPHRASE_WEIGHTS,
  KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY,
  keyphraseScore,
  mlmCandidates,
  phraseFeatures,
  selectKeyphrases,
  similarityPool,
  type KeyphraseWeights,
  type PhraseFeatures,
} from '../src/core/keywords/keyphraseScoring';
import { occurrenceScores, rankByTfIdf } from '../src/core/keywords/keywordRanking';
import { nounPhraseCandidates } from '../src/core/keywords/nounPhrases';
import { splitWords } from '../src/core/keywords/wordSpans';
import { readLibraryFile } from '../src/core/ingest/libraryReader';
import { DEFAULT_MASKED_SPAN_TERMS, KeywordScorer, type KeywordAnalysis } from '../src/engine/keywords/keywordScorer';
import { openWinkTagger } from '../src/engine/keywords/partOfSpeechTagger';
import { TextEncoder } from '../src/engine/encoder/textEncoder';
import { readJsonLinesGz, sharedDataDir } from './heldOutData';
import { printTable } from './printTable';
import { percentile } from './stats';

interface Doc {
  id: string;
  text: string;
  keyphrases: string[];
}

interface DevSet {
  name: string;
  docs: Doc[];
  df: DocumentFrequencyTable;
  tune: number[];
  test: number[];
  all: number[];
  /** Per doc, filled below. */
  analyses: KeywordAnalysis[];
  ngramCandidates: ReturnType<typeof candidatePhrases>['candidates'][];
  similarity: Map<string, number>[];
  gold: Set<string>[];
  /** Per doc: other papers' keyword counts, leaving the doc's own keywords out (library set only). */
  listed?: ((key: string) => number)[];
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const dataDir = sharedDataDir();
const weightsFile = path.resolve(__dirname, '..', '..', 'src', 'core', 'keywords', 'keyphraseWeights.json');
const tmp = (name: string): string => path.join(os.tmpdir(), `paper-atlas-keyphrase-${name}.json`);
const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

function semeval(limit: number): Doc[] | undefined {
  const file = path.join(dataDir, 'keyphrases', 'semeval2017.jsonl');
  if (!existsSync(file)) return undefined;
  const docs = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Doc);
  return limit > 0 ? docs.slice(0, limit) : docs;
}

const LIBRARY_FILES = [
  'bib/jabref-groups.bib',
  'bib/mendeley-export.bib',
  'bib/papers3-export.bib',
  'bib/quirky-entries.bib',
  'ris/schoot-lgmm-ptsd-included-1.ris',
  'ris/schoot-lgmm-ptsd-included-2.ris',
  'ris/schoot-lgmm-ptsd-included-3.ris',
];

/** Papers with their own keywords (present ones kept), and every abstract of the files for IDF. */
async function libraryKeywords(limit: number): Promise<{ docs: Doc[]; corpus: string[]; listed: ((key: string) => number)[] } | undefined> {
  if (!existsSync(path.join(dataDir, 'bib'))) return undefined;
  const docs: (Doc & { own: Set<string> })[] = [];
  /** Papers listing each keyword key, over every paper of the files (with an abstract or not). */
  const keywordPapers = new Map<string, number>();
  const corpus: string[] = [];
  const seen = new Set<string>();
  for (const f of LIBRARY_FILES) {
    const file = path.join(dataDir, f);
    if (!existsSync(file)) continue;
    for (const p of (await readLibraryFile(file)).papers) {
      // One paper listed in two files is one paper: its keywords must not count as another's.
      const titleKey = phraseKey(p.title);
      if (titleKey && seen.has(titleKey)) continue;
      seen.add(titleKey);
      const own = new Set(p.keywords.map(phraseKey).filter((k) => k.length > 0));
      for (const k of own) keywordPapers.set(k, (keywordPapers.get(k) ?? 0) + 1);
      if (p.abstract.trim().length < 200) continue;
      const text = `${p.title}. ${p.abstract}`;
      corpus.push(text);
      const textKey = ` ${phraseKey(text)} `;
      const present = p.keywords.filter((k) => {
        const key = phraseKey(k);
        return key.length > 0 && textKey.includes(` ${key} `);
      });
      if (present.length >= 1) docs.push({ id: p.id, text, keyphrases: present, own });
    }
  }
  const kept = limit > 0 ? docs.slice(0, limit) : docs;
  // Leave-one-out: a paper's own keywords never count for it (duplicates of a paper across files
  // were dropped above by title, so only genuinely other papers count).
  const listed = kept.map((d) => (key: string) => (keywordPapers.get(key) ?? 0) - (d.own.has(key) ? 1 : 0));
  return { docs: kept.map(({ own: _own, ...d }) => d), corpus, listed };
}

function split(n: number): { tune: number[]; test: number[]; all: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  return { all, tune: all.filter((i) => i % 2 === 0), test: all.filter((i) => i % 2 === 1) };
}

/** Document frequency over n-gram keys up to four terms (noun phrases are a subset), kept in the temp folder. */
function documentFrequency(name: string, texts: () => Iterable<string>, keys: ReadonlySet<string>): DocumentFrequencyTable {
  const file = tmp(`df-${name}-singletons-dropped-${hash([...keys].sort().join('\n'))}`);
  if (existsSync(file)) return DocumentFrequencyTable.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const df = new DocumentFrequencyTable();
  for (const t of texts()) df.addDocument(t, (k) => keys.has(k));
  df.dropSingletons(); // as the engine keeps its library table
  writeFileSync(file, JSON.stringify(df.toJSON()));
  return df;
}

function keysOf(texts: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const t of texts) {
    const words = splitWords(t);
    for (const c of candidatePhrases(t, words, 4).candidates) keys.add(c.key);
  }
  return keys;
}

/** F1@k of a ranker (stemmed keys, best first) on some docs of a set. */
function evaluate(set: DevSet, subset: readonly number[], rank: (i: number) => string[], k = 10): { p: number; r: number; f1: number } {
  const results = subset.map((i) => f1AtKOfKeys(rank(i), set.gold[i]!, k));
  return { p: meanOf(results.map((x) => x.precision)), r: meanOf(results.map((x) => x.recall)), f1: meanOf(results.map((x) => x.f1)) };
}

/** Features of doc i without surprise (the statistics the MLM pool is chosen by), cached. */
const baseCache = new Map<string, PhraseFeatures[]>();
function baseFeatures(set: DevSet, i: number): PhraseFeatures[] {
  const cacheKey = `${set.name}:${i}`;
  let f = baseCache.get(cacheKey);
  if (!f) {
    const a = set.analyses[i]!;
    f = phraseFeatures(set.docs[i]!.text, a.candidates, a.terms, new Float64Array(a.candidates.length).fill(Number.NaN), set.df, set.listed?.[i]);
    baseCache.set(cacheKey, f);
  }
  return f;
}

/**
 * Features of doc i as the engine computes them: surprise only for the MLM pool's candidates
 * (`pooled`), or for every candidate (the single-signal rows). Saved surprise covers every
 * candidate, so the pool is emulated by hiding the others'.
 */
const featureCache = new Map<string, PhraseFeatures[]>();
function featuresOf(set: DevSet, i: number, w: KeyphraseWeights, pooled: boolean): PhraseFeatures[] {
  const a = set.analyses[i]!;
  const masked = pooled ? mlmCandidates(a.candidates, baseFeatures(set, i), w, DEFAULT_MASKED_SPAN_TERMS) : undefined;
  const cacheKey = `${set.name}:${i}:${w.spanWeight}:${masked ? [...masked].join(',') : 'all'}`;
  let f = featureCache.get(cacheKey);
  if (!f) {
    const seen = masked ? a.surprise.map((x, j) => (masked.has(j) ? x : Number.NaN)) : a.surprise;
    const surprise = occurrenceScores(a.candidates, a.terms, seen, w.spanWeight);
    f = phraseFeatures(set.docs[i]!.text, a.candidates, a.terms, surprise, set.df, set.listed?.[i]);
    featureCache.set(cacheKey, f);
  }
  return f;
}

/** The product's ranking (keywordScorer.ts `keywords`) on saved surprise and similarities. */
function shippedRanker(set: DevSet, w: KeyphraseWeights, k = 10, pooled = true): (i: number) => string[] {
  return (i) => {
    const features = featuresOf(set, i, w, pooled).map((f) => ({ ...f, similarity: 0 }));
    if (w.similarity !== 0) for (const j of similarityPool(features, w)) features[j]!.similarity = set.similarity[i]!.get(features[j]!.key) ?? 0;
    const scores = features.map((f) => keyphraseScore(f, w));
    return selectKeyphrases(features, scores, k, w.containment, w.redundancy).map((c) => c.feature.key);
  };
}

const ZERO: KeyphraseWeights = { surprise: 0, spanWeight: 1, prior: 0, idf: 0, tf: 0, position: 0, length: 0, similarity: 0, containment: 'keep', redundancy: 0, unshared: 0, listed: 0 };

/** Coordinate ascent from `start` over per-weight grids, on the mean tune F1@10 of the sets. */
function tune(sets: readonly DevSet[], start: KeyphraseWeights, fixed: ReadonlySet<keyof KeyphraseWeights> = new Set()): { w: KeyphraseWeights; f1: number } {
  const objective = (w: KeyphraseWeights): number => meanOf(sets.map((s) => evaluate(s, s.tune, shippedRanker(s, w)).f1));
  const grids: Partial<Record<keyof KeyphraseWeights, readonly (number | string)[]>> = {
    surprise: [-1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2],
    spanWeight: [0, 0.5, 1, 1.5],
    prior: [-1, -0.5, 0, 0.25, 0.5, 1],
    idf: [-1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2],
    tf: [0, 1, 2, 4, 8],
    position: [0, 1, 2, 4, 8],
    length: [-1, -0.5, 0, 0.5, 1, 2],
    similarity: [0, 2, 4, 8, 16],
    // A product choice, not the metric's: stemmed exact match rewards nested gold phrases, so F1
    // alone would show "passage retrieval · passage · retrieval" side by side. The list must be
    // diverse, so no diversity at all is not on offer.
    containment: ['independent', 'drop'],
    redundancy: [0.5, 1, 2],
    unshared: [-4, -2, -1, 0, 1],
    listed: [0, 1, 2, 4, 8],
  };
  let best = { w: start, f1: objective(start) };
  for (let round = 0; round < 3; round++) {
    let improved = false;
    for (const [name, values] of Object.entries(grids) as [keyof KeyphraseWeights, (number | string)[]][]) {
      if (fixed.has(name)) continue;
      for (const v of values) {
        const w = { ...best.w, [name]: v } as KeyphraseWeights;
        const f1 = objective(w);
        if (f1 > best.f1 + 1e-9) {
          best = { w, f1 };
          improved = true;
        }
      }
    }
    console.log(`tuning round ${round + 1}: tune F1@10 ${best.f1.toFixed(4)} ${JSON.stringify(best.w)}`);
    if (!improved) break;
  }
  return best;
}

async function main(): Promise<void> {
  const limit = Number(flag('limit') ?? 0);
  const threads = Number(flag('threads') ?? 2);
  const a = semeval(limit);
  const b = await libraryKeywords(limit);
  if (!a || !b) {
    console.log(`skipped: ${dataDir} lacks keyphrases/semeval2017.jsonl or bib/ (the shared data folder is not mounted)`);
    return;
  }
  const sets: DevSet[] = [];
  const tagMs: number[] = [];
  const winkPartOfSpeech = await openWinkTagger();
  const arxivFile = path.join(dataDir, 'arxiv', 'arxiv-listings.jsonl.gz');
  for (const [name, docs, corpus, listed] of [
    ['SemEval-2017', a, undefined, undefined],
    ['library keywords', b.docs, b.corpus, b.listed],
  ] as const) {
    const keys = keysOf(docs.map((d) => d.text));
    const df = corpus
      ? documentFrequency('library', () => corpus, keys)
      : documentFrequency('arxiv', () => readJsonLinesGz<{ title?: string; abstract?: string }>(arxivFile).map((p) => `${p.title ?? ''}. ${p.abstract ?? ''}`), keys);
    for (const d of docs.slice(0, 200)) {
      const t0 = performance.now();
      winkPartOfSpeech(d.text);
      tagMs.push(performance.now() - t0);
    }
    sets.push({
      name,
      docs,
      df,
      ...split(docs.length),
      analyses: [],
      ngramCandidates: docs.map((d) => candidatePhrases(d.text, splitWords(d.text)).candidates),
      similarity: [],
      gold: docs.map((d) => new Set(d.keyphrases.map(phraseKey).filter((k) => k.length > 0))),
      ...(listed ? { listed: [...listed] } : {}),
    });
    console.log(`${name}: ${docs.length} texts, ${meanOf(docs.map((d) => d.keyphrases.length)).toFixed(1)} gold keyphrases each; IDF over ${df.documents} documents`);
  }
  console.log(`tagger (wink-nlp ${winkVersion()}): p50 ${percentile(tagMs, 50).toFixed(2)} ms, p95 ${percentile(tagMs, 95).toFixed(2)} ms per text (${tagMs.length} texts, after the model loaded)`);

  const model = flag('model') ?? 'atlas-mini-mlm';
  const scorer = await KeywordScorer.open(model, { threads });
  const latency: number[] = [];
  const rows: number[] = [];
  const load0 = os.loadavg();
  for (const set of sets) {
    const file = tmp(`surprise-${scorer.fingerprint}-${hash(set.docs.map((d) => d.text).join('\n'))}`);
    let saved = !args.includes('--fresh') && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as (number | null)[][]) : undefined;
    for (const [i, d] of set.docs.entries()) {
      if (saved) {
        const words = splitWords(d.text);
        const nps = nounPhraseCandidates(d.text, words, winkPartOfSpeech(d.text));
        if (saved[i]?.length !== nps.candidates.length) {
          saved = undefined; // candidates changed since: re-run the model
        } else {
          set.analyses.push({ encoded: { text: d.text, words: [], ids: [] }, ...nps, surprise: Float64Array.from(saved[i]!, (x) => x ?? Number.NaN), rows: Number.NaN });
          continue;
        }
      }
      if (i === 0) await scorer.analyse(d.text); // warm-up: the first run allocates ORT's arena
      const t0 = performance.now();
      const analysis = await scorer.analyse(d.text);
      latency.push(performance.now() - t0);
      rows.push(analysis.rows);
      set.analyses[i] = analysis;
    }
    if (!saved) writeFileSync(file, JSON.stringify(set.analyses.map((x) => Array.from(x.surprise, (v) => (Number.isFinite(v) ? v : null)))));
    else console.log(`${set.name}: surprise read from ${file} (--fresh re-runs the model)`);
  }
  const load1 = os.loadavg();
  await scorer.release();

  // Phrase-to-text similarity with the library encoder, for every phrase (the product embeds only the pool).
  const encoderId = flag('encoder') ?? 'atlas-mini-encoder';
  const encoder = await TextEncoder.open(encoderId, { providers: ['cpu'], threads });
  for (const set of sets) {
    const file = tmp(`similarity-${encoder.fingerprint}-${hash(set.docs.map((d) => d.text).join('\n'))}`);
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>[]) : undefined;
    for (const [i, d] of set.docs.entries()) {
      const features = baseFeatures(set, i);
      if (saved?.[i] && features.every((f) => f.key in saved[i]!)) {
        set.similarity[i] = new Map(Object.entries(saved[i]!));
        continue;
      }
      const vectors = await encoder.encode([d.text, ...features.map((f) => f.text)], 'document');
      const paper = vectors[0]!;
      set.similarity[i] = new Map(features.map((f, j) => [f.key, dot(paper, vectors[j + 1]!)]));
    }
    writeFileSync(file, JSON.stringify(set.similarity.map((m) => Object.fromEntries(m))));
  }
  await encoder.release();

  // Tuning: the weights with library statistics, then without (a library too small for IDF).
  let withLibrary = KEYPHRASE_WEIGHTS;
  let withoutLibrary = KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY;
  if (args.includes('--tune')) {
    const on = flag('tune-on');
    const tuneSets = on ? sets.filter((s) => s.name.startsWith(on)) : sets;
    // Coordinate ascent finds a local optimum: start from a plain point and from the shipped weights, keep the better.
    const fromPlain = tune(tuneSets, { ...ZERO, surprise: 0.5, tf: 2, idf: 1, containment: 'independent', redundancy: 0.5 });
    const fromShipped = tune(tuneSets, KEYPHRASE_WEIGHTS);
    withLibrary = (fromShipped.f1 >= fromPlain.f1 ? fromShipped : fromPlain).w;
    const noIdf = sets.map((s) => ({ ...s, df: new DocumentFrequencyTable() }));
    featureCache.clear();
    baseCache.clear();
    const fixed = new Set<keyof KeyphraseWeights>(['prior', 'idf', 'unshared', 'listed']);
    const noLibraryFromTuned = tune(noIdf, { ...withLibrary, prior: 0, idf: 0, unshared: 0, listed: 0 }, fixed);
    const noLibraryFromShipped = tune(noIdf, KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY, fixed);
    withoutLibrary = (noLibraryFromShipped.f1 >= noLibraryFromTuned.f1 ? noLibraryFromShipped : noLibraryFromTuned).w;
    featureCache.clear();
    baseCache.clear();
    if (args.includes('--write')) {
      writeFileSync(weightsFile, `${JSON.stringify({ model: scorer.settings.id, modelFingerprint: scorer.fingerprint, encoder: encoderId, withLibrary, withoutLibrary }, null, 2)}\n`);
      console.log(`weights written to ${weightsFile}: rebuild to ship them`);
    }
  }

  const examples = Number(flag('examples') ?? 0);
  for (const set of sets) {
    for (const i of set.test.slice(0, examples)) {
      console.log(`\n[${set.name} ${set.docs[i]!.id}] gold: ${set.docs[i]!.keyphrases.join(' · ')}`);
      const top = shippedRanker(set, withLibrary)(i);
      console.log(`  shipped: ${top.map((k) => (set.gold[i]!.has(k) ? `*${k}*` : k)).join(' · ')}`);
    }
  }
  const surpriseOnly: KeyphraseWeights = { ...ZERO, surprise: 1 };
  const variants: [string, KeyphraseWeights | 'tfidf-ngrams' | 'tfidf-np', boolean?][] = [
    ['TF-IDF, stop-word n-grams (earlier baseline)', 'tfidf-ngrams'],
    ['TF-IDF, noun phrases', 'tfidf-np'],
    ['MLM surprise alone (noun phrases)', surpriseOnly],
    ['MLM surprise − word-frequency prior', { ...surpriseOnly, prior: 1 }],
    ['MLM surprise + library IDF', { ...surpriseOnly, idf: 1 }],
    ['MLM surprise + repetition (tf)', { ...surpriseOnly, tf: 2 }],
    ['MLM surprise + first position', { ...surpriseOnly, position: 2 }],
    ['MLM surprise + length', { ...surpriseOnly, length: 0.5 }],
    ['MLM surprise + similarity to the text', { ...surpriseOnly, similarity: 4 }],
    ['MLM surprise, phrases no other paper shares −2', { ...surpriseOnly, unshared: -2 }],
    ['MLM surprise + listed as keyword by other papers', { ...surpriseOnly, listed: 4 }],
    ['shipped weights, every candidate masked (no MLM pool)', withLibrary, false],
    ['shipped weights, without MLM surprise', { ...withLibrary, surprise: 0 }],
    ['shipped weights, without listed keywords', { ...withLibrary, listed: 0 }],
    ['shipped weights, without similarity', { ...withLibrary, similarity: 0 }],
    ['shipped weights, no diversity (sub-phrases kept, no MMR)', { ...withLibrary, containment: 'keep', redundancy: 0 }],
    ['shipped weights, sub-phrases always dropped', { ...withLibrary, containment: 'drop' }],
    ['shipped weights, redundancy 0.5', { ...withLibrary, redundancy: 0.5 }],
    ['shipped weights, redundancy 1', { ...withLibrary, redundancy: 1 }],
    ['shipped weights, redundancy 2', { ...withLibrary, redundancy: 2 }],
    [`shipped ${JSON.stringify(withLibrary)}`, withLibrary],
  ];
  const table = variants.map(([name, v, pooled]) => {
    const cells: (string | number)[] = [name];
    for (const set of sets) {
      const rank =
        v === 'tfidf-ngrams'
          ? (i: number) => rankByTfIdf(set.ngramCandidates[i]!, set.df).map((x) => x.key)
          : v === 'tfidf-np'
            ? (i: number) => rankByTfIdf(set.analyses[i]!.candidates, set.df).map((x) => x.key)
            : shippedRanker(set, v, 10, pooled ?? name.startsWith('shipped'));
      cells.push(evaluate(set, set.all, rank, 5).f1, evaluate(set, set.all, rank).f1, evaluate(set, set.tune, rank).f1, evaluate(set, set.test, rank).f1);
    }
    return cells;
  });
  console.log(`\nmodel ${model}, encoder ${encoderId}, ${threads} thread(s); F1 macro over texts, stemmed exact match`);
  printTable(
    ['variant', ...sets.flatMap((s) => [`${s.name} F1@5`, 'F1@10', 'F1@10 tune', 'F1@10 test'])],
    table.map((r) => r.map((x) => (typeof x === 'number' ? x.toFixed(3) : x))),
  );
  const withoutRows = sets.map((s) => {
    const noIdf = { ...s, df: new DocumentFrequencyTable(), name: `${s.name}-noidf` };
    const at = (w: KeyphraseWeights): string => evaluate(noIdf, noIdf.test, shippedRanker(noIdf, w)).f1.toFixed(3);
    return [s.name, at(withoutLibrary), at({ ...withoutLibrary, containment: 'drop' }), at({ ...withoutLibrary, redundancy: 0 }), at({ ...withoutLibrary, redundancy: 1 })];
  });
  console.log(`\nwithout library statistics ${JSON.stringify(withoutLibrary)}:`);
  printTable(['set', 'F1@10 test', 'sub-phrases dropped', 'redundancy 0', 'redundancy 1'], withoutRows);
  const oracle = sets.map((s) => [s.name, evaluate(s, s.all, (i) => s.analyses[i]!.candidates.filter((c) => s.gold[i]!.has(c.key)).map((c) => c.key)).r.toFixed(3), meanOf(s.analyses.map((x) => x.candidates.length)).toFixed(0)]);
  printTable(['set', 'noun-phrase candidates: oracle R@10', 'candidates per text'], oracle);
  if (latency.length > 0) {
    printTable(
      ['analyse per text (tag + MLM, every candidate masked; the product masks a pool: npm run bench)', 'texts', 'p50 ms', 'p95 ms', 'max ms', 'rows p50', 'load avg before', 'load avg after'],
      [['uncached', latency.length, percentile(latency, 50).toFixed(0), percentile(latency, 95).toFixed(0), Math.max(...latency).toFixed(0), percentile(rows, 50), load0.map((x) => x.toFixed(2)).join(' '), load1.map((x) => x.toFixed(2)).join(' ')]],
    );
  }
}

function dot(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * (y[i] ?? 0);
  return s;
}

function winkVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('wink-nlp/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
