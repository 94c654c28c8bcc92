/**
 * The Atlas panel (browser code): a canvas topic map that stays smooth at 100k points (points batched
 * per cluster colour into one path, a uniform grid for hit-testing, redraw only on change), cluster
 * labels at cluster centres, hover tooltip, click/Enter to select, a filter box that highlights
 * matches, and a side pane with the selected paper (abstract with keyword heat-map, related work,
 * actions). Talks to the host only through the validated protocol of src/shared/panelProtocol.ts.
 */
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { assignClusterColours, type PaletteEntry } from './clusterColours';
import { abstractStart, fitScaleFor, resizedScale } from './atlasViewRules';
import { buildMapIndex, filterTitles, fitView, keepInView, nearestPoint, panned, placeLabels, pointAt as hitTest, pointSize, toScreen as project, zoomAt, zoomBy, type MapIndex } from './mapIndex';
import { countWords, tintLevels } from '../src/shared/keywordTint';
import { parseHostToPanel, parsePanelState, type HostToPanel, type MapMessage, type PanelAction, type PanelState, type PanelToHost } from '../src/shared/panelProtocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (msg: PanelToHost): void => vscode.postMessage(msg);
const state: PanelState = parsePanelState(vscode.getState());
const saveState = (): void => vscode.setState(state);

// ---------------------------------------------------------------------------------------------
// DOM

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

const app = document.getElementById('app')!;
const filterInput = el('vscode-textfield' as 'input', { placeholder: 'Filter papers by title…', 'aria-label': 'Filter papers by title', id: 'filter' });
const matchBadge = el('span', { id: 'match-count', role: 'status', 'aria-live': 'polite' });
const zoomIn = el('vscode-button' as 'button', { icon: 'zoom-in', secondary: '', title: 'Zoom in (+)', 'aria-label': 'Zoom in' });
const zoomOut = el('vscode-button' as 'button', { icon: 'zoom-out', secondary: '', title: 'Zoom out (-)', 'aria-label': 'Zoom out' });
const zoomFit = el('vscode-button' as 'button', { icon: 'screen-normal', secondary: '', title: 'Fit (0)', 'aria-label': 'Fit the whole map' });
const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Atlas tools' }, filterInput, matchBadge, zoomIn, zoomOut, zoomFit);
const banner = el('div', { class: 'banner', role: 'status', hidden: '' });
const matchList = el('ul', { class: 'matches', 'aria-label': 'Matching papers' });
const canvas = el('canvas', {
  id: 'atlas-map',
  tabindex: '0',
  role: 'application',
  'aria-label': 'Topic map. Arrow keys pan, plus and minus zoom, 0 fits, Enter selects the paper nearest the centre, N and P step through filter matches.',
});
const tooltip = el('div', { class: 'tooltip', role: 'tooltip', hidden: '' });
const legend = el('details', { class: 'legend', open: '' });
const mapPane = el('div', { class: 'map' }, canvas, matchList, tooltip, legend);
const side = el('aside', { class: 'side', 'aria-label': 'Selected paper', 'aria-live': 'polite' });
const main = el('div', { class: 'main' }, el('div', { class: 'left' }, banner, mapPane), side);
app.append(toolbar, main);
side.append(el('p', { class: 'empty' }, 'Select a point on the map to see the paper, its keywords and related work.'));

// ---------------------------------------------------------------------------------------------
// Map data and view

let index: MapIndex | undefined;
let map: MapMessage | undefined;
let matches: Uint8Array | undefined;
let matchIds: number[] = [];
let matchCursor = -1;
let hovered = -1;
let selected = -1;
const view = { cx: 0, cy: 0, scale: 1 };
let reportedRender = false;

function themeKind(): 'light' | 'dark' | 'hc' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light')) return 'hc';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

