/**
 * The Atlas map's painter: draws the state's map on the canvas, at most once per animation frame.
 * Points go one path per cluster colour, or straight into an ImageData above 20k points (a path per
 * colour gets slow); filter non-matches are faded; cluster labels go where mapIndex.ts placeLabels
 * puts them; the hovered and selected points get rings. Colours follow the VS Code theme (the body's
 * theme classes and --vscode-* variables). It reads the state and writes only `reportedRender`.
 */
import type { AtlasState } from './atlasState';
import type { PaletteEntry } from './clusterColours';
import { placeLabels, pointSize, toScreen } from './mapIndex';

type ThemeKind = 'light' | 'dark' | 'hc';

function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light')) return 'hc';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

/** A cluster's colour in the current theme (clusterColours.ts chose its palette entry). */
function clusterColour(colours: Map<number, PaletteEntry>, c: number, alpha = 1): string {
  const { hue, shade } = colours.get(c) ?? { hue: 210, shade: 1 };
  const kind = themeKind();
  const s = kind === 'light' ? 70 : kind === 'hc' ? 100 : 65;
  const l = (kind === 'light' ? [30, 42, 52] : kind === 'hc' ? [50, 60, 72] : [50, 62, 74])[shade] ?? 60;
  return `hsla(${hue.toFixed(1)}, ${s}%, ${l}%, ${alpha})`;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Above this many points the map is written straight into an ImageData (a path per colour gets slow). */
const PIXEL_THRESHOLD = 20_000;

function blend(fg: number, bg: number, alpha: number): number {
  const ch = (w: number, shift: number): number => (w >>> shift) & 0xff;
  const mix = (shift: number): number => Math.round(ch(fg, shift) * alpha + ch(bg, shift) * (1 - alpha));
  return ((0xff << 24) | (mix(16) << 16) | (mix(8) << 8) | mix(0)) >>> 0;
}

/** `onFirstRender` is called once, after the first frame that showed points. */
export class AtlasPainter {
  private frame = 0;
  private pixelBuffer: ImageData | undefined;
  private readonly rgbaCache = new Map<string, number>();
  private readonly probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly state: AtlasState,
    private readonly onFirstRender: (points: number, width: number, height: number) => void,
  ) {}

  /** Repaint on the next animation frame (calls in between share it). */
  draw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  colour(cluster: number, alpha = 1): string {
    return clusterColour(this.state.colours, cluster, alpha);
  }

  private paint(): void {
    const t0 = performance.now();
    this.paintOnce();
    // Exposed for the UI tests' frame-time check (smoothness at 100k points).
    document.body.dataset.paintMs = (performance.now() - t0).toFixed(1);
  }

  private paintOnce(): void {
    const { canvas, state } = this;
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = canvas.getBoundingClientRect();
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const g = canvas.getContext('2d');
    const index = state.index;
    if (!g || !index) return;
    const { map, byCluster } = index;
    const view = state.view;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = cssVar('--vscode-editor-background', '#1e1e1e');
    g.fillRect(0, 0, width, height);
    const n = map.ids.length;
    const size = pointSize(n, view.scale, state.fitScale);
    const round = n <= 5_000;
    const xs = map.x;
    const ys = map.y;
    const matches = state.matches;
    if (n > PIXEL_THRESHOLD) this.paintPixels(g, width, height, dpr, size);
    else {
      for (let c = 0; c < byCluster.length; c++) {
        const idx = byCluster[c]!;
        if (idx.length === 0) continue;
        for (const pass of matches ? [0, 1] : [1]) {
          g.fillStyle = this.colour(c, matches && pass === 0 ? 0.25 : 0.9);
          g.beginPath();
          for (let k = 0; k < idx.length; k++) {
            const i = idx[k]!;
            if (matches && (matches[i] === 1) !== (pass === 1)) continue;
            const sx = (xs[i]! - view.cx) * view.scale + width / 2;
            const sy = (ys[i]! - view.cy) * view.scale + height / 2;
            if (sx < -size || sy < -size || sx > width + size || sy > height + size) continue;
            if (round) {
              g.moveTo(sx + size / 2, sy);
              g.arc(sx, sy, size / 2, 0, 2 * Math.PI);
            } else g.rect(sx - size / 2, sy - size / 2, size, size);
          }
          g.fill();
        }
      }
    }
    const fg = cssVar('--vscode-editor-foreground', '#ccc');
    const bg = cssVar('--vscode-editor-background', '#1e1e1e');
    g.font = `600 12px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (const label of placeLabels(index.centres, view, width, height, (text) => g.measureText(text).width)) {
      g.lineWidth = 4;
      g.strokeStyle = bg;
      g.strokeText(label.text, label.x, label.y);
      g.fillStyle = fg;
      g.fillText(label.text, label.x, label.y);
    }
    for (const [i, colour] of [
      [state.hovered, fg],
      [state.selected, cssVar('--vscode-focusBorder', '#0078d4')],
    ] as const) {
      if (i < 0 || i >= n) continue;
      const [sx, sy] = toScreen(view, xs[i]!, ys[i]!, width, height);
      g.strokeStyle = colour;
      g.lineWidth = 2;
      g.beginPath();
      g.arc(sx, sy, size + 4, 0, 2 * Math.PI);
      g.stroke();
    }
    if (!state.reportedRender && n > 0 && width > 0) {
      state.reportedRender = true;
      this.onFirstRender(n, width, height);
    }
  }

  /** A CSS colour as a little-endian RGBA word for a Uint32Array view of ImageData. */
  private rgbaWord(css: string): number {
    const hit = this.rgbaCache.get(css);
    if (hit !== undefined) return hit;
    let word = 0xff808080;
    const probe = this.probe;
    if (probe) {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0, a = 255] = probe.getImageData(0, 0, 1, 1).data;
      word = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
    }
    this.rgbaCache.set(css, word);
    return word;
  }

  private paintPixels(g: CanvasRenderingContext2D, width: number, height: number, dpr: number, size: number): void {
    const { index, view, matches } = this.state;
    if (!index) return;
    const { map, byCluster } = index;
    const W = g.canvas.width;
    const H = g.canvas.height;
    if (!this.pixelBuffer || this.pixelBuffer.width !== W || this.pixelBuffer.height !== H) this.pixelBuffer = g.createImageData(W, H);
    const buf = new Uint32Array(this.pixelBuffer.data.buffer);
    const bg = this.rgbaWord(cssVar('--vscode-editor-background', '#1e1e1e')) | 0xff000000;
    buf.fill(bg);
    const s = Math.max(1, Math.round(size * dpr));
    const half = s >> 1;
    const k = view.scale * dpr;
    const ox = (width / 2) * dpr - view.cx * k;
    const oy = (height / 2) * dpr - view.cy * k;
    const xs = map.x;
    const ys = map.y;
    for (const pass of matches ? [0, 1] : [1]) {
      for (let c = 0; c < byCluster.length; c++) {
        const idx = byCluster[c]!;
        const full = this.rgbaWord(this.colour(c, 1));
        const colour = matches && pass === 0 ? blend(full, bg, 0.18) : blend(full, bg, 0.9);
        for (let j = 0; j < idx.length; j++) {
          const i = idx[j]!;
          if (matches && (matches[i] === 1) !== (pass === 1)) continue;
          const px = (xs[i]! * k + ox - half) | 0;
          const py = (ys[i]! * k + oy - half) | 0;
          if (px < 0 || py < 0 || px + s > W || py + s > H) continue;
          for (let dy = 0; dy < s; dy++) buf.fill(colour, (py + dy) * W + px, (py + dy) * W + px + s);
        }
      }
    }
    g.putImageData(this.pixelBuffer, 0, 0);
  }
}
