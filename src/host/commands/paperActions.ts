/**
 * Commands that act on one paper: go to source, copy citation key, insert citation. Their argument
 * is a paper id (command links, panel, palette) or a tree node (context menu); without one they use
 * the tree's selection. They act only on indexed papers, and "go to source" opens only a file that is
 * the source of an indexed paper (sourceAllowlist.ts), whoever calls it with whatever argument.
 */
import * as vscode from 'vscode';
import { labelText, notificationText } from '../../core/displayText';
import { citationText } from '../../core/citations/citationSyntax';
import type { AtlasContext } from '../atlasContext';
import { readConfig } from '../config';
import type { PaperTreeNode } from '../tree/paperTreeProvider';
import { Commands } from './commandTable';
import { paperIdFromArg, sourceToOpen } from './sourceAllowlist';

export type PaperArg = string | PaperTreeNode | undefined;

export function paperIdOf(arg: unknown, view?: vscode.TreeView<PaperTreeNode>): string | undefined {
  const id = paperIdFromArg(arg);
  if (id !== undefined) return id;
  const selected = view?.selection.find((n) => n.kind === 'paper');
  return selected?.kind === 'paper' ? selected.paper.id : undefined;
}

/** The citation syntax for a key in the given language (LaTeX: the `paperAtlas.citations.latexCommand` setting). */
export function citationFor(key: string, languageId: string | undefined): string {
  return citationText(key, languageId, readConfig().citationLatexCommand);
}

/** Opens the source entry of an indexed paper; returns false (and says why) when it opens nothing. */
export async function goToSource(ctx: AtlasContext, id: unknown): Promise<boolean> {
  const decision = sourceToOpen(id, ctx.catalog);
  if (!decision.ok) {
    ctx.log.warn(`go to source refused: ${decision.reason}`);
    void vscode.window.showWarningMessage(notificationText(`Paper Atlas: cannot go to source — ${decision.reason}.`));
    return false;
  }
  const line = decision.line - 1;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(decision.file));
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
  return true;
}

export async function copyCitationKey(id: string): Promise<void> {
  await vscode.env.clipboard.writeText(id);
  vscode.window.setStatusBarMessage(labelText(`Copied citation key ${id}`), 3000);
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
      const paper = ctx.catalog.get(id);
      if (!paper) {
        ctx.log.warn(`refused a paper command for an id that is not indexed: ${JSON.stringify(id.slice(0, 80))}`);
        void vscode.window.showWarningMessage(notificationText(`Paper Atlas: no indexed paper has the id "${id.slice(0, 80)}".`));
        return;
      }
      await fn(paper.id);
    };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.goToSource.id, withId((id) => goToSource(ctx, id).then(() => undefined))),
    vscode.commands.registerCommand(Commands.copyCitationKey.id, withId(copyCitationKey)),
    vscode.commands.registerCommand(Commands.insertCitation.id, withId(insertCitation)),
  );
}
