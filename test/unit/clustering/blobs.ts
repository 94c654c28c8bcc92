import { seededRandom } from '../../../src/core/clustering/seededRandom';

/** `k` well-separated unit-vector blobs in `dim` dimensions, `per` points each; labels 0..k-1. */
export function blobs(k: number, per: number, dim: number, noise = 0.05, seed = 1): { vectors: Float32Array[]; labels: number[] } {
  const random = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: k }, () => unit(Float32Array.from({ length: dim }, gauss)));
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < per; i++) {
      const centre = centres[c] as Float32Array;
      vectors.push(unit(Float32Array.from(centre, (v) => v + noise * gauss())));
      labels.push(c);
    }
  }
  return { vectors, labels };
}

export function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v) || 1;
  return v.map((t) => t / n);
}
