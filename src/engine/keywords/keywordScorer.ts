/**
 * MLM keyword highlights: how surprised the masked LM is by each word and candidate phrase of a text
 * when all its word pieces are masked (see src/core/keywords/maskedPasses.ts for how spans share
 * passes, and keywordRanking.ts for how surprise becomes a keyphrase score). One instance per engine;
 * `session.run` blocks the thread, so this runs only inside the engine worker (or the CLI/bench).
 *
 * Works with any BERT-vocabulary MLM that outputs `logits` [batch, seq, vocab]: it feeds only the
 * inputs the graph declares (distilbert has no token_type_ids).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
import * as ort from '../encoder/onnxRuntime';
import { CachedWordPieceTokenizer } from '../../core/cachedTokenizer';
import { phraseKey, type Candidate, type Term } from '../../core/keywords/candidatePhrases';
import {
  heatSpans,
  KEYPHRASE_WEIGHTS,
  KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY,
  keyphraseScore,
  mlmCandidates,
  phraseFeatures,
  selectKeyphrases,
  similarityPool,
  type KeyphraseWeights,
  type ListedKeywordCount,
  type PhraseFeatures,
} from '../../core/keywords/keyphraseScoring';
import { occurrenceScores, type DocumentFrequency } from '../../core/keywords/keywordRanking';
import { nounPhraseCandidates, type PartOfSpeechTagger, type TermClass } from '../../core/keywords/nounPhrases';
import { planMaskedPasses, spanSurprise, type MaskedPlan } from '../../core/keywords/maskedPasses';
import { encodeWithWordSpans, wordPiecesFrom, type EncodedText } from '../../core/keywords/wordSpans';
import type { KeywordsResult } from '../../shared/engineProtocol';
import { openSessionWithFallback, type ProviderName } from '../encoder/executionProviders';
import { keywordCacheKey, type KeywordCache } from './keywordCache';
import { gatherHeadPositions, POSITIONS_INPUT, TARGET_LOGPROB_OUTPUT, TARGETS_INPUT } from './keywordHeadGather';
import { DEFAULT_MLM_ID, loadModelSettings, type ModelSettings } from '../models/modelFolder';
import { modelFingerprint } from '../encoder/modelFingerprint';
import { openWinkTagger } from './partOfSpeechTagger';

/** Unit vectors of texts (the library's encoder): the phrase-to-paper similarity feature. */
export type EmbedTexts = (texts: readonly string[]) => Promise<Float32Array[]>;

export interface KeywordScorerOptions {
  threads?: number;
  providers?: readonly ProviderName[];
  log?: (line: string) => void;
  cache?: KeywordCache;
  documentFrequency?: DocumentFrequency;
  weights?: Partial<KeyphraseWeights>;
  /** Part-of-speech tags for the noun-phrase candidates; wink-nlp unless given. */
  tagger?: PartOfSpeechTagger;
  /** Without it (or with a similarity weight of 0) the similarity feature is 0. */
  embed?: EmbedTexts;
  /** Minimum distance in pieces between spans masked in one pass. */
  minGap?: number;
  /**
   * Rows × width per ONNX run. With the head gathered (the usual case) only masked positions get
   * logits; without, the logits are rows × width × vocab floats (2048 tokens ≈ 250 MB).
   */
  batchTokens?: number;
  /**
   * Longest candidate (in terms) masked as one span; longer ones are scored from their parts. Each
   * extra length adds spans over every word, hence passes: 2 instead of 3 saves about a third.
   */
  maskedSpanTerms?: number;
  /** Run the vocabulary head on every position (for comparison; see keywordHeadGather.ts). */
  fullHead?: boolean;
}

/** Everything the model says about one text, before ranking (the benchmark ranks it many ways). */
export interface KeywordAnalysis {
  encoded: EncodedText;
  terms: (Term | null)[];
  classes: TermClass[];
  candidates: Candidate[];
  /** −mean log P of each candidate occurrence's pieces with the whole candidate masked; NaN = unscored. */
  surprise: Float64Array;
  /** Rows the model ran (0 when the cache answered). */
  rows: number;
}

export const DEFAULT_MIN_GAP = 6;
export const DEFAULT_MASKED_SPAN_TERMS = 3;

/** A text's candidates before the MLM runs. */
export interface PreparedText {
  terms: (Term | null)[];
  candidates: Candidate[];
}

