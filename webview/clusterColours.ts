/**
 * Colours of the topic map's clusters. A fixed cycle of hues gave clusters 0 and 12 nearly the same
 * colour, and nothing stopped two neighbouring clusters from getting similar ones. Here every cluster
 * gets its own palette entry (evenly spaced hues, in three lightness steps when there are many), and entries are handed out
 * largest cluster first so that each cluster's colour is as far as possible from those of its
 * nearest neighbours on the map. Pure, so it is unit-tested without a browser.
 */
export interface ClusterCentre {
  cluster: number;
  x: number;
  y: number;
  size: number;
}

export interface PaletteEntry {
  hue: number;
  /** 0, 1 or 2: darker, middle, lighter. */
  shade: number;
}

/** Neighbours a cluster's colour is kept apart from. */
const NEIGHBOURS = 5;

/**
 * k entries: up to 12 clusters get evenly spaced hues in one shade; more get ⌈k/3⌉ hues in each of
 * three shades, the shades' hues offset by a third of a step so no two entries share a hue.
 */
export function palette(k: number): PaletteEntry[] {
  const n = Math.max(1, k);
  if (n <= 12) return Array.from({ length: n }, (_, i) => ({ hue: (210 + (i * 360) / n) % 360, shade: 1 }));
  const hues = Math.ceil(n / 3);
  const out: PaletteEntry[] = [];
  for (const [j, shade] of [1, 0, 2].entries()) for (let h = 0; h < hues; h++) out.push({ hue: (210 + ((h + j / 3) * 360) / hues) % 360, shade });
  return out.slice(0, n);
}

/** 0 (same colour) … about 1.7 (opposite hue, other end of the shades). */
export function colourDistance(a: PaletteEntry, b: PaletteEntry): number {
  const dh = Math.abs(a.hue - b.hue) % 360;
  return Math.min(dh, 360 - dh) / 180 + 0.35 * Math.abs(a.shade - b.shade);
}

/** Palette entry of each cluster id. */
export function assignClusterColours(centres: readonly ClusterCentre[]): Map<number, PaletteEntry> {
  const entries = palette(centres.length);
  const free = new Set(entries.keys());
  const chosen = new Map<number, PaletteEntry>();
  const order = [...centres].sort((a, b) => b.size - a.size || a.cluster - b.cluster);
  for (const c of order) {
    const near = centres
      .filter((o) => o !== c && chosen.has(o.cluster))
      .map((o) => ({ o, d: (o.x - c.x) ** 2 + (o.y - c.y) ** 2 }))
      .sort((a, b) => a.d - b.d)
      .slice(0, NEIGHBOURS)
      .map(({ o }) => chosen.get(o.cluster)!);
    let best = -1;
    let bestScore = -Infinity;
    for (const slot of free) {
      const e = entries[slot]!;
      // The nearest neighbour counts most: weight the distances by rank.
      const score = near.length === 0 ? -slot : Math.min(...near.map((n, rank) => colourDistance(e, n) * (1 + rank * 0.25)));
      if (score > bestScore) [best, bestScore] = [slot, score];
    }
    free.delete(best);
    chosen.set(c.cluster, entries[best]!);
  }
  return chosen;
}