/** Palette entry of each cluster (webview/clusterColours.ts: neighbouring clusters kept apart). */
let colours = new Map<number, PaletteEntry>();
function clusterColour(c: number, alpha = 1): string {
  const { hue, shade } = colours.get(c) ?? { hue: 210, shade: 1 };
  const kind = themeKind();
  const s = kind === 'light' ? 70 : kind === 'hc' ? 100 : 65;
  const l = (kind === 'light' ? [30, 42, 52] : kind === 'hc' ? [50, 60, 72] : [50, 62, 74])[shade] ?? 60;
  return `hsla(${hue.toFixed(1)}, ${s}%, ${l}%, ${alpha})`;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function setMap(m: MapMessage): void {
  index = buildMapIndex(m);
  map = m;
  colours = assignClusterColours(index.centres);
  banner.hidden = !m.fallback;
  banner.textContent = m.fallback ?? '';
  selected = state.selectedId ? m.ids.indexOf(state.selectedId) : -1;
  layout = index.layout;
  fit();
  // A saved view is restored only on the layout it was saved on (a reload of the panel); a rebuilt
  // index or another model lays the map out anew, and the old view would show an empty corner.
  if (state.view && state.view.layout === layout) {
    view.cx = state.view.cx;
    view.cy = state.view.cy;
    view.scale = state.view.scale;
    userMoved = true;
  } else {
    userMoved = false;
    state.view = undefined;
    saveState();
  }
  applyFilter(state.filter ?? '');
  renderLegend();
  draw();
}

function fit(): void {
  if (!index) return;
  const { width, height } = canvas.getBoundingClientRect();
  Object.assign(view, fitView(index.bounds, width, height));
  fitScale = view.scale;
}
let fitScale = 1;
let layout = '';
/** Until the user zooms or pans, the map refits whenever the panel is resized. */
let userMoved = false;

const toScreen = (x: number, y: number, w: number, h: number): [number, number] => project(view, x, y, w, h);

let frame = 0;
function draw(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    paint();
  });
}

function paint(): void {
  const t0 = performance.now();
  paintOnce();
  // Exposed for the UI tests' frame-time check (smoothness at 100k points).
  document.body.dataset.paintMs = (performance.now() - t0).toFixed(1);
}

function paintOnce(): void {
  const dpr = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const g = canvas.getContext('2d');
  if (!g || !map || !index) return;
  const byCluster = index.byCluster;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = cssVar('--vscode-editor-background', '#1e1e1e');
  g.fillRect(0, 0, width, height);
  const n = map.ids.length;
  const size = pointSize(n, view.scale, fitScale);
  const round = n <= 5_000;
  const xs = map.x;
  const ys = map.y;
  const filtering = matches !== undefined;
  if (n > PIXEL_THRESHOLD) paintPixels(g, width, height, dpr, size);
  else {
    for (let c = 0; c < byCluster.length; c++) {
      const idx = byCluster[c]!;
      if (idx.length === 0) continue;
      for (const pass of filtering ? [0, 1] : [1]) {
        g.fillStyle = clusterColour(c, filtering && pass === 0 ? 0.25 : 0.9);
        g.beginPath();
        for (let k = 0; k < idx.length; k++) {
          const i = idx[k]!;
          if (filtering && (matches![i] === 1) !== (pass === 1)) continue;
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
  // Cluster labels at centres, larger clusters first, skipping any that would overlap a drawn one.
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
    [hovered, fg],
    [selected, cssVar('--vscode-focusBorder', '#0078d4')],
  ] as const) {
    if (i < 0 || i >= n) continue;
    const [sx, sy] = toScreen(xs[i]!, ys[i]!, width, height);
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.beginPath();
    g.arc(sx, sy, size + 4, 0, 2 * Math.PI);
    g.stroke();
  }
  if (!reportedRender && n > 0 && width > 0) {
    reportedRender = true;
    send({ type: 'rendered', points: n, width: Math.round(width), height: Math.round(height) });
  }
}

/** Above this many points the map is written straight into an ImageData (a path per colour gets slow). */
const PIXEL_THRESHOLD = 20_000;
const rgbaCache = new Map<string, number>();
const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });

