/**
 * The Atlas panel's state object (webview/atlasState.ts): what survives a reload (selection, filter,
 * view: vscode.setState, then the serializer's parsePanelState), and how a new map, a resize, a
 * selection and the filter change it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canvasResized, createAtlasState, receiveMap, resetView, revealPaper, selectPoint, setFilter, stepMatch, viewMoved, type AtlasState } from '../../../webview/atlasState';
import { fitScaleFor } from '../../../webview/atlasViewRules';
import { fitView, toScreen, zoomBy } from '../../../webview/mapIndex';
import { parsePanelState, type MapMessage } from '../../../src/shared/panelProtocol';

const W = 800;
const H = 600;

function grid(n: number, offset = 0): MapMessage {
  return {
    type: 'map',
    ids: Array.from({ length: n }, (_, i) => `p${i}`),
    titles: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `Dense retrieval ${i}` : `Diffusion models ${i}`)),
    years: Array.from({ length: n }, () => 2021),
    x: Array.from({ length: n }, (_, i) => offset + (i % 10)),
    y: Array.from({ length: n }, (_, i) => offset + Math.floor(i / 10)),
    cluster: Array.from({ length: n }, (_, i) => i % 2),
    clusters: [
      { id: 0, label: 'retrieval', size: 0, keywords: [] },
      { id: 1, label: 'diffusion', size: 0, keywords: [] },
    ],
  };
}

const savedView = (s: AtlasState): AtlasState['saved']['view'] => s.saved.view;

/** What VS Code hands back after a reload: the saved state, serialised and parsed by the panel. */
function reloaded(state: AtlasState): AtlasState {
  return createAtlasState(parsePanelState(JSON.parse(JSON.stringify(state.saved))));
}

test('a reload restores the selection, the filter and the view the user left', () => {
  const before = createAtlasState(parsePanelState(undefined));
  receiveMap(before, grid(100), W, H);
  setFilter(before, 'retrieval');
  assert.equal(selectPoint(before, 42, false, W, H), 'p42');
  before.view = zoomBy(before.view, 3);
  before.view.cx += 2;
  viewMoved(before);

  const after = reloaded(before);
  receiveMap(after, grid(100), W, H);
  assert.equal(after.selected, 42);
  assert.equal(after.saved.filter, 'retrieval');
  assert.deepEqual(after.view, { cx: before.view.cx, cy: before.view.cy, scale: before.view.scale });
  assert.equal(after.userMoved, true, 'a restored view is not refitted on resize');
  assert.deepEqual(after.saved, before.saved, 'what is saved keeps the PanelState shape');
});

test('a rebuilt map (another layout) is fitted, and the old view is forgotten', () => {
  const before = createAtlasState(parsePanelState(undefined));
  receiveMap(before, grid(100), W, H);
  selectPoint(before, 7, false, W, H);
  before.view = zoomBy(before.view, 5);
  viewMoved(before);

  const after = reloaded(before);
  receiveMap(after, grid(100, 500), W, H);
  assert.deepEqual(after.view, fitView(after.index!.bounds, W, H));
  assert.equal(after.saved.view, undefined);
  assert.equal(after.userMoved, false);
  assert.equal(after.selected, 7, 'the selection is kept by paper id');
});

test('a resize refits an untouched map, and keeps the part a user zoomed into', () => {
  const s = createAtlasState(parsePanelState(undefined));
  receiveMap(s, grid(100), W, H);
  assert.equal(canvasResized(s, 400, 300), false, 'nothing new to save');
  assert.deepEqual(s.view, fitView(s.index!.bounds, 400, 300));
  assert.ok(s.saved.view === undefined);

  s.view = zoomBy(s.view, 4);
  viewMoved(s);
  assert.equal(canvasResized(s, W, H), true);
  assert.ok(Math.abs(s.view.scale - 4 * fitScaleFor(s.index!.bounds, W, H)) < 1e-9);
  // Read through a call: the assertion above narrowed s.saved.view to undefined for TypeScript.
  const saved = savedView(s);
  assert.equal(saved?.scale, s.view.scale);
  assert.equal(saved?.layout, s.index!.layout);

  resetView(s, W, H);
  assert.equal(s.userMoved, false);
  assert.equal(s.saved.view, undefined);
  assert.deepEqual(s.view, fitView(s.index!.bounds, W, H));
});

test('selecting from the list brings an off-screen paper into view; reveal centres it', () => {
  const s = createAtlasState(parsePanelState(undefined));
  receiveMap(s, grid(100), W, H);
  s.view = { cx: 0, cy: 0, scale: 200 };
  selectPoint(s, 99, true, W, H);
  const [sx, sy] = toScreen(s.view, 9, 9, W, H);
  assert.deepEqual([sx, sy], [W / 2, H / 2]);
  assert.equal(selectPoint(s, -1, true, W, H), undefined);
  assert.equal(s.selected, 99);

  assert.equal(revealPaper(s, 'p11'), true);
  assert.deepEqual([s.selected, s.saved.selectedId, s.view.cx, s.view.cy], [11, 'p11', 1, 1]);
  assert.equal(s.saved.view?.cx, 1, 'a revealed paper’s view is saved');
  assert.equal(revealPaper(s, 'not-in-the-map'), false);
  assert.equal(s.selected, 11);
});

test('N and P step through the matches and wrap around', () => {
  const s = createAtlasState(parsePanelState(undefined));
  receiveMap(s, grid(10), W, H);
  setFilter(s, 'dense');
  assert.deepEqual(s.matchIds, [0, 3, 6, 9]);
  assert.deepEqual([stepMatch(s, 1), stepMatch(s, 1), stepMatch(s, -1), stepMatch(s, -1), stepMatch(s, -1)], [0, 3, 0, 9, 6]);
  setFilter(s, '');
  assert.equal(s.matches, undefined);
  assert.equal(stepMatch(s, 1), -1);
  assert.equal(s.saved.filter, '');
});
