/**
 * Keyword-highlight quality and speed (not a test; prints tables). Run:
 *   node scripts/build.mjs && node dist-test/bench/keywordQuality.js [--model ID|DIR] [--limit N] [--threads N] [--gap N] [--span-terms N]
 *
 * Quality: SemEval 2017 task 10 paragraphs (493, gold keyphrases), F1@10 (and @5) with stemmed
 * exact match, macro-averaged. Every variant ranks the same candidates (1–3 terms, no stop-word
 * edges): the TF-IDF baseline (tf × ln((N+1)/(df+1)) with df over the arXiv abstracts), MLM surprise
 * alone, and MLM combined with its parts, repetition and the same IDF. The weights of the "tuned"
 * row are chosen on the even-numbered paragraphs and reported on the odd ones, besides all 493.
 * `--no-mlm` prints only the baseline and the candidates' upper bound.
 * `--full-head` runs the vocabulary head at every position (the unmodified graph) for comparison.
 * Speed: wall time of `analyse` (tokenise, plan, one batched ONNX run, log-softmax) per paragraph,
 * with the load average of the machine, which is shared.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { candidatePhrases, phraseKey } from '../src/core/keywords/candidatePhrases';
import { DocumentFrequencyTable } from '../src/core/keywords/documentFrequency';
import { f1AtKOfKeys, meanOf } from '../src/core/keywords/keyphraseMetrics';
import { occurrenceScores, rankByTfIdf, rankKeyphrases, type RankingOptions } from '../src/core/keywords/keywordRanking';
import { splitWords } from '../src/core/keywords/wordSpans';
import { KeywordScorer, type KeywordAnalysis } from '../src/engine/keywordScorer';
import { printTable } from './printTable';
import { percentile } from './stats';

interface Paragraph {
  id: string;
  text: string;
  keyphrases: string[];
}

const repo = path.resolve(__dirname, '..', '..');
const dataDir = path.resolve(repo, '..', 'shared', 'data');
const devFile = path.join(dataDir, 'keyphrases', 'semeval2017.jsonl');
const arxivFile = path.join(dataDir, 'arxiv', 'arxiv-listings.jsonl.gz');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);

async function arxivDocumentFrequency(keys: ReadonlySet<string>): Promise<DocumentFrequencyTable> {
  const df = new DocumentFrequencyTable();
  const lines = createInterface({ input: createReadStream(arxivFile).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const { title, abstract } = JSON.parse(line) as { title?: string; abstract?: string };
    df.addDocument(`${title ?? ''}. ${abstract ?? ''}`, (key) => keys.has(key));
  }
  return df;
}

type Ranker = (doc: number) => string[];

const goldKeyCache = new Map<Paragraph, Set<string>>();
function goldKeys(doc: Paragraph): Set<string> {
  let keys = goldKeyCache.get(doc);
  if (!keys) goldKeyCache.set(doc, (keys = new Set(doc.keyphrases.map(phraseKey))));
  return keys;
}

/** Rankers return candidate keys (already stemmed), so scoring a variant costs no stemming. */
function evaluate(rank: Ranker, docs: readonly Paragraph[], subset: readonly number[], k: number): { p: number; r: number; f1: number } {
  const results = subset.map((i) => f1AtKOfKeys(rank(i), goldKeys(docs[i]!), k));
  return { p: meanOf(results.map((x) => x.precision)), r: meanOf(results.map((x) => x.recall)), f1: meanOf(results.map((x) => x.f1)) };
}

