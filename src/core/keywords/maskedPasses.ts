/**
 * Plans the masked-LM passes for one text. Every candidate span (all word pieces of its words,
 * whole-word / ERNIE-Gram n-gram masking) must be masked once; masking one span per pass would cost a
 * model pass per candidate, so spans share passes as long as masked spans in one pass are at least
 * `minGap` pieces apart — each span then still sees mostly unmasked context. All rows of a text go
 * to the model in one batch. Texts longer than the model's window are cut at word boundaries
 * (preferably after a full stop) into windows that are planned separately.
 */
import type { EncodedText } from './wordSpans';

export interface PieceSpan {
  /** First piece (inclusive) and end (exclusive), in one window's piece coordinates. */
  start: number;
  end: number;
}

export interface MaskTarget {
  /** Which span (index into the caller's span list) this masked piece belongs to. */
  span: number;
  row: number;
  /** Position in the row, counting [CLS]. */
  position: number;
  /** The original piece id whose log-probability is wanted. */
  id: number;
}

export interface MaskedPlan {
  /** Model input rows: [CLS] pieces… [SEP], masked; not padded. */
  rows: number[][];
  targets: MaskTarget[];
  /** Spans that could not be scored (empty, or crossing a window boundary). */
  skipped: number[];
}

export interface PlanOptions {
  maxTokens: number;
  minGap: number;
  clsId: number;
  sepId: number;
  maskId: number;
  /** Ids that make a span unscorable ([UNK]: its probability says nothing about the word). */
  unscorableIds?: ReadonlySet<number>;
}

/**
 * First-fit of spans into passes: spans are taken by start, and each goes to the least-loaded pass
 * whose last span ends at least `minGap` pieces before it starts (sorted by start, the latest end is
 * the nearest neighbour, so one comparison per pass suffices). Overlapping spans never share a pass.
 * Returns the pass of each span, in input order.
 */
export function groupIntoPasses(spans: readonly PieceSpan[], minGap: number): number[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start || spans[a]!.end - spans[b]!.end);
  const lastEnd: number[] = [];
  const load: number[] = [];
  const pass = new Array<number>(spans.length).fill(-1);
  for (const i of order) {
    const s = spans[i]!;
    let best = -1;
    for (let p = 0; p < lastEnd.length; p++) {
      if (s.start - lastEnd[p]! >= minGap && (best < 0 || load[p]! < load[best]!)) best = p;
    }
    if (best < 0) {
      best = lastEnd.length;
      lastEnd.push(Number.NEGATIVE_INFINITY);
      load.push(0);
    }
    pass[i] = best;
    lastEnd[best] = Math.max(lastEnd[best]!, s.end);
    load[best]! += 1;
  }
  return pass;
}

/** Window boundaries in word indices: [startWord, endWord) with at most `maxPieces` pieces each. */
export function windowsOf(encoded: EncodedText, maxPieces: number): [number, number][] {
  const windows: [number, number][] = [];
  const words = encoded.words;
  let start = 0;
  while (start < words.length) {
    let end = start;
    let lastSentenceEnd = -1;
    while (end < words.length && words[end]!.pieceEnd - words[start]!.pieceStart <= maxPieces) {
      if (words[end]!.text === '.') lastSentenceEnd = end + 1;
      end++;
    }
    if (end === start) end = start + 1; // a single word longer than the window: it is cut below
    else if (end < words.length && lastSentenceEnd > start + (end - start) / 2) end = lastSentenceEnd;
    windows.push([start, end]);
    start = end;
  }
  return windows;
}

/**
 * `spans` are word ranges [firstWord, lastWord] (inclusive) of `encoded`. The plan masks each span in
 * exactly one row.
 */
export function planMaskedPasses(encoded: EncodedText, spans: readonly { firstWord: number; lastWord: number }[], options: PlanOptions): MaskedPlan {
  const maxPieces = Math.max(1, options.maxTokens - 2);
  const windows = windowsOf(encoded, maxPieces);
  const windowOfWord = new Array<number>(encoded.words.length).fill(0);
  windows.forEach(([a, b], w) => {
    for (let i = a; i < b; i++) windowOfWord[i] = w;
  });
  const rows: number[][] = [];
  const targets: MaskTarget[] = [];
  const skipped: number[] = [];
  const perWindow: { span: number; piece: PieceSpan }[][] = windows.map(() => []);
  spans.forEach((s, i) => {
    const first = encoded.words[s.firstWord];
    const last = encoded.words[s.lastWord];
    const w = windowOfWord[s.firstWord] ?? 0;
    if (!first || !last || windowOfWord[s.lastWord] !== w || last.pieceEnd <= first.pieceStart) {
      skipped.push(i);
      return;
    }
    const base = encoded.words[windows[w]![0]]!.pieceStart;
    const piece = { start: first.pieceStart - base, end: last.pieceEnd - base };
    if (piece.end > maxPieces || hasUnscorable(encoded.ids, first.pieceStart, last.pieceEnd, options.unscorableIds)) {
      skipped.push(i);
      return;
    }
    perWindow[w]!.push({ span: i, piece });
  });
  windows.forEach(([a, b], w) => {
    const list = perWindow[w]!;
    if (list.length === 0) return;
    const from = encoded.words[a]!.pieceStart;
    const to = Math.min(encoded.words[b - 1]!.pieceEnd, from + maxPieces);
    const base = [options.clsId, ...encoded.ids.slice(from, to), options.sepId];
    const passOf = groupIntoPasses(
      list.map((x) => x.piece),
      options.minGap,
    );
    const firstRow = rows.length;
    const passes = Math.max(...passOf) + 1;
    for (let p = 0; p < passes; p++) rows.push(base.slice());
    list.forEach((x, j) => {
      const row = firstRow + passOf[j]!;
      for (let q = x.piece.start; q < x.piece.end; q++) {
        const position = q + 1;
        targets.push({ span: x.span, row, position, id: base[position]! });
        rows[row]![position] = options.maskId;
      }
    });
  });
  return { rows, targets, skipped };
}

function hasUnscorable(ids: readonly number[], from: number, to: number, unscorable: ReadonlySet<number> | undefined): boolean {
  if (!unscorable) return false;
  for (let i = from; i < to; i++) if (unscorable.has(ids[i]!)) return true;
  return false;
}

/** −mean log P(original pieces) per span; NaN for spans without targets. */
export function spanSurprise(plan: MaskedPlan, logProbs: ArrayLike<number>, spanCount: number): Float64Array {
  const sum = new Float64Array(spanCount);
  const count = new Float64Array(spanCount);
  plan.targets.forEach((t, i) => {
    sum[t.span]! -= logProbs[i] ?? 0;
    count[t.span]! += 1;
  });
  return sum.map((s, i) => (count[i]! > 0 ? s / count[i]! : Number.NaN));
}
