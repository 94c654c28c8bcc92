/**
 * Turning tokenised texts into model batches. Sorting by length and cutting batches by a token
 * budget means almost no padding is computed: a batch of 200-token abstracts is not padded to the
 * length of one 512-token outlier.
 */

export interface TokenisedText {
  /** Position of the text in the caller's input list. */
  index: number;
  ids: number[];
}

/**
 * Groups texts into batches of similar length: at most `maxBatch` texts and at most
 * `maxTokensPerBatch` padded tokens each. Returns batches in ascending length order.
 */
export function lengthSortedBatches(
  texts: readonly TokenisedText[],
  maxBatch: number,
  maxTokensPerBatch: number,
): TokenisedText[][] {
  const sorted = [...texts].sort((a, b) => a.ids.length - b.ids.length);
  const batches: TokenisedText[][] = [];
  let current: TokenisedText[] = [];
  for (const t of sorted) {
    // Sorted ascending, so the newest text is the longest: it sets the padded width.
    const paddedTokens = (current.length + 1) * t.ids.length;
    if (current.length > 0 && (current.length >= maxBatch || paddedTokens > maxTokensPerBatch)) {
      batches.push(current);
      current = [];
    }
    current.push(t);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Row-major padded int64 tensors for input_ids / attention_mask / token_type_ids. */
export function padBatch(batch: readonly TokenisedText[], padId: number): {
  width: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
} {
  const width = Math.max(1, ...batch.map((t) => t.ids.length));
  const n = batch.length * width;
  const inputIds = new BigInt64Array(n).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(n);
  const tokenTypeIds = new BigInt64Array(n);
  batch.forEach((t, row) => {
    const base = row * width;
    t.ids.forEach((id, col) => {
      inputIds[base + col] = BigInt(id);
      attentionMask[base + col] = 1n;
    });
  });
  return { width, inputIds, attentionMask, tokenTypeIds };
}

/**
 * Pools a [batch, seq, hidden] output into one L2-normalised vector per row.
 * `mean` averages over real tokens (mask), `cls` takes position 0.
 */
export function poolAndNormalise(
  hidden: Float32Array,
  batchSize: number,
  width: number,
  dims: number,
  attentionMask: BigInt64Array,
  pooling: 'mean' | 'cls',
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batchSize; b++) {
    const v = new Float32Array(dims);
    if (pooling === 'cls') {
      v.set(hidden.subarray(b * width * dims, b * width * dims + dims));
    } else {
      let count = 0;
      for (let t = 0; t < width; t++) {
        if (attentionMask[b * width + t] === 0n) continue;
        count++;
        const base = (b * width + t) * dims;
        for (let d = 0; d < dims; d++) v[d]! += hidden[base + d]!;
      }
      if (count > 0) for (let d = 0; d < dims; d++) v[d]! /= count;
    }
    out.push(l2Normalise(v));
  }
  return out;
}

export function l2Normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}
