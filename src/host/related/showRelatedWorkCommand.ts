/**
 * "Show Related Work": related papers of the entry under the cursor (a BibTeX entry, a citation in a
 * note), of the selected tree item, or of the selected text (embedded by the engine, relatedToText).
 */
import * as vscode from 'vscode';
import { CancellationTokenSource as RpcCancellationTokenSource } from 'vscode-jsonrpc/node';
import { labelText, plainText } from '../../core/displayText';
import type { SearchHit } from '../../shared/engineProtocol';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { goToSource, paperIdOf } from '../commands/paperActions';
import { bibEntryKeyAt, citationAt } from '../hover/citationScanner';
import { onPaperButton, pickItemFor, type PaperPickItem } from '../search/searchPapersCommand';
import type { PaperTreeNode } from '../tree/paperTreeProvider';

const RELATED_K = 15;

type Target = { kind: 'paper'; id: string; label: string } | { kind: 'text'; text: string; label: string };

function targetFromEditor(ctx: AtlasContext, editor: vscode.TextEditor): Target | undefined {
  const doc = editor.document;
  const sel = editor.selection;
  if (!sel.isEmpty) {
    const text = doc.getText(sel).trim();
    if (text) return { kind: 'text', text: text.slice(0, 4000), label: `“${text.slice(0, 60)}${text.length > 60 ? '…' : ''}”` };
  }
  const pos = sel.active;
  const citation = citationAt(doc.lineAt(pos.line).text, pos.character);
  if (citation) {
    const p = citation.kind === 'key' ? ctx.catalog.get(citation.text) : ctx.catalog.byDoiOrArxiv(citation.text);
    if (p) return { kind: 'paper', id: p.id, label: p.title };
  }
  if (doc.languageId === 'bibtex' || doc.fileName.toLowerCase().endsWith('.bib')) {
    const key = bibEntryKeyAt(doc.getText().split(/\r?\n/), pos.line);
    const p = key ? ctx.catalog.get(key) : undefined;
    if (p) return { kind: 'paper', id: p.id, label: p.title };
  }
  // Any paper whose source is this file at or above the cursor (CSL/RIS/notes).
  let best: { id: string; title: string; line: number } | undefined;
  for (const p of ctx.catalog.all()) {
    for (const s of p.sources) {
      if (s.file === doc.uri.fsPath && s.line - 1 <= pos.line && (!best || s.line > best.line)) best = { id: p.id, title: p.title, line: s.line };
    }
  }
  return best ? { kind: 'paper', id: best.id, label: best.title } : undefined;
}

export async function showRelatedWork(ctx: AtlasContext, arg: unknown, view: vscode.TreeView<PaperTreeNode>): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  let target: Target | undefined;
  const explicit = typeof arg === 'string' || (typeof arg === 'object' && arg !== null) ? paperIdOf(arg) : undefined;
  if (explicit) target = { kind: 'paper', id: explicit, label: ctx.catalog.get(explicit)?.title ?? explicit };
  target ??= editor ? targetFromEditor(ctx, editor) : undefined;
  if (!target) {
    const id = paperIdOf(undefined, view);
    if (id) target = { kind: 'paper', id, label: ctx.catalog.get(id)?.title ?? id };
  }
  if (!target) {
    void vscode.window.showInformationMessage('Paper Atlas: put the cursor on a citation or BibTeX entry, select some text, or select a paper in the Papers view.');
    return;
  }
  const pick = vscode.window.createQuickPick<PaperPickItem>();
  pick.title = labelText(`Related to ${target.label}`);
  pick.placeholder = 'Filter related papers';
  pick.busy = true;
  pick.matchOnDescription = true;
  // Closing the picker before the list arrives stops the request in the engine.
  const cancel = new RpcCancellationTokenSource();
  const disposables: vscode.Disposable[] = [
    pick.onDidTriggerItemButton((e) => void onPaperButton(ctx, e.item, e.button, editor)),
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      pick.hide();
      if (item) void goToSource(ctx, item.id);
    }),
    pick.onDidHide(() => {
      cancel.cancel();
      for (const d of disposables) d.dispose();
      pick.dispose();
    }),
  ];
  pick.show();
  try {
    const client = await ctx.engine.get();
    const hits: SearchHit[] = target.kind === 'paper' ? await client.related({ id: target.id, k: RELATED_K }, cancel) : await client.relatedToText({ text: target.text, k: RELATED_K }, cancel);
    if (cancel.token.isCancellationRequested) return;
    pick.items = hits.map((h) => ({ ...pickItemFor(ctx, h, h.score), alwaysShow: false }));
    if (hits.length === 0) pick.placeholder = 'No related papers found';
  } catch (e) {
    if (cancel.token.isCancellationRequested) return;
    ctx.log.warn(`related work failed: ${errorMessage(e)}`);
    pick.placeholder = plainText(`Related work failed: ${errorMessage(e)}`);
  } finally {
    pick.busy = false;
    cancel.dispose();
  }
}

export function registerRelatedWork(ctx: AtlasContext, view: vscode.TreeView<PaperTreeNode>): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.showRelatedWork.id, (arg?: unknown) => showRelatedWork(ctx, arg, view));
}
