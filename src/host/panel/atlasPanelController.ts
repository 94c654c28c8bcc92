/**
 * The Atlas panel: one webview with the 2-D topic map and a side pane for the selected paper. The
 * controller turns the catalogue's topic map into the compact map message, answers selections with
 * the paper's abstract, keyword heat-map and related work, and performs actions the panel asks for
 * (only for ids of indexed papers). Every message from the webview is `unknown` until its schema in
 * src/shared/panelProtocol.ts accepts it; anything else is logged and dropped, never acted on. The
 * page runs under the strict CSP of panelHtml.ts. A WebviewPanelSerializer restores the panel, with
 * its selection, after a reload.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { CancellationTokenSource as RpcCancellationTokenSource } from 'vscode-jsonrpc/node';
import type { KeywordsResult } from '../../shared/engineProtocol';
import { checkPanelToHost, parsePanelState, type HostToPanel, type KeywordHeat, type MapMessage, type PanelState } from '../../shared/panelProtocol';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { copyCitationKey, goToSource, insertCitation } from '../commands/paperActions';
import type { CatalogPaper } from '../library/paperCatalog';
import { makeNonce, PANEL_RESOURCE_ROOTS, panelHtml } from './panelHtml';

/** What became of one message from the webview (returned for tests, logged otherwise). */
export type PanelMessageOutcome = 'handled' | 'dropped' | 'refused' | 'failed';

export const ATLAS_VIEW_TYPE = 'paperAtlas.atlas';

/**
 * Positions for papers when the engine has no topic map yet: one cluster per source file, papers on a
 * sunflower spiral around the cluster's place on a circle. Deterministic, so the picture is stable.
 */
export function fallbackLayout(papers: readonly CatalogPaper[], reason: string): MapMessage {
  const keyOf = (p: CatalogPaper): string => p.sources[0]?.file ?? '';
  const sizes = new Map<string, number>();
  for (const p of papers) sizes.set(keyOf(p), (sizes.get(keyOf(p)) ?? 0) + 1);
  // Largest group in the middle, the others on a ring around it, each on a sunflower spiral.
  const keys = [...sizes.keys()].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0) || a.localeCompare(b));
  const clusterOf = new Map(keys.map((k, i) => [k, i]));
  const spread = (n: number): number => 0.9 * Math.sqrt(n + 0.5);
  const ringRadius = keys.length > 1 ? spread(sizes.get(keys[0]!) ?? 1) + spread(sizes.get(keys[1]!) ?? 1) + 2 : 0;
  const centre = (c: number): [number, number] => {
    if (c === 0) return [0, 0];
    const angle = (2 * Math.PI * (c - 1)) / Math.max(1, keys.length - 1) - Math.PI / 2;
    return [ringRadius * Math.cos(angle), ringRadius * Math.sin(angle)];
  };
  const counts = new Map<number, number>();
  const msg: MapMessage = { type: 'map', ids: [], titles: [], years: [], x: [], y: [], cluster: [], clusters: [], fallback: reason };
  for (const p of papers) {
    const c = clusterOf.get(keyOf(p)) ?? 0;
    const n = counts.get(c) ?? 0;
    counts.set(c, n + 1);
    const [cx, cy] = centre(c);
    const r = spread(n);
    const a = n * 2.399963;
    msg.ids.push(p.id);
    msg.titles.push(p.title);
    msg.years.push(p.year ?? null);
    msg.x.push(cx + r * Math.cos(a));
    msg.y.push(cy + r * Math.sin(a));
    msg.cluster.push(c);
  }
  msg.clusters = keys.map((k, i) => ({ id: i, label: k ? path.basename(k) : 'unknown source', size: counts.get(i) ?? 0, keywords: [] }));
  return msg;
}

/** The engine's keywords as the side pane draws them (null: none could be computed). */
function keywordHeat(keywords: KeywordsResult | undefined): KeywordHeat | null {
  return keywords ? { text: keywords.text, spans: keywords.spans.map((s) => ({ start: s.start, end: s.end, score: s.score })), top: keywords.top.map((t) => t.text) } : null;
}