/** What `keywords` needs from an analysis to rank it (the benchmark builds the same from saved surprise). */
export interface RankedKeywords extends KeywordsResult {
  features: PhraseFeatures[];
}

export class KeywordScorer {
  private readonly wordPieces;
  private readonly feedsTokenTypes: boolean;
  private readonly logitsName: string;
  /** True when the graph was rewritten to compute logits at `keyword_positions` only. */
  readonly gathered: boolean;
  private readonly targetsInGraph: boolean;
  documentFrequency: DocumentFrequency | undefined;
  /** Papers of the library listing each keyword (by `phraseKey`); the service keeps it current. */
  listedKeywords: ReadonlyMap<string, number> | undefined;
  cache: KeywordCache | undefined;

  private constructor(
    readonly settings: ModelSettings,
    readonly fingerprint: string,
    private readonly session: ort.InferenceSession,
    private readonly ids: { cls: number; sep: number; pad: number; mask: number; unk: number },
    private readonly options: KeywordScorerOptions,
    tokenizer: Tokenizer,
    private readonly tagger: PartOfSpeechTagger,
  ) {
    this.wordPieces = wordPiecesFrom(new CachedWordPieceTokenizer(tokenizer, ids.cls, ids.sep));
    this.feedsTokenTypes = session.inputNames.includes('token_type_ids');
    this.logitsName = session.outputNames.includes('logits') ? 'logits' : (session.outputNames[0] ?? 'logits');
    this.gathered = session.inputNames.includes(POSITIONS_INPUT);
    this.targetsInGraph = this.gathered && session.inputNames.includes(TARGETS_INPUT) && session.outputNames.includes(TARGET_LOGPROB_OUTPUT);
    this.documentFrequency = options.documentFrequency;
    this.cache = options.cache;
  }

  static async open(mlmId: string = DEFAULT_MLM_ID, options: KeywordScorerOptions = {}): Promise<KeywordScorer> {
    const settings = loadModelSettings(mlmId);
    const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
    const sessionOptions = {
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      ...(options.log ? { log: options.log } : {}),
    };
    const providers = options.providers ?? ['cpu'];
    let opened;
    const rewritten = options.fullHead ? undefined : gatherHeadOrUndefined(settings.onnxPath, options.log);
    if (rewritten) {
      try {
        opened = await openSessionWithFallback(rewritten, providers, sessionOptions);
      } catch (e) {
        options.log?.(`keyword scorer: the rewritten MLM graph did not load (${e instanceof Error ? e.message : String(e)}); using the full head`);
      }
    }
    opened ??= await openSessionWithFallback(settings.onnxPath, providers, sessionOptions);
    const id = (token: string): number => {
      const v = tokenizer.token_to_id(token);
      if (v === undefined || v === null) throw new Error(`model ${settings.id} has no ${token} token; keyword scoring needs a BERT-style MLM`);
      return v;
    };
    const ids = { cls: id('[CLS]'), sep: id('[SEP]'), pad: id('[PAD]'), mask: id('[MASK]'), unk: id('[UNK]') };
    const tagger = options.tagger ?? (await openWinkTagger());
    return new KeywordScorer(settings, modelFingerprint(settings.onnxPath), opened.session, ids, options, tokenizer, tagger);
  }

  /** Scores `text` and returns the heat-map spans and the top-k keyphrases. */
  /**
   * `textVector`: the text's stored embedding, if any. `ownKeywords`: the paper's own keywords, left
   * out of the library's keyword counts (the `listed` feature counts *other* papers).
   */
  async keywords(text: string, k: number, textVector?: Float32Array, ownKeywords: readonly string[] = []): Promise<KeywordsResult> {
    const listed = this.listedCount(ownKeywords);
    const w = this.weights();
    // The MLM scores only the pool of phrases the other features rank best (keyphraseScoring.ts `mlmCandidates`).
    const pool = (prepared: PreparedText): Set<number> =>
      mlmCandidates(
        prepared.candidates,
        phraseFeatures(text, prepared.candidates, prepared.terms, new Float64Array(prepared.candidates.length).fill(Number.NaN), this.documentFrequency, listed),
        w,
        this.options.maskedSpanTerms ?? DEFAULT_MASKED_SPAN_TERMS,
      );
    const { spans, top } = await this.rank(await this.analyse(text, pool), k, undefined, textVector, ownKeywords);
    return { spans, top, text };
  }

  weights(override?: Partial<KeyphraseWeights>): KeyphraseWeights {
    return { ...(this.documentFrequency ? KEYPHRASE_WEIGHTS : KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY), ...this.options.weights, ...override };
  }

