/**
 * Agreement between two labelings of the same items: mutual information, NMI and AMI (Vinh, Epps &
 * Bailey 2010), with the arithmetic-mean normaliser (scikit-learn's default), in nats. AMI subtracts
 * the mutual information expected by chance under the hypergeometric model, so unlike NMI it does not
 * reward simply making more clusters — which matters when comparing ways of choosing k.
 */

export interface Contingency {
  /** Row sums (sizes of the classes in labeling a). */
  a: number[];
  /** Column sums (sizes of the classes in labeling b). */
  b: number[];
  /** Non-zero cells as [row, col, count]. */
  cells: Array<[number, number, number]>;
  n: number;
}

export function contingency(labelsA: ArrayLike<number | string>, labelsB: ArrayLike<number | string>): Contingency {
  if (labelsA.length !== labelsB.length) throw new Error(`labelings differ in length: ${labelsA.length} vs ${labelsB.length}`);
  const rowOf = new Map<number | string, number>();
  const colOf = new Map<number | string, number>();
  const a: number[] = [];
  const b: number[] = [];
  const cellCount = new Map<number, number>();
  const n = labelsA.length;
  const rowIds: number[] = [];
  const colIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const la = labelsA[i] as number | string;
    const lb = labelsB[i] as number | string;
    let r = rowOf.get(la);
    if (r === undefined) rowOf.set(la, (r = a.push(0) - 1));
    let c = colOf.get(lb);
    if (c === undefined) colOf.set(lb, (c = b.push(0) - 1));
    a[r] = (a[r] as number) + 1;
    b[c] = (b[c] as number) + 1;
    rowIds.push(r);
    colIds.push(c);
  }
  const width = b.length;
  for (let i = 0; i < n; i++) {
    const key = (rowIds[i] as number) * width + (colIds[i] as number);
    cellCount.set(key, (cellCount.get(key) ?? 0) + 1);
  }
  const cells: Array<[number, number, number]> = [];
  for (const [key, count] of cellCount) cells.push([Math.floor(key / width), key % width, count]);
  return { a, b, cells, n };
}

function entropy(sizes: readonly number[], n: number): number {
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

export function mutualInformation(t: Contingency): number {
  const { a, b, cells, n } = t;
  let mi = 0;
  for (const [r, c, nij] of cells) mi += (nij / n) * Math.log((n * nij) / ((a[r] as number) * (b[c] as number)));
  return Math.max(0, mi);
}

/** log(k!) for k = 0..n, by summing logs: exact enough and O(n) once per call. */
function logFactorials(n: number): Float64Array {
  const lf = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) lf[k] = (lf[k - 1] as number) + Math.log(k);
  return lf;
}

/**
 * E[MI] over all labelings with the same class sizes (hypergeometric model):
 * Σ_i Σ_j Σ_nij (nij/N)·log(N·nij/(ai·bj)) · P(nij | ai, bj, N).
 * The probability is evaluated in log space; factorials of 75k overflow any float otherwise.
 */
export function expectedMutualInformation(t: Contingency): number {
  const { a, b, n } = t;
  if (n <= 1) return 0;
  const lf = logFactorials(n);
  const lfn = lf[n] as number;
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const lo = Math.max(1, ai + bj - n);
      const hi = Math.min(ai, bj);
      const constant = (lf[ai] as number) + (lf[bj] as number) + (lf[n - ai] as number) + (lf[n - bj] as number) - lfn;
      for (let nij = lo; nij <= hi; nij++) {
        const logP = constant - (lf[nij] as number) - (lf[ai - nij] as number) - (lf[bj - nij] as number) - (lf[n - ai - bj + nij] as number);
        emi += (nij / n) * Math.log((n * nij) / (ai * bj)) * Math.exp(logP);
      }
    }
  }
  return emi;
}

/** Normalised mutual information, MI / mean(H(a), H(b)); 1 when both labelings are a single class. */
export function normalizedMutualInformation(labelsA: ArrayLike<number | string>, labelsB: ArrayLike<number | string>): number {
  const t = contingency(labelsA, labelsB);
  const ha = entropy(t.a, t.n);
  const hb = entropy(t.b, t.n);
  if (ha === 0 && hb === 0) return 1;
  const mean = (ha + hb) / 2;
  return mean > 0 ? mutualInformation(t) / mean : 0;
}

/**
 * Adjusted mutual information, (MI − E[MI]) / (mean(H(a), H(b)) − E[MI]): 1 for identical
 * labelings (up to renaming), about 0 for independent ones, negative when worse than chance.
 */
export function adjustedMutualInformation(labelsA: ArrayLike<number | string>, labelsB: ArrayLike<number | string>): number {
  const t = contingency(labelsA, labelsB);
  // Same convention as scikit-learn: two single-class (or empty) labelings agree perfectly.
  if ((t.a.length === 1 && t.b.length === 1) || t.n === 0) return 1;
  const mi = mutualInformation(t);
  const emi = expectedMutualInformation(t);
  const mean = (entropy(t.a, t.n) + entropy(t.b, t.n)) / 2;
  let denominator = mean - emi;
  // Guard the division like scikit-learn: keep the sign, never divide by ~0.
  denominator = denominator < 0 ? Math.min(denominator, -Number.EPSILON) : Math.max(denominator, Number.EPSILON);
  return (mi - emi) / denominator;
}