export function mapMessage(ctx: AtlasContext): MapMessage {
  const map = ctx.catalog.topicMap;
  if (!map || map.points.length === 0) {
    const reason = ctx.catalog.topicMapError ? `Topics are not available yet (${ctx.catalog.topicMapError}); papers are grouped by source file.` : 'Papers are grouped by source file.';
    return fallbackLayout([...ctx.catalog.all()], reason);
  }
  const msg: MapMessage = { type: 'map', ids: [], titles: [], years: [], x: [], y: [], cluster: [], clusters: [] };
  for (const pt of map.points) {
    const p = ctx.catalog.get(pt.id);
    msg.ids.push(pt.id);
    msg.titles.push(p?.title ?? pt.id);
    msg.years.push(p?.year ?? null);
    msg.x.push(pt.x);
    msg.y.push(pt.y);
    msg.cluster.push(pt.cluster);
  }
  msg.clusters = map.clusters.map((c) => ({ id: c.id, label: c.label, size: c.size, keywords: c.keywords.slice(0, 5) }));
  return msg;
}

export class AtlasPanelController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pending: HostToPanel[] = [];
  private selected: string | undefined;
  /** Last "rendered" report of the webview (points drawn, canvas size): read by integration tests. */
  lastRendered: { points: number; width: number; height: number } | undefined;
  /** The HTML the panel was last given (its CSP is checked by the integration tests). */
  lastHtml: string | undefined;

  constructor(private readonly ctx: AtlasContext) {
    this.disposables.push(
      ctx.catalog.onDidChange(() => {
        if (!this.panel) return;
        this.post(mapMessage(this.ctx));
        // A restored panel may name its selection before the catalogue is loaded: show it now.
        if (this.selected && this.ready) void this.select(this.selected, false);
      }),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private roots(): vscode.Uri[] {
    const ext = this.ctx.extension.extensionUri;
    return PANEL_RESOURCE_ROOTS.map((parts) => vscode.Uri.joinPath(ext, ...parts));
  }

  /** Scripts (the nonce'd bundle only, by the CSP); no forms, no command: links, only our own files. */
  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, enableForms: false, enableCommandUris: false, localResourceRoots: this.roots() };
  }

  open(selectId?: string): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(ATLAS_VIEW_TYPE, 'Atlas', vscode.ViewColumn.Active, {
        ...this.webviewOptions(),
        retainContextWhenHidden: true,
      });
      this.attach(panel, {});
    }
    if (selectId) void this.select(selectId, true);
  }

  /** Used by the serializer: adopt a restored panel. */
  restore(panel: vscode.WebviewPanel, state: PanelState): void {
    panel.webview.options = this.webviewOptions();
    this.attach(panel, state);
  }

  private attach(panel: vscode.WebviewPanel, state: PanelState): void {
    this.panel = panel;
    this.ready = false;
    this.selected = state.selectedId;
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'media', 'atlas.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((data: unknown) => void this.receive(data)),
    ];
    // The map needs an open engine and a catalogue; the first open of a fresh window may need both.
    if (this.ctx.catalog.size === 0 && this.ctx.indexing.state !== 'indexing') void this.ctx.indexing.index('atlas opened');
  }

  private post(msg: HostToPanel): void {
    if (!this.panel) return;
    if (!this.ready) {
      if (msg.type === 'map') this.pending = this.pending.filter((m) => m.type !== 'map');
      this.pending.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  /**
   * Handles one message from the webview. Public so the integration tests can hand it forged
   * messages through the same path as the webview's; it never throws.
   */
  async receive(data: unknown): Promise<PanelMessageOutcome> {
    const checked = checkPanelToHost(data);
    if (!checked.ok) {
      this.ctx.log.warn(`atlas panel: dropped an invalid message (${checked.reason})`);
      return 'dropped';
    }
    const msg = checked.msg;
    try {
      switch (msg.type) {
        case 'ready': {
          this.ready = true;
          await this.panel?.webview.postMessage(mapMessage(this.ctx));
          for (const m of this.pending) if (m.type !== 'map') await this.panel?.webview.postMessage(m);
          this.pending = [];
          if (this.selected) await this.select(this.selected, false);
          break;
        }
        case 'select':
          await this.select(msg.id, false);
          break;
        case 'rendered':
          this.lastRendered = { points: msg.points, width: msg.width, height: msg.height };
          break;
        case 'action': {
          const paper = this.ctx.catalog.get(msg.id);
          if (!paper) {
            this.ctx.log.warn(`atlas panel: refused ${msg.action} for an id that is not indexed: ${JSON.stringify(msg.id.slice(0, 80))}`);
            return 'refused';
          }
          if (msg.action === 'goToSource') {
            if (!(await goToSource(this.ctx, paper.id))) return 'refused';
          } else if (msg.action === 'copyKey') await copyCitationKey(paper.id);
          else if (msg.action === 'insertCitation') await insertCitation(paper.id);
          else await vscode.commands.executeCommand(Commands.showRelatedWork.id, paper.id);
          break;
        }
      }
      return 'handled';
    } catch (e) {
      this.ctx.log.warn(`atlas panel: ${msg.type} failed: ${errorMessage(e)}`);
      return 'failed';
    }
  }

  /** Selects a paper: side pane with abstract, keyword heat-map and related work. */
  async select(id: string, reveal: boolean): Promise<void> {
    const known = this.ctx.catalog.get(id);
    if (!known) return;
    this.selected = known.id;
    if (reveal) this.post({ type: 'reveal', id: known.id });
    // The user has moved past the previous selection: its related and keyword requests stop in the engine.
    this.selecting?.cancel();
    const cancel = new RpcCancellationTokenSource();
    this.selecting = cancel;
    try {
      const client = await this.ctx.engine.get();
      // The pane is posted once the record and related work are in; the keyword heat-map (a masked-LM
      // run for a paper not scored before) follows in a second message. It is asked for only then: the
      // engine answers on one thread and a masked-LM run blocks it, so asked together it held the
      // related list back until the heat-map was done (side pane cold at 75k: 618 ms, where the hover's
      // related list alone takes 337).
      const [papers, related] = await Promise.all([client.papers([known.id]), client.related({ id: known.id, k: 8 }, cancel).catch(() => [])]);
      const paper = papers[0];
      const stillSelected = (): boolean => this.selected === known.id && !cancel.token.isCancellationRequested;
      if (!paper || !stillSelected()) return;
      const source = paper.sources[0];
      this.post({
        type: 'paper',
        paper: {
          id: paper.id,
          title: paper.title,
          authors: paper.authors,
          year: paper.year,
          venue: paper.venue,
          doi: paper.doi,
          arxivId: paper.arxivId,
          abstract: paper.abstract,
          keywords: paper.keywords,
          topic: this.ctx.catalog.topic(paper.id)?.label,
          source: source ? `${vscode.workspace.asRelativePath(source.file)}:${source.line}` : undefined,
        },
        keywords: null,
        keywordsPending: true,
        related: related.map((h) => ({ id: h.id, title: h.title, score: h.score, year: h.year, authors: h.authors })),
      });
      const heat = keywordHeat(await client.keywords({ id: known.id, k: 8 }, cancel).catch(() => undefined));
      if (stillSelected()) this.post({ type: 'paperKeywords', id: paper.id, keywords: heat });
    } catch (e) {
      if (!cancel.token.isCancellationRequested) this.post({ type: 'status', kind: 'error', message: `Could not load ${id}: ${errorMessage(e)}` });
    } finally {
      if (this.selecting === cancel) this.selecting = undefined;
      cancel.dispose();
    }
  }

  /** The selection whose side pane is being loaded (until its keyword heat-map is in). */
  private selecting: RpcCancellationTokenSource | undefined;

  private html(webview: vscode.Webview): string {
    const ext = this.ctx.extension.extensionUri;
    const uri = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(ext, ...parts)).toString();
    this.lastHtml = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: uri('dist', 'webview.js'),
      styleUri: uri('media', 'atlas.css'),
      codiconsUri: uri('dist', 'codicons', 'codicon.css'),
    });
    return this.lastHtml;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export function registerAtlasPanel(ctx: AtlasContext): { disposable: vscode.Disposable; controller: AtlasPanelController } {
  const controller = new AtlasPanelController(ctx);
  const disposable = vscode.Disposable.from(
    controller,
    vscode.commands.registerCommand(Commands.openAtlas.id, () => controller.open()),
    vscode.commands.registerCommand(Commands.openInAtlas.id, (arg?: unknown) => {
      const id = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && 'paper' in arg ? (arg as { paper: { id: string } }).paper.id : undefined;
      controller.open(id);
    }),
    vscode.window.registerWebviewPanelSerializer(ATLAS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        controller.restore(panel, parsePanelState(state));
        await Promise.resolve();
      },
    }),
  );
  return { disposable, controller };
}