  /**
   * Features, then (when an encoder is given and weighted) the similarity of the best-scoring
   * phrases to the text, then the diverse top k and the heat-map. `textVector`: the text's own
   * embedding when the caller has it (a paper's stored vector), else it is encoded with the phrases.
   */
  async rank(analysis: KeywordAnalysis, k: number, override?: Partial<KeyphraseWeights>, textVector?: Float32Array, ownKeywords: readonly string[] = []): Promise<RankedKeywords> {
    const w = this.weights(override);
    const text = analysis.encoded.text;
    const surprise = occurrenceScores(analysis.candidates, analysis.terms, analysis.surprise, w.spanWeight);
    const listed = this.listedCount(ownKeywords);
    const features = phraseFeatures(text, analysis.candidates, analysis.terms, surprise, this.documentFrequency, listed);
    if (this.options.embed && w.similarity !== 0 && features.length > 0) {
      const pool = similarityPool(features, w);
      // Two calls: in one batch the short phrases would be padded to the text's length (25 × 300 tokens).
      const paper = textVector ?? (await this.options.embed([text]))[0]!;
      const vectors = await this.options.embed(pool.map((i) => features[i]!.text));
      pool.forEach((i, j) => {
        features[i]!.similarity = dot(paper, vectors[j]!);
      });
    }
    return rankFeatures(text, analysis, features, w, k);
  }

  /** `other` counts of the library's keywords, the paper's own left out. */
  private listedCount(ownKeywords: readonly string[]): ListedKeywordCount | undefined {
    const counts = this.listedKeywords;
    if (!counts) return undefined;
    const own = new Set(ownKeywords.map(phraseKey));
    return (key) => Math.max(0, (counts.get(key) ?? 0) - (own.has(key) ? 1 : 0));
  }

  /**
   * Tags, candidates and MLM surprise. `select` picks the candidates to mask (default: all of at
   * most `maskedSpanTerms` terms); the others get NaN.
   */
  async analyse(text: string, select?: (prepared: PreparedText) => Set<number>): Promise<KeywordAnalysis> {
    const encoded = encodeWithWordSpans(text, this.wordPieces);
    const tags = this.tagger(text);
    const { terms, classes, candidates } = nounPhraseCandidates(text, encoded.words, tags);
    const maxTerms = this.options.maskedSpanTerms ?? DEFAULT_MASKED_SPAN_TERMS;
    const chosen = select?.({ terms, candidates });
    const masked = candidates.flatMap((c, i) => ((chosen ? chosen.has(i) : c.lastTerm - c.firstTerm < maxTerms) ? [i] : []));
    // The masked set is part of the key: the pool changes with the library's statistics.
    const cacheKey = this.cache ? keywordCacheKey(chosen ? `${text}\u0000${masked.join(',')}` : text) : '';
    const cached = this.cache?.get(cacheKey);
    if (cached && cached.length === candidates.length) {
      return { encoded, terms, classes, candidates, surprise: Float64Array.from(cached), rows: 0 };
    }
    const plan = planMaskedPasses(encoded, masked.map((i) => candidates[i]!), {
      maxTokens: this.settings.maxTokens,
      minGap: this.options.minGap ?? DEFAULT_MIN_GAP,
      clsId: this.ids.cls,
      sepId: this.ids.sep,
      maskId: this.ids.mask,
      unscorableIds: new Set([this.ids.unk]),
    });
    const logProbs = await this.targetLogProbs(plan);
    const maskedSurprise = spanSurprise(plan, logProbs, masked.length);
    const surprise = new Float64Array(candidates.length).fill(Number.NaN);
    masked.forEach((c, j) => {
      surprise[c] = maskedSurprise[j]!;
    });
    this.cache?.set(cacheKey, Array.from(surprise));
    return { encoded, terms, classes, candidates, surprise, rows: plan.rows.length };
  }

