/**
 * Vectors packed into one row-major Float32Array. Clustering 75k papers touches every vector many
 * times; one contiguous buffer keeps those loops fast and avoids 75k small typed-array objects.
 */

export interface DenseRows {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

export function packRows(vectors: readonly Float32Array[]): DenseRows {
  const rows = vectors.length;
  const dim = vectors[0]?.length ?? 0;
  const data = new Float32Array(rows * dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`vector ${i} has ${v.length} dims, expected ${dim}`);
    data.set(v, i * dim);
  });
  return { data, rows, dim };
}

/** Rows selected by index, in that order. */
export function selectRows(m: DenseRows, indices: readonly number[]): DenseRows {
  const data = new Float32Array(indices.length * m.dim);
  indices.forEach((r, i) => data.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), i * m.dim));
  return { data, rows: indices.length, dim: m.dim };
}

/**
 * Dot product of a[ao..ao+dim) and b[bo..bo+dim). Four accumulators: this is the innermost loop of
 * k-means, neighbour search and placement, and unrolling it is worth ~25% on V8.
 */
export function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    s0 += (a[ao + d] as number) * (b[bo + d] as number);
    s1 += (a[ao + d + 1] as number) * (b[bo + d + 1] as number);
    s2 += (a[ao + d + 2] as number) * (b[bo + d + 2] as number);
    s3 += (a[ao + d + 3] as number) * (b[bo + d + 3] as number);
  }
  for (; d < dim; d++) s0 += (a[ao + d] as number) * (b[bo + d] as number);
  return s0 + s1 + s2 + s3;
}

/** Scales each row to unit length (zero rows stay zero). */
export function normaliseRows(data: Float32Array, rows: number, dim: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += (data[o + j] as number) ** 2;
    if (s <= 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) data[o + j] = (data[o + j] as number) * inv;
  }
}

/**
 * Indices and similarities of the `k` rows of `candidates` (a subset of `m`, by index) most similar
 * to `query`, best first. A small insertion list beats sorting: k is tiny, candidates are many.
 */
export function topKSimilar(
  m: DenseRows,
  query: Float32Array,
  queryOffset: number,
  candidates: ArrayLike<number>,
  k: number,
  exclude = -1,
): { index: number[]; sim: number[] } {
  const index: number[] = [];
  const sim: number[] = [];
  const { data, dim } = m;
  for (let c = 0; c < candidates.length; c++) {
    const r = candidates[c] as number;
    if (r === exclude) continue;
    const s = dotAt(query, queryOffset, data, r * dim, dim);
    if (index.length === k && s <= (sim[k - 1] as number)) continue;
    let p = Math.min(index.length, k - 1);
    if (index.length < k) {
      index.push(r);
      sim.push(s);
    }
    while (p > 0 && (sim[p - 1] as number) < s) {
      index[p] = index[p - 1] as number;
      sim[p] = sim[p - 1] as number;
      p--;
    }
    index[p] = r;
    sim[p] = s;
  }
  return { index, sim };
}