/** A CSS colour as a little-endian RGBA word for a Uint32Array view of ImageData. */
function rgbaWord(css: string): number {
  const hit = rgbaCache.get(css);
  if (hit !== undefined) return hit;
  let word = 0xff808080;
  if (probe) {
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    const [r = 0, g = 0, b = 0, a = 255] = probe.getImageData(0, 0, 1, 1).data;
    word = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  rgbaCache.set(css, word);
  return word;
}

function blend(fg: number, bg: number, alpha: number): number {
  const ch = (w: number, shift: number): number => (w >>> shift) & 0xff;
  const mix = (shift: number): number => Math.round(ch(fg, shift) * alpha + ch(bg, shift) * (1 - alpha));
  return ((0xff << 24) | (mix(16) << 16) | (mix(8) << 8) | mix(0)) >>> 0;
}

let pixelBuffer: ImageData | undefined;
function paintPixels(g: CanvasRenderingContext2D, width: number, height: number, dpr: number, size: number): void {
  if (!map || !index) return;
  const byCluster = index.byCluster;
  const W = g.canvas.width;
  const H = g.canvas.height;
  if (!pixelBuffer || pixelBuffer.width !== W || pixelBuffer.height !== H) pixelBuffer = g.createImageData(W, H);
  const buf = new Uint32Array(pixelBuffer.data.buffer);
  const bg = rgbaWord(cssVar('--vscode-editor-background', '#1e1e1e')) | 0xff000000;
  buf.fill(bg);
  const s = Math.max(1, Math.round(size * dpr));
  const half = s >> 1;
  const k = view.scale * dpr;
  const ox = (width / 2) * dpr - view.cx * k;
  const oy = (height / 2) * dpr - view.cy * k;
  const xs = map.x;
  const ys = map.y;
  const filtering = matches !== undefined;
  for (const pass of filtering ? [0, 1] : [1]) {
    for (let c = 0; c < byCluster.length; c++) {
      const idx = byCluster[c]!;
      const full = rgbaWord(clusterColour(c, 1));
      const colour = filtering && pass === 0 ? blend(full, bg, 0.18) : blend(full, bg, 0.9);
      for (let j = 0; j < idx.length; j++) {
        const i = idx[j]!;
        if (filtering && (matches![i] === 1) !== (pass === 1)) continue;
        const px = (xs[i]! * k + ox - half) | 0;
        const py = (ys[i]! * k + oy - half) | 0;
        if (px < 0 || py < 0 || px + s > W || py + s > H) continue;
        for (let dy = 0; dy < s; dy++) buf.fill(colour, (py + dy) * W + px, (py + dy) * W + px + s);
      }
    }
  }
  g.putImageData(pixelBuffer, 0, 0);
}

/** Every topic, largest first, in a list that scrolls (and folds away) instead of stopping at 12. */
function renderLegend(): void {
  const centres = index?.centres ?? [];
  const items = centres.map((c) => {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = clusterColour(c.cluster);
    return el('li', { class: 'legend-item' }, swatch, `${c.label} (${c.size.toLocaleString()})`);
  });
  legend.replaceChildren(el('summary', {}, `${centres.length} ${centres.length === 1 ? 'topic' : 'topics'}`), el('ul', { 'aria-label': 'Topics' }, ...items));
}

function pointAt(sx: number, sy: number): number {
  if (!index) return -1;
  const { width, height } = canvas.getBoundingClientRect();
  return hitTest(index, view, sx, sy, width, height);
}

function nearestToCentre(): number {
  return index ? nearestPoint(index, view.cx, view.cy, matches) : -1;
}

function selectIndex(i: number, centre: boolean): void {
  if (!map || i < 0) return;
  selected = i;
  state.selectedId = map.ids[i];
  if (centre) {
    // Move the view only when the paper is outside it (or close to the edge).
    const { width, height } = canvas.getBoundingClientRect();
    Object.assign(view, keepInView(view, map.x[i]!, map.y[i]!, width, height));
  }
  saveState();
  draw();
  send({ type: 'select', id: map.ids[i]! });
}

function persistView(): void {
  userMoved = true;
  state.view = { ...view, layout };
  saveState();
}

/** Back to the whole map; later resizes refit it again. */
function resetView(): void {
  fit();
  userMoved = false;
  state.view = undefined;
  saveState();
  draw();
}

// ---------------------------------------------------------------------------------------------
// Filter

let filterTimer: ReturnType<typeof setTimeout> | undefined;
function applyFilter(text: string): void {
  state.filter = text;
  saveState();
  const found = index && filterTitles(index, text);
  if (!map || !found) {
    matches = undefined;
    matchIds = [];
    matchBadge.textContent = map ? `${map.ids.length.toLocaleString()} papers` : '';
    matchList.replaceChildren();
    draw();
    return;
  }
  matches = found.matches;
  matchIds = found.ids;
  matchCursor = -1;
  matchBadge.textContent = `${matchIds.length.toLocaleString()} of ${map.ids.length.toLocaleString()} match`;
  matchList.replaceChildren();
  showMoreMatches();
  draw();
}

/** Matches listed at a time: the list scrolls, and a last row lists the next ones. */
const MATCH_PAGE = 50;
function showMoreMatches(): void {
  if (!map) return;
  matchList.querySelector('.more')?.remove();
  const shown = matchList.childElementCount;
  for (const i of matchIds.slice(shown, shown + MATCH_PAGE)) {
    const b = el('button', { class: 'match', type: 'button', title: map.titles[i]! }, map.titles[i]!);
    b.addEventListener('click', () => selectIndex(i, true));
    matchList.append(el('li', {}, b));
  }
  const left = matchIds.length - matchList.childElementCount;
  if (left > 0) {
    const more = el('button', { class: 'match more-button', type: 'button' }, `Show ${Math.min(left, MATCH_PAGE)} more (${left.toLocaleString()} not listed)`);
    more.addEventListener('click', () => {
      showMoreMatches();
      (matchList.querySelectorAll<HTMLElement>('.match')[shown + MATCH_PAGE] ?? more).focus();
    });
    matchList.append(el('li', { class: 'more' }, more));
  }
}

filterInput.addEventListener('input', () => {
  if (filterTimer) clearTimeout(filterTimer);
  filterTimer = setTimeout(() => applyFilter((filterInput as unknown as { value: string }).value ?? ''), 80);
});

// ---------------------------------------------------------------------------------------------
// Pointer and keyboard

let drag: { x: number; y: number; cx: number; cy: number; moved: boolean } | undefined;
canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  drag = { x: e.clientX, y: e.clientY, cx: view.cx, cy: view.cy, moved: false };
});
canvas.addEventListener('pointermove', (e) => {
  const rect = canvas.getBoundingClientRect();
  if (drag) {
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    Object.assign(view, panned({ cx: drag.cx, cy: drag.cy, scale: view.scale }, dx, dy));
    draw();
    return;
  }
  const i = pointAt(e.clientX - rect.left, e.clientY - rect.top);
  if (i !== hovered) {
    hovered = i;
    draw();
  }
  if (i >= 0 && map) {
    const cluster = map.clusters.find((c) => c.id === map!.cluster[i]);
    tooltip.replaceChildren(el('strong', {}, map.titles[i]!), el('br'), `${map.years[i] ?? ''}${cluster ? ` · ${cluster.label}` : ''}`);
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.clientX - rect.left + 14, rect.width - 280)}px`;
    tooltip.style.top = `${e.clientY - rect.top + 14}px`;
  } else tooltip.hidden = true;
});
canvas.addEventListener('pointerup', (e) => {
  const wasDrag = drag?.moved;
  drag = undefined;
  if (wasDrag) {
    persistView();
    return;
  }
  const rect = canvas.getBoundingClientRect();
  const i = pointAt(e.clientX - rect.left, e.clientY - rect.top);
  if (i >= 0) selectIndex(i, false);
});
canvas.addEventListener('pointerleave', () => {
  hovered = -1;
  tooltip.hidden = true;
  draw();
});
canvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    Object.assign(view, zoomAt(view, Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top, rect.width, rect.height));
    persistView();
    draw();
  },
  { passive: false },
);

function zoom(factor: number): void {
  Object.assign(view, zoomBy(view, factor));
  persistView();
  draw();
}
zoomIn.addEventListener('click', () => zoom(1.4));
zoomOut.addEventListener('click', () => zoom(1 / 1.4));
zoomFit.addEventListener('click', resetView);

canvas.addEventListener('keydown', (e) => {
  const step = 60 / view.scale;
  const keys: Record<string, () => void> = {
    ArrowLeft: () => (view.cx -= step),
    ArrowRight: () => (view.cx += step),
    ArrowUp: () => (view.cy -= step),
    ArrowDown: () => (view.cy += step),
    '+': () => zoom(1.4),
    '=': () => zoom(1.4),
    '-': () => zoom(1 / 1.4),
    '0': () => resetView(),
    Enter: () => selectIndex(nearestToCentre(), true),
    n: () => {
      if (matchIds.length) selectIndex(matchIds[(matchCursor = (matchCursor + 1) % matchIds.length)]!, true);
    },
    p: () => {
      if (matchIds.length) selectIndex(matchIds[(matchCursor = (matchCursor - 1 + matchIds.length) % matchIds.length)]!, true);
    },
    '/': () => (filterInput as HTMLElement).focus(),
  };
  const action = keys[e.key];
  if (!action) return;
  e.preventDefault();
  action();
  if (e.key !== '0') persistView();
  draw();
});

new ResizeObserver(() => {
  if (map && !userMoved) fit();
  else if (map) {
    // Keep showing the same part of the map: zoom by how much the whole-map zoom changed.
    const { width, height } = canvas.getBoundingClientRect();
    const after = fitScaleFor(index!.bounds, width, height);
    view.scale = resizedScale(view.scale, fitScale, after);
    fitScale = after;
    state.view = { ...view, layout };
    saveState();
  }
  draw();
}).observe(mapPane);
new MutationObserver(() => {
  renderLegend();
  draw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---------------------------------------------------------------------------------------------
// Side pane

function actionButton(label: string, icon: string, action: PanelAction, id: string): HTMLElement {
  const b = el('vscode-button' as 'button', { icon, secondary: '', 'aria-label': label }, label);
  b.addEventListener('click', () => send({ type: 'action', action, id }));
  return b;
}

function heatMap(text: string, spans: { start: number; end: number; score: number }[], from = 0): DocumentFragment {
  const frag = document.createDocumentFragment();
  // src/shared/keywordTint.ts: only the strongest content words, at most ~15% of the words.
  let at = from;
  for (const s of tintLevels(spans, countWords(text, from), text.length, from)) {
    frag.append(text.slice(at, s.start));
    const m = el('mark', { class: 'heat' }, text.slice(s.start, s.end));
    m.style.setProperty('--heat', s.level.toFixed(2));
    frag.append(m);
    at = s.end;
  }
  frag.append(text.slice(at));
  return frag;
}

function showPaper(msg: Extract<HostToPanel, { type: 'paper' }>): void {
  const p = msg.paper;
  const meta = [p.authors.join(', ') || 'Unknown authors', p.year !== undefined ? String(p.year) : '', p.venue ?? ''].filter(Boolean).join(' · ');
  const ids = [p.doi ? `DOI ${p.doi}` : '', p.arxivId ? `arXiv ${p.arxivId}` : '', `key ${p.id}`].filter(Boolean).join(' · ');
  const abstract = el('div', { class: 'abstract' });
  if (msg.keywords && msg.keywords.spans.length > 0) {
    // The keyword text is "title. abstract"; the title is the heading already.
    abstract.append(el('p', { 'aria-hidden': 'true' }, heatMap(msg.keywords.text, msg.keywords.spans, abstractStart(msg.keywords.text, p.title))));
    abstract.append(el('p', { class: 'sr-only' }, `${p.abstract || p.title} Top keywords: ${msg.keywords.top.join(', ')}.`));
  } else abstract.append(el('p', {}, p.abstract || 'No abstract.'));
  const keywords = msg.keywords?.top.length ? msg.keywords.top : p.keywords;
  const related = el('ol', { class: 'related' });
  for (const r of msg.related) {
    const b = el('button', { type: 'button', class: 'related-item', title: r.title }, el('span', { class: 'related-title' }, r.title), el('span', { class: 'score' }, r.score.toFixed(3)));
    const bar = el('span', { class: 'score-bar', 'aria-hidden': 'true' });
    bar.style.setProperty('--score', String(Math.max(0, Math.min(1, r.score / Math.max(1e-9, msg.related[0]?.score ?? 1)))));
    b.append(bar);
    b.addEventListener('click', () => {
      const i = map?.ids.indexOf(r.id) ?? -1;
      if (i >= 0) selectIndex(i, true);
      else send({ type: 'select', id: r.id });
    });
    related.append(el('li', {}, b));
  }
  const another = side.dataset.paperId !== p.id;
  side.dataset.paperId = p.id;
  side.replaceChildren(
    el('h2', { id: 'paper-title' }, p.title),
    el('p', { class: 'meta' }, meta),
    p.topic ? el('p', { class: 'topic' }, el('span', { class: 'codicon codicon-tag', 'aria-hidden': 'true' }), ` ${p.topic}`) : '',
    el('p', { class: 'ids' }, ids),
    el(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Paper actions' },
      actionButton('Go to source', 'go-to-file', 'goToSource', p.id),
      actionButton('Copy key', 'copy', 'copyKey', p.id),
      actionButton('Related', 'references', 'showRelated', p.id),
    ),
    p.source ? el('p', { class: 'source' }, el('span', { class: 'codicon codicon-file', 'aria-hidden': 'true' }), ` ${p.source}`) : '',
    keywords.length ? el('div', { class: 'chips', 'aria-label': 'Keywords' }, ...keywords.slice(0, 8).map((k) => el('vscode-badge' as 'span', { variant: 'default' }, k))) : '',
    el('h3', {}, 'Abstract'),
    abstract,
    el('h3', {}, `Related work (${msg.related.length})`),
    related,
  );
  // A newly selected paper starts at its title, not at the scroll position of the previous one.
  if (another) side.scrollTop = 0;
}

// ---------------------------------------------------------------------------------------------
// Messages

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseHostToPanel(event.data);
  if (!msg) return;
  switch (msg.type) {
    case 'map':
      setMap(msg);
      break;
    case 'paper':
      showPaper(msg);
      break;
    case 'reveal': {
      const i = map?.ids.indexOf(msg.id) ?? -1;
      if (i >= 0) {
        selected = i;
        state.selectedId = msg.id;
        if (map) {
          view.cx = map.x[i]!;
          view.cy = map.y[i]!;
        }
        persistView();
        draw();
      }
      break;
    }
    case 'status':
      banner.hidden = false;
      banner.textContent = msg.message;
      banner.dataset.kind = msg.kind;
      break;
  }
});

if (state.filter) (filterInput as unknown as { value: string }).value = state.filter;
send({ type: 'ready' });