  /** log P(target id) at every masked position, in `plan.targets` order. */
  private async targetLogProbs(plan: MaskedPlan): Promise<Float32Array> {
    const out = new Float32Array(plan.targets.length);
    if (plan.rows.length === 0) return out;
    const width = Math.max(...plan.rows.map((r) => r.length));
    const rowsPerRun = Math.max(1, Math.floor((this.options.batchTokens ?? (this.gathered ? 8192 : 2048)) / width));
    const targetsByRow: number[][] = plan.rows.map(() => []);
    plan.targets.forEach((t, i) => targetsByRow[t.row]!.push(i));
    for (let first = 0; first < plan.rows.length; first += rowsPerRun) {
      const rows = plan.rows.slice(first, first + rowsPerRun);
      const n = rows.length * width;
      const inputIds = new BigInt64Array(n).fill(BigInt(this.ids.pad));
      const attention = new BigInt64Array(n);
      rows.forEach((row, r) => {
        row.forEach((id, p) => {
          inputIds[r * width + p] = BigInt(id);
          attention[r * width + p] = 1n;
        });
      });
      const dims = [rows.length, width];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', inputIds, dims),
        attention_mask: new ort.Tensor('int64', attention, dims),
      };
      if (this.feedsTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n), dims);
      // Targets of this run, and the row of logits each one reads: its flat position in the batch
      // when the full head runs, its index in `keyword_positions` when the head is gathered.
      const runTargets = rows.flatMap((_, r) => targetsByRow[first + r]!.map((i) => ({ i, flat: r * width + plan.targets[i]!.position })));
      if (runTargets.length === 0) continue;
      if (this.gathered) {
        feeds[POSITIONS_INPUT] = new ort.Tensor('int64', BigInt64Array.from(runTargets, (t) => BigInt(t.flat)), [1, runTargets.length]);
      }
      if (this.targetsInGraph) {
        // The graph does the log-softmax and picks the targets: m floats come back instead of m × vocab.
        feeds[TARGETS_INPUT] = new ort.Tensor('int64', BigInt64Array.from(runTargets, (t) => BigInt(plan.targets[t.i]!.id)), [1, runTargets.length, 1]);
        const picked = (await this.session.run(feeds, [TARGET_LOGPROB_OUTPUT]))[TARGET_LOGPROB_OUTPUT];
        if (!picked) throw new Error(`model ${this.settings.id}: the rewritten graph returned no ${TARGET_LOGPROB_OUTPUT}`);
        const values = picked.data as Float32Array;
        runTargets.forEach(({ i }, j) => {
          out[i] = values[j]!;
        });
        picked.dispose();
        continue;
      }
      const result = await this.session.run(feeds);
      const logits = result[this.logitsName];
      if (!logits || logits.dims.length !== 3) throw new Error(`model ${this.settings.id} returned no [batch, seq, vocab] logits`);
      const vocab = logits.dims[2]!;
      const data = logits.data as Float32Array;
      runTargets.forEach(({ i, flat }, j) => {
        out[i] = logSoftmaxAt(data, (this.gathered ? j : flat) * vocab, vocab, plan.targets[i]!.id);
      });
      logits.dispose();
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Scores, diverse top k and heat-map of features whose similarity (if any) is filled in. */
export function rankFeatures(text: string, analysis: Pick<KeywordAnalysis, 'terms' | 'classes'>, features: PhraseFeatures[], w: KeyphraseWeights, k: number): RankedKeywords {
  const scores = features.map((f) => keyphraseScore(f, w));
  const chosen = selectKeyphrases(features, scores, Math.max(0, k), w.containment, w.redundancy);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const spans = heatSpans(analysis.terms, analysis.classes, features, scores, chosen).map((s) => ({ ...s, score: round(s.score) }));
  const top = chosen.map(({ feature: f, score }) => ({ text: f.text, score: round(score), start: f.start, end: f.end }));
  return { spans, top, text, features };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * (b[i] ?? 0);
  return s;
}

function gatherHeadOrUndefined(onnxPath: string, log?: (line: string) => void): Uint8Array | undefined {
  const rewritten = gatherHeadPositions(readFileSync(onnxPath));
  if (!rewritten) log?.(`keyword scorer: no MLM head found in ${onnxPath}; logits are computed at every position`);
  return rewritten;
}

/** log softmax(row)[id] for the `vocab` logits starting at `offset`. */
export function logSoftmaxAt(data: Float32Array, offset: number, vocab: number, id: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < vocab; j++) {
    const x = data[offset + j]!;
    if (x > max) max = x;
  }
  // Logits more than 30 nats below the best add less than e-30 each: skipping exp() for them is
  // exact to float precision and saves most of the work over a 30k vocabulary.
  const floor = max - 30;
  let sum = 0;
  for (let j = 0; j < vocab; j++) {
    const x = data[offset + j]!;
    if (x > floor) sum += Math.exp(x - max);
  }
  return (data[offset + id] ?? 0) - max - Math.log(sum);
}
