/**
 * Small rules of the Atlas panel that decide what the user sees, kept pure for unit tests: whether a
 * saved view still fits the map, how a resize changes the zoom, and where the abstract starts in the
 * keyword text.
 */
export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/**
 * Identifies a layout: a saved view (centre and zoom in map coordinates) is only meaningful for the
 * layout it was saved on. A rebuilt index or a new model lays the map out anew, so the old view
 * would show an empty corner with the points off-screen.
 */
export function layoutKey(points: number, b: Bounds): string {
  return [points, b.minX, b.maxX, b.minY, b.maxY].map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(6))).join(':');
}

/** The zoom that shows the whole map in a canvas of this size (margins leave room for labels). */
export function fitScaleFor(b: Bounds, width: number, height: number): number {
  const w = Math.max(1e-6, b.maxX - b.minX);
  const h = Math.max(1e-6, b.maxY - b.minY);
  return Math.min(Math.max(width - 160, 100) / w, Math.max(height - 120, 100) / h);
}

/**
 * After a resize the user keeps seeing the same part of the map: the zoom changes by the ratio of
 * the fit zooms before and after (a view that showed the whole map still shows it).
 */
export function resizedScale(scale: number, fitBefore: number, fitAfter: number): number {
  return fitBefore > 0 ? scale * (fitAfter / fitBefore) : scale;
}

/**
 * Offset of the abstract in a paper's keyword text, which is "title. abstract": the side pane shows
 * the title as its heading already.
 */
export function abstractStart(text: string, title: string): number {
  const t = title.trim();
  if (t === '' || !text.startsWith(t)) return 0;
  let at = t.length;
  while (at < text.length && /[\s.:]/.test(text[at]!)) at++;
  return at;
}
