/**
 * The Atlas panel (browser code): a canvas topic map that stays smooth at 100k points (points batched
 * per cluster colour into one path, a uniform grid for hit-testing, redraw only on change), cluster
 * labels at cluster centres, hover tooltip, click/Enter to select, a filter box that highlights
 * matches, and a side pane with the selected paper (abstract with keyword heat-map, related work,
 * actions). Talks to the host only through the validated protocol of src/shared/panelProtocol.ts.
 *
 * This module builds the panel's DOM and wires events and host messages to its parts: the state
 * object (atlasState.ts), the pure map index (mapIndex.ts), the painter (atlasPainter.ts) and the
 * side pane (sidePane.ts).
 */
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { AtlasPainter } from './atlasPainter';
import { canvasResized, createAtlasState, mapOf, receiveMap, resetView, revealPaper, selectPoint, setFilter, stepMatch, viewMoved, type AtlasState } from './atlasState';
import { el } from './dom';
import { nearestPoint, panned, pointAt, zoomAt, zoomBy } from './mapIndex';
import { showNoPaper, showPaper, type SidePaneActions } from './sidePane';
import { parseHostToPanel, parsePanelState, type HostToPanel, type PanelToHost } from '../src/shared/panelProtocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const send = (msg: PanelToHost): void => vscode.postMessage(msg);
const state: AtlasState = createAtlasState(parsePanelState(vscode.getState()));
const saveState = (): void => vscode.setState(state.saved);

// ---------------------------------------------------------------------------------------------
// DOM

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

// ---------------------------------------------------------------------------------------------
// Map

showNoPaper(side);
const painter = new AtlasPainter(canvas, state, (points, width, height) => send({ type: 'rendered', points, width: Math.round(width), height: Math.round(height) }));
const draw = (): void => painter.draw();
const canvasSize = (): { width: number; height: number } => canvas.getBoundingClientRect();

/** Every topic, largest first, in a list that scrolls (and folds away) instead of stopping at 12. */
function renderLegend(): void {
  const centres = state.index?.centres ?? [];
  const items = centres.map((c) => {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = painter.colour(c.cluster);
    return el('li', { class: 'legend-item' }, swatch, `${c.label} (${c.size.toLocaleString()})`);
  });
  legend.replaceChildren(el('summary', {}, `${centres.length} ${centres.length === 1 ? 'topic' : 'topics'}`), el('ul', { 'aria-label': 'Topics' }, ...items));
}

function showMap(m: Extract<HostToPanel, { type: 'map' }>): void {
  const { width, height } = canvasSize();
  receiveMap(state, m, width, height);
  banner.hidden = !m.fallback;
  banner.textContent = m.fallback ?? '';
  applyFilter(state.saved.filter ?? '');
  renderLegend();
  draw();
}

function selectIndex(i: number, centre: boolean): void {
  const { width, height } = canvasSize();
  const id = selectPoint(state, i, centre, width, height);
  if (id === undefined) return;
  saveState();
  draw();
  send({ type: 'select', id });
}

function persistView(): void {
  viewMoved(state);
  saveState();
}

function fitWholeMap(): void {
  const { width, height } = canvasSize();
  resetView(state, width, height);
  saveState();
  draw();
}

function hitAt(sx: number, sy: number): number {
  if (!state.index) return -1;
  const { width, height } = canvasSize();
  return pointAt(state.index, state.view, sx, sy, width, height);
}

// ---------------------------------------------------------------------------------------------
// Filter

function applyFilter(text: string): void {
  setFilter(state, text);
  saveState();
  const m = mapOf(state);
  matchList.replaceChildren();
  if (!m || !state.matches) matchBadge.textContent = m ? `${m.ids.length.toLocaleString()} papers` : '';
  else {
    matchBadge.textContent = `${state.matchIds.length.toLocaleString()} of ${m.ids.length.toLocaleString()} match`;
    showMoreMatches();
  }
  draw();
}

/** Matches listed at a time: the list scrolls, and a last row lists the next ones. */
const MATCH_PAGE = 50;
function showMoreMatches(): void {
  const m = mapOf(state);
  if (!m) return;
  matchList.querySelector('.more')?.remove();
  const shown = matchList.childElementCount;
  for (const i of state.matchIds.slice(shown, shown + MATCH_PAGE)) {
    const b = el('button', { class: 'match', type: 'button', title: m.titles[i]! }, m.titles[i]!);
    b.addEventListener('click', () => selectIndex(i, true));
    matchList.append(el('li', {}, b));
  }
  const left = state.matchIds.length - matchList.childElementCount;
  if (left > 0) {
    const more = el('button', { class: 'match more-button', type: 'button' }, `Show ${Math.min(left, MATCH_PAGE)} more (${left.toLocaleString()} not listed)`);
    more.addEventListener('click', () => {
      showMoreMatches();
      (matchList.querySelectorAll<HTMLElement>('.match')[shown + MATCH_PAGE] ?? more).focus();
    });
    matchList.append(el('li', { class: 'more' }, more));
  }
}

