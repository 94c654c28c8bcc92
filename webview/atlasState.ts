/**
 * Everything the Atlas panel knows, in one typed object: what VS Code keeps across a reload
 * (`saved`: the selected paper, the filter text and the view, written with vscode.setState and read
 * back by the panel serializer), the indexed map, the view, the filter's matches, the hovered and
 * selected points. The changes the panel makes to it are functions here, pure apart from mutating
 * the state (no DOM), so that reload and resize behaviour is unit-tested: main.ts calls them from
 * its event handlers and then saves `saved`, redraws and tells the host.
 */
import type { MapMessage, PanelState } from '../src/shared/panelProtocol';
import { assignClusterColours, type PaletteEntry } from './clusterColours';
import { fitScaleFor, resizedScale } from './atlasViewRules';
import { buildMapIndex, filterTitles, fitView, keepInView, type MapIndex, type View } from './mapIndex';

/** A pointer drag on the map: where it started, and the view centre then. */
export interface Drag {
  x: number;
  y: number;
  cx: number;
  cy: number;
  /** More than 3 px: a pan, not a click. */
  moved: boolean;
}

export interface AtlasState {
  /** Kept by VS Code across reloads (vscode.setState); the shape is src/shared/panelProtocol.ts PanelState. */
  saved: PanelState;
  /** The map the host sent, indexed; undefined until the first map message. */
  index: MapIndex | undefined;
  view: View;
  /** The zoom that shows the whole map at the canvas's current size. */
  fitScale: number;
  /** Until the user zooms or pans, the map refits whenever the panel is resized. */
  userMoved: boolean;
  /** 1 for each point whose title matches the filter; undefined while the filter is empty. */
  matches: Uint8Array | undefined;
  /** The matching points, in map order (the list under the filter, N and P). */
  matchIds: number[];
  /** Position in matchIds of the last match stepped to with N or P. */
  matchCursor: number;
  hovered: number;
  selected: number;
  /** Palette entry of each cluster (clusterColours.ts: neighbouring clusters kept apart). */
  colours: Map<number, PaletteEntry>;
  drag: Drag | undefined;
  /** The host is told once that the map was drawn (the 'rendered' message). */
  reportedRender: boolean;
}

export function createAtlasState(saved: PanelState): AtlasState {
  return {
    saved,
    index: undefined,
    view: { cx: 0, cy: 0, scale: 1 },
    fitScale: 1,
    userMoved: false,
    matches: undefined,
    matchIds: [],
    matchCursor: -1,
    hovered: -1,
    selected: -1,
    colours: new Map(),
    drag: undefined,
    reportedRender: false,
  };
}

/** The map data the panel shows, once indexed. */
export function mapOf(state: AtlasState): MapMessage | undefined {
  return state.index?.map;
}

/** Fit the whole map into a canvas of this size (the view only: what is saved is left alone). */
export function fitToCanvas(state: AtlasState, width: number, height: number): void {
  if (!state.index) return;
  state.view = fitView(state.index.bounds, width, height);
  state.fitScale = state.view.scale;
}

/**
 * A new map from the host. The saved selection is looked up by id; a saved view is restored only on
 * the layout it was saved on (a reload of the panel): a rebuilt index or another model lays the map
 * out anew, and the old view would show an empty corner, so the map is fitted and the view forgotten.
 */
export function receiveMap(state: AtlasState, m: MapMessage, width: number, height: number): void {
  const index = buildMapIndex(m);
  state.index = index;
  state.colours = assignClusterColours(index.centres);
  state.selected = state.saved.selectedId ? m.ids.indexOf(state.saved.selectedId) : -1;
  fitToCanvas(state, width, height);
  const saved = state.saved.view;
  if (saved && saved.layout === index.layout) {
    state.view = { cx: saved.cx, cy: saved.cy, scale: saved.scale };
    state.userMoved = true;
  } else {
    state.userMoved = false;
    state.saved.view = undefined;
  }
}

/** The user moved the map: it stays where they put it, across resizes and reloads. */
export function viewMoved(state: AtlasState): void {
  state.userMoved = true;
  state.saved.view = { ...state.view, layout: state.index?.layout ?? '' };
}

/** Back to the whole map; later resizes refit it again. */
export function resetView(state: AtlasState, width: number, height: number): void {
  fitToCanvas(state, width, height);
  state.userMoved = false;
  state.saved.view = undefined;
}

/**
 * The canvas changed size: an untouched map refits; a map the user moved keeps showing the same part
 * (zoomed by how much the whole-map zoom changed). Returns whether `saved` changed.
 */
export function canvasResized(state: AtlasState, width: number, height: number): boolean {
  if (!state.index) return false;
  if (!state.userMoved) {
    fitToCanvas(state, width, height);
    return false;
  }
  const after = fitScaleFor(state.index.bounds, width, height);
  state.view = { ...state.view, scale: resizedScale(state.view.scale, state.fitScale, after) };
  state.fitScale = after;
  state.saved.view = { ...state.view, layout: state.index.layout };
  return true;
}

/**
 * Select point i; with `centre`, move the view onto it when it is off-screen or near an edge.
 * Returns the paper id, or undefined when there is no such point.
 */
export function selectPoint(state: AtlasState, i: number, centre: boolean, width: number, height: number): string | undefined {
  const m = mapOf(state);
  if (!m || i < 0) return undefined;
  state.selected = i;
  state.saved.selectedId = m.ids[i];
  if (centre) state.view = keepInView(state.view, m.x[i]!, m.y[i]!, width, height);
  return m.ids[i];
}

/** The host revealed a paper (Open in Atlas): select it and centre the view on it. */
export function revealPaper(state: AtlasState, id: string): boolean {
  const m = mapOf(state);
  const i = m?.ids.indexOf(id) ?? -1;
  if (!m || i < 0) return false;
  state.selected = i;
  state.saved.selectedId = id;
  state.view = { ...state.view, cx: m.x[i]!, cy: m.y[i]! };
  viewMoved(state);
  return true;
}

/** The filter text changed: remember it, and find the matching titles. */
export function setFilter(state: AtlasState, text: string): void {
  state.saved.filter = text;
  const found = state.index && filterTitles(state.index, text);
  if (!found) {
    state.matches = undefined;
    state.matchIds = [];
    return;
  }
  state.matches = found.matches;
  state.matchIds = found.ids;
  state.matchCursor = -1;
}

/** The next (N, +1) or previous (P, -1) match, wrapping around; -1 without matches. */
export function stepMatch(state: AtlasState, direction: 1 | -1): number {
  const n = state.matchIds.length;
  if (n === 0) return -1;
  state.matchCursor = (state.matchCursor + direction + n) % n;
  return state.matchIds[state.matchCursor]!;
}
