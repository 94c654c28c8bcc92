/**
 * Keyphrase evaluation as in the SemEval 2017 task 10 / keyphrase-generation literature: predicted
 * and gold phrases are compared after lower-casing and Porter stemming (exact match of the stemmed
 * forms), and F1@k is averaged over documents (macro).
 */
import { phraseKey } from './candidatePhrases';

export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
  matched: number;
}

/**
 * Precision divides by the number of (distinct) predictions kept, at most k, so a text with few
 * candidates is not punished for them; duplicates after stemming count once.
 */
export function f1AtK(predicted: readonly string[], gold: readonly string[], k: number): PrecisionRecall {
  return f1AtKOfKeys(predicted.map(phraseKey), new Set(gold.map(phraseKey)), k);
}

/** The same on phrases already reduced to keys by `phraseKey` (the benchmark keys everything once). */
export function f1AtKOfKeys(predicted: readonly string[], gold: ReadonlySet<string>, k: number): PrecisionRecall {
  const goldKeys = new Set([...gold].filter((g) => g.length > 0));
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const key of predicted) {
    if (key.length === 0 || seen.has(key)) continue;
    seen.add(key);
    kept.push(key);
    if (kept.length >= k) break;
  }
  const matched = kept.filter((key) => goldKeys.has(key)).length;
  const precision = kept.length ? matched / kept.length : 0;
  const recall = goldKeys.size ? matched / goldKeys.size : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, matched };
}

export function meanOf(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
