/**
 * "Search Papers…": a QuickPick whose items come from the engine's hybrid search while the user types
 * (debounced; a newer query cancels the older request). Items show the title and `authors · year ·
 * topic`; buttons open the paper in the Atlas, copy its key or insert a citation; Enter goes to source.
 */
import * as vscode from 'vscode';
import { CancellationTokenSource as RpcCancellationTokenSource } from 'vscode-jsonrpc/node';
import { labelText, plainText } from '../../core/displayText';
import type { SearchHit } from '../../shared/engineProtocol';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { copyCitationKey, goToSource, insertCitation } from '../commands/paperActions';
import { authorsShort } from '../library/paperCatalog';
import { engineOrderLabel, MIN_QUERY_CHARS, queryLongEnough } from './engineOrderLabel';

export const SEARCH_DEBOUNCE_MS = 150;

export interface PaperPickItem extends vscode.QuickPickItem {
  id: string;
}

const openButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('globe'), tooltip: 'Open in Atlas' };
const copyButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy citation key' };
const citeButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('quote'), tooltip: 'Insert citation' };

export function pickItemFor(ctx: AtlasContext, hit: Pick<SearchHit, 'id' | 'title' | 'authors' | 'year'>, score?: number): PaperPickItem {
  const topic = ctx.catalog.topic(hit.id)?.label;
  return {
    id: hit.id,
    label: labelText(hit.title),
    description: labelText([hit.authors.length > 0 ? authorsShort(hit.authors) : undefined, hit.year !== undefined ? String(hit.year) : undefined, topic].filter(Boolean).join(' · ')),
    detail: labelText(score !== undefined ? `${hit.id} · score ${score.toFixed(3)}` : hit.id),
    alwaysShow: true,
    buttons: [openButton, copyButton, citeButton],
  };
}

/** Handles the three item buttons the same way in every paper QuickPick. */
export async function onPaperButton(ctx: AtlasContext, item: PaperPickItem, button: vscode.QuickInputButton, editor: vscode.TextEditor | undefined): Promise<void> {
  if (button === openButton) await vscode.commands.executeCommand(Commands.openInAtlas.id, item.id);
  else if (button === copyButton) await copyCitationKey(item.id);
  else if (button === citeButton) {
    if (editor) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    await insertCitation(item.id);
  }
}

export async function searchPapers(ctx: AtlasContext, initial = ''): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const pick = vscode.window.createQuickPick<PaperPickItem>();
  pick.title = 'Paper Atlas: Search Papers';
  pick.placeholder = ctx.catalog.size > 0 ? `Search ${ctx.catalog.size} papers by meaning and words (at least ${MIN_QUERY_CHARS} characters)` : 'Search papers (the library is still being indexed)';
  // The engine decides what matches and in which order; VS Code's own filter must neither hide nor
  // re-sort its hits (see engineOrderLabel.ts).
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  pick.value = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: RpcCancellationTokenSource | undefined;
  let seq = 0;
  const run = async (query: string): Promise<void> => {
    inflight?.cancel();
    const mine = ++seq;
    if (!queryLongEnough(query)) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    const cancel = new RpcCancellationTokenSource();
    inflight = cancel;
    pick.busy = true;
    try {
      const client = await ctx.engine.get();
      const hits = await client.search({ query, k: 30, mode: 'hybrid' }, cancel);
      if (mine !== seq) return;
      pick.items = hits.map((h) => ({ ...pickItemFor(ctx, h, h.score), label: engineOrderLabel(h.title), alwaysShow: true }));
    } catch (e) {
      if (mine === seq) {
        ctx.log.warn(`search failed: ${errorMessage(e)}`);
        pick.items = [];
        pick.placeholder = plainText(`Search failed: ${errorMessage(e)}`);
      }
    } finally {
      if (mine === seq) pick.busy = false;
    }
  };
  const disposables: vscode.Disposable[] = [
    pick.onDidChangeValue((value) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void run(value), SEARCH_DEBOUNCE_MS);
    }),
    pick.onDidTriggerItemButton((e) => void onPaperButton(ctx, e.item, e.button, editor)),
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      pick.hide();
      if (item) void goToSource(ctx, item.id);
    }),
    pick.onDidHide(() => {
      if (timer) clearTimeout(timer);
      inflight?.cancel();
      for (const d of disposables) d.dispose();
      pick.dispose();
    }),
  ];
  pick.show();
  if (initial) await run(initial);
}

export function registerSearch(ctx: AtlasContext): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.searchPapers.id, (query?: unknown) => searchPapers(ctx, typeof query === 'string' ? query : ''));
}
