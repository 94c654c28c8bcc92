/**
 * Commands that act on one paper: go to source, copy citation key, insert citation. Their argument
 * is a paper id (command links, panel, palette) or a tree node (context menu); without one they use
 * the tree's selection.
 */
import * as vscode from 'vscode';
import type { AtlasContext } from '../atlasContext';
import type { PaperTreeNode } from '../tree/paperTreeProvider';
import { Commands } from './commandTable';

export type PaperArg = string | PaperTreeNode | undefined;

export function paperIdOf(arg: unknown, view?: vscode.TreeView<PaperTreeNode>): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'paper') return (arg as { paper: { id: string } }).paper.id;
  const selected = view?.selection.find((n) => n.kind === 'paper');
  return selected?.kind === 'paper' ? selected.paper.id : undefined;
}

/** The citation syntax for a key in the given language. */
export function citationFor(key: string, languageId: string | undefined): string {
  if (languageId === 'latex' || languageId === 'tex' || languageId === 'bibtex') return `\\cite{${key}}`;
  if (languageId === 'markdown') return `[@${key}]`;
  return `@${key}`;
}

export async function goToSource(ctx: AtlasContext, id: string): Promise<void> {
  const paper = ctx.catalog.get(id);
  const source = paper?.sources[0];
  // Only files that are sources of indexed papers are opened (a panel message cannot open others).
  if (!source || !ctx.catalog.isSourceFile(source.file)) {
    void vscode.window.showWarningMessage(`Paper Atlas: no source file is known for "${id}".`);
    return;
  }
  const line = Math.max(0, source.line - 1);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(source.file));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
}

export async function copyCitationKey(id: string): Promise<void> {
  await vscode.env.clipboard.writeText(id);
  vscode.window.setStatusBarMessage(`Copied citation key ${id}`, 3000);
}

export async function insertCitation(id: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    await copyCitationKey(id);
    return;
  }
  const text = citationFor(id, editor.document.languageId);
  await editor.edit((b) => {
    for (const sel of editor.selections) b.replace(sel, text);
  });
}

export function registerPaperActions(ctx: AtlasContext, view: vscode.TreeView<PaperTreeNode>): vscode.Disposable {
  const withId =
    (fn: (id: string) => Promise<void>) =>
    async (arg: unknown): Promise<void> => {
      const id = paperIdOf(arg, view);
      if (!id) {
        void vscode.window.showInformationMessage('Paper Atlas: select a paper first.');
        return;
      }
      await fn(id);
    };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.goToSource.id, withId((id) => goToSource(ctx, id))),
    vscode.commands.registerCommand(Commands.copyCitationKey.id, withId(copyCitationKey)),
    vscode.commands.registerCommand(Commands.insertCitation.id, withId(insertCitation)),
  );
}