/** `fn` once the calls have paused for `ms`. */
function debounced(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

filterInput.addEventListener(
  'input',
  debounced(() => applyFilter((filterInput as unknown as { value: string }).value ?? ''), 80),
);

// ---------------------------------------------------------------------------------------------
// Pointer and keyboard

canvas.addEventListener('pointerdown', (e) => {
  canvas.setPointerCapture(e.pointerId);
  state.drag = { x: e.clientX, y: e.clientY, cx: state.view.cx, cy: state.view.cy, moved: false };
});
canvas.addEventListener('pointermove', (e) => {
  const rect = canvas.getBoundingClientRect();
  const drag = state.drag;
  if (drag) {
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    state.view = panned({ cx: drag.cx, cy: drag.cy, scale: state.view.scale }, dx, dy);
    draw();
    return;
  }
  const i = hitAt(e.clientX - rect.left, e.clientY - rect.top);
  if (i !== state.hovered) {
    state.hovered = i;
    draw();
  }
  const m = mapOf(state);
  if (i >= 0 && m) {
    const cluster = m.clusters.find((c) => c.id === m.cluster[i]);
    tooltip.replaceChildren(el('strong', {}, m.titles[i]!), el('br'), `${m.years[i] ?? ''}${cluster ? ` · ${cluster.label}` : ''}`);
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.clientX - rect.left + 14, rect.width - 280)}px`;
    tooltip.style.top = `${e.clientY - rect.top + 14}px`;
  } else tooltip.hidden = true;
});
canvas.addEventListener('pointerup', (e) => {
  const wasDrag = state.drag?.moved;
  state.drag = undefined;
  if (wasDrag) {
    persistView();
    return;
  }
  const rect = canvas.getBoundingClientRect();
  const i = hitAt(e.clientX - rect.left, e.clientY - rect.top);
  if (i >= 0) selectIndex(i, false);
});
canvas.addEventListener('pointerleave', () => {
  state.hovered = -1;
  tooltip.hidden = true;
  draw();
});
canvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    state.view = zoomAt(state.view, Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top, rect.width, rect.height);
    persistView();
    draw();
  },
  { passive: false },
);

function zoom(factor: number): void {
  state.view = zoomBy(state.view, factor);
  persistView();
  draw();
}
zoomIn.addEventListener('click', () => zoom(1.4));
zoomOut.addEventListener('click', () => zoom(1 / 1.4));
zoomFit.addEventListener('click', fitWholeMap);

canvas.addEventListener('keydown', (e) => {
  const view = state.view;
  const step = 60 / view.scale;
  const keys: Record<string, () => void> = {
    ArrowLeft: () => (view.cx -= step),
    ArrowRight: () => (view.cx += step),
    ArrowUp: () => (view.cy -= step),
    ArrowDown: () => (view.cy += step),
    '+': () => zoom(1.4),
    '=': () => zoom(1.4),
    '-': () => zoom(1 / 1.4),
    '0': () => fitWholeMap(),
    Enter: () => selectIndex(state.index ? nearestPoint(state.index, view.cx, view.cy, state.matches) : -1, true),
    n: () => selectIndex(stepMatch(state, 1), true),
    p: () => selectIndex(stepMatch(state, -1), true),
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
  const { width, height } = canvasSize();
  if (canvasResized(state, width, height)) saveState();
  draw();
}).observe(mapPane);
new MutationObserver(() => {
  renderLegend();
  draw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---------------------------------------------------------------------------------------------
// Messages

const sidePaneActions: SidePaneActions = {
  action: (action, id) => send({ type: 'action', action, id }),
  openRelated: (id) => {
    const i = mapOf(state)?.ids.indexOf(id) ?? -1;
    if (i >= 0) selectIndex(i, true);
    else send({ type: 'select', id });
  },
};

/** The side pane's paper, kept so its keyword heat-map can be drawn in when it arrives. */
let shownPaper: Extract<HostToPanel, { type: 'paper' }> | undefined;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = parseHostToPanel(event.data);
  if (!msg) return;
  switch (msg.type) {
    case 'map':
      showMap(msg);
      break;
    case 'paper':
      shownPaper = msg;
      showPaper(side, msg, sidePaneActions);
      break;
    case 'paperKeywords':
      // Drawn again with the heat-map (same paper: the scroll position stays).
      if (shownPaper?.paper.id === msg.id) {
        shownPaper = { ...shownPaper, keywords: msg.keywords, keywordsPending: false };
        showPaper(side, shownPaper, sidePaneActions);
      }
      break;
    case 'reveal':
      if (revealPaper(state, msg.id)) {
        saveState();
        draw();
      }
      break;
    case 'status':
      banner.hidden = false;
      banner.textContent = msg.message;
      banner.dataset.kind = msg.kind;
      break;
  }
});

if (state.saved.filter) (filterInput as unknown as { value: string }).value = state.saved.filter;
send({ type: 'ready' });
