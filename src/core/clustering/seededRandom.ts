/**
 * Deterministic randomness for clustering and layout. Every random choice (k-means++ seeds,
 * mini-batches, UMAP's negative samples, jitter) draws from one of these, so the same library and
 * seed always give the same map — a map that reshuffles on every refresh is useless.
 */

export type RandomFn = () => number;

/** mulberry32: tiny, fast, and good enough for sampling (not for cryptography). */
export function seededRandom(seed: number): RandomFn {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a (32-bit): per-paper seeds and text fingerprints that do not depend on input order. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Fisher–Yates on a copy; the first `count` entries are a uniform sample without replacement. */
export function sampleIndices(n: number, count: number, random: RandomFn): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(count, n);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.slice(0, m);
}