async function main(): Promise<void> {
  if (!existsSync(devFile)) {
    console.log(`skipped: ${devFile} is missing (the shared data folder is not mounted)`);
    return;
  }
  const limit = Number(flag('limit') ?? 0);
  const all = readFileSync(devFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Paragraph);
  const docs = limit > 0 ? all.slice(0, limit) : all;
  const indices = docs.map((_, i) => i);
  const even = indices.filter((i) => i % 2 === 0);
  const odd = indices.filter((i) => i % 2 === 1);

  const candidatesOf = docs.map((d) => candidatePhrases(d.text, splitWords(d.text)).candidates);
  const keys = new Set(candidatesOf.flatMap((cs) => cs.map((c) => c.key)));
  let df: DocumentFrequencyTable | undefined;
  // Counting 75k abstracts takes ~40 s on a busy 2-core machine: keep the counts in the temp folder.
  const dfCache = path.join(os.tmpdir(), `paper-atlas-keyword-df-${createHash('sha256').update([...keys].sort().join('\n')).digest('hex').slice(0, 12)}.json`);
  if (existsSync(dfCache)) {
    df = DocumentFrequencyTable.fromJSON(JSON.parse(readFileSync(dfCache, 'utf8')));
    console.log(`IDF: ${df.documents} arXiv abstracts (counts from ${dfCache})`);
  } else if (existsSync(arxivFile)) {
    const t0 = performance.now();
    df = await arxivDocumentFrequency(keys);
    writeFileSync(dfCache, JSON.stringify(df.toJSON()));
    console.log(`IDF: ${df.documents} arXiv abstracts, ${df.counts.size} of ${keys.size} candidate keys seen, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    console.log(`IDF: ${arxivFile} is missing; TF-IDF and +IDF rows use no corpus (idf = 0)`);
  }

  // Upper bound: every gold keyphrase that is a candidate, ranked first.
  const oracle = evaluate((i) => {
    const gold = new Set(docs[i]!.keyphrases.map(phraseKey));
    return candidatesOf[i]!.filter((c) => gold.has(c.key)).map((c) => c.key);
  }, docs, indices, 10);
  console.log(`candidates: ${meanOf(candidatesOf.map((c) => c.length)).toFixed(0)} per paragraph; oracle F1@10 ${oracle.f1.toFixed(3)} (R@10 ${oracle.r.toFixed(3)})`);
  if (args.includes('--no-mlm')) {
    printTable(['variant', 'P@10', 'R@10', 'F1@10'], [['TF-IDF (arXiv n-gram IDF)', ...Object.values(evaluate((i) => rankByTfIdf(candidatesOf[i]!, df).map((x) => x.key), docs, indices, 10))]]);
    return;
  }
  const model = flag('model') ?? 'atlas-mini-mlm';
  const threads = Number(flag('threads') ?? 2);
  const minGap = flag('gap') ? Number(flag('gap')) : undefined;
  const spanTerms = flag('span-terms') ? Number(flag('span-terms')) : undefined;
  let scorer: KeywordScorer;
  try {
    scorer = await KeywordScorer.open(model, { threads, fullHead: args.includes('--full-head'),
      ...(minGap !== undefined ? { minGap } : {}),
      ...(spanTerms !== undefined ? { maskedSpanTerms: spanTerms } : {}),
    });
  } catch (e) {
    console.log(`skipped the MLM rows: cannot open "${model}": ${e instanceof Error ? e.message : String(e)}`);
    printTable(['variant', 'P@10', 'R@10', 'F1@10'], [['TF-IDF', ...Object.values(evaluate((i) => rankByTfIdf(candidatesOf[i]!, df).map((x) => x.key), docs, indices, 10))]]);
    return;
  }
  console.log(`MLM head: ${scorer.gathered ? 'gathered at masked positions' : 'every position'}`);
  const analyses: KeywordAnalysis[] = [];
  const latency: number[] = [];
  const load0 = os.loadavg();
  // Surprise per paragraph is kept in the temp folder (per weights, gap and head), so re-ranking
  // experiments do not re-run the model; --fresh ignores it. Latency is only measured on a fresh run.
  const surpriseFile = path.join(os.tmpdir(), `paper-atlas-keyword-surprise-${scorer.fingerprint}-${minGap ?? 'd'}-${spanTerms ?? 'd'}-${scorer.gathered ? 'g' : 'f'}-${docs.length}.json`);
  let saved = !args.includes('--fresh') && existsSync(surpriseFile) ? (JSON.parse(readFileSync(surpriseFile, 'utf8')) as Array<Array<number | null>>) : undefined;
  // Saved surprise is aligned with the candidates of its day: if candidate generation changed since, re-run.
  if (saved && !saved.every((row, i) => row.length === candidatesOf[i]!.length)) saved = undefined;
  if (!saved) await scorer.analyse(docs[0]!.text); // warm-up: the first run allocates the arena
  for (const [i, d] of docs.entries()) {
    if (saved) {
      const { encoded, terms, candidates } = { encoded: { text: d.text, words: [], ids: [] }, ...candidatePhrases(d.text, splitWords(d.text)) };
      analyses.push({ encoded, terms, candidates, surprise: Float64Array.from(saved[i]!, (x) => x ?? Number.NaN), rows: Number.NaN });
      continue;
    }
    const t0 = performance.now();
    analyses.push(await scorer.analyse(d.text));
    latency.push(performance.now() - t0);
  }
  if (!saved) writeFileSync(surpriseFile, JSON.stringify(analyses.map((a) => Array.from(a.surprise))));
  else console.log(`surprise read from ${surpriseFile} (no latency measured; --fresh to re-run the model)`);
  const load1 = os.loadavg();
  await scorer.release();

  const occurrenceCache = new Map<string, Float64Array>();
  const mlm = (o: RankingOptions): Ranker => (i) => {
    const a = analyses[i]!;
    const cacheKey = `${i}:${o.spanWeight}`;
    let scores = occurrenceCache.get(cacheKey);
    if (!scores) occurrenceCache.set(cacheKey, (scores = occurrenceScores(a.candidates, a.terms, a.surprise, o.spanWeight)));
    return rankKeyphrases(a.candidates, scores, o, df).map((x) => x.key);
  };
  const base: RankingOptions = { mlmWeight: 1, spanWeight: 1, occurrences: 'max', repetitionWeight: 0, idfWeight: 0, lengthBonus: 0 };
  const variants: Array<[string, Ranker]> = [
    ['TF-IDF (arXiv n-gram IDF)', (i) => rankByTfIdf(candidatesOf[i]!, df).map((x) => x.key)],
    ['MLM span surprise only', mlm(base)],
    ['MLM parts only (mean of words)', mlm({ ...base, spanWeight: 0 })],
    ['MLM span+parts (0.5)', mlm({ ...base, spanWeight: 0.5 })],
    ['MLM span+parts, mean over occurrences', mlm({ ...base, spanWeight: 0.5, occurrences: 'mean' })],
    ['MLM span+parts + repetition', mlm({ ...base, spanWeight: 0.5, repetitionWeight: 1 })],
    ['MLM span+parts + IDF 0.5', mlm({ ...base, spanWeight: 0.5, idfWeight: 0.5 })],
    ['MLM span+parts + repetition + IDF 0.5', mlm({ ...base, spanWeight: 0.5, repetitionWeight: 1, idfWeight: 0.5 })],
  ];

  // Tune on the even paragraphs, report on the odd ones (and on all, which flatters it).
  // spanWeight > 1 extrapolates: span − parts measures how much the words of a phrase predict each other.
  // mlmWeight ≤ 0 is searched too: it tells whether surprise helps at all over the corpus statistics.
  const grid = (mlmWeights: readonly number[], idfWeights: readonly number[] = [0.5, 1, 2]): { o: RankingOptions; f1: number } => {
    let best: { o: RankingOptions; f1: number } = { o: base, f1: -1 };
    for (const mlmWeight of mlmWeights)
      for (const spanWeight of mlmWeight === 0 ? [1] : [0, 1, 2])
        for (const occurrences of mlmWeight === 0 ? (['max'] as const) : (['max', 'mean'] as const))
          for (const repetitionWeight of [0, 1, 2, 4, 8])
            for (const idfWeight of idfWeights)
              for (const lengthBonus of [0, 0.5, 1, 2]) {
                const o = { mlmWeight, spanWeight, repetitionWeight, idfWeight, lengthBonus, occurrences };
                const f1 = evaluate(mlm(o), docs, even, 10).f1;
                if (f1 > best.f1) best = { o, f1 };
              }
    return best;
  };
  const tunedWithout = grid([0]);
  const tuned = grid([-1, -0.5, -0.25, 0.25, 0.5, 1]);
  variants.push([`no MLM: log-tf + IDF + length, tuned on even ${JSON.stringify({ ...tunedWithout.o, spanWeight: undefined, occurrences: undefined })}`, mlm(tunedWithout.o)]);
  const best = tuned;
  // Small libraries have no usable IDF (the engine drops it below 50 papers): the MLM alone must rank.
  const tunedNoIdf = grid([0.25, 0.5, 1], [0]);
  variants.push([`MLM without IDF, tuned on even ${JSON.stringify(tunedNoIdf.o)}`, mlm(tunedNoIdf.o)]);
  variants.push([`MLM tuned on even ${JSON.stringify(best.o)}`, mlm(best.o)]);

  const rows = variants.map(([name, rank]) => {
    const at10 = evaluate(rank, docs, indices, 10);
    return [name, evaluate(rank, docs, indices, 5).f1, at10.p, at10.r, at10.f1, evaluate(rank, docs, odd, 10).f1];
  });
  console.log(`${docs.length} SemEval 2017 paragraphs; model ${scorer.settings.id} (${scorer.settings.dir}), ${threads} thread(s)`);
  printTable(['variant', 'F1@5', 'P@10', 'R@10', 'F1@10', 'F1@10 odd'], rows);
  if (latency.length === 0) return;
  const passes = analyses.map((a) => a.rows);
  const candidates = analyses.map((a) => a.candidates.length);
  printTable(
    ['latency/paragraph', 'p50 ms', 'p95 ms', 'max ms', 'rows p50', 'rows max', 'candidates p50', 'load avg before', 'load avg after'],
    [
      [
        `analyse (gap ${minGap ?? 'default'}, span terms ${spanTerms ?? 'default'}, head ${scorer.gathered ? 'gathered' : 'full'})`,
        percentile(latency, 50).toFixed(0),
        percentile(latency, 95).toFixed(0),
        Math.max(...latency).toFixed(0),
        percentile(passes, 50),
        Math.max(...passes),
        percentile(candidates, 50),
        load0.map((x) => x.toFixed(2)).join(' '),
        load1.map((x) => x.toFixed(2)).join(' '),
      ],
    ],
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
