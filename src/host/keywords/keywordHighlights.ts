/**
 * "Show Keyword Highlights": the keyword model's heat-map over the selected text (or the paragraph
 * under the cursor) as editor decorations in three strengths; on a citation or BibTeX entry of an
 * indexed paper it opens the paper in the Atlas, whose side pane shows the heat-map of its abstract.
 * Decorations clear when the document changes.
 */
import * as vscode from 'vscode';
import { labelText, notificationText } from '../../core/displayText';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { citationAt } from '../hover/citationScanner';

function paragraphAt(doc: vscode.TextDocument, line: number): vscode.Range {
  let start = line;
  let end = line;
  while (start > 0 && doc.lineAt(start - 1).text.trim() !== '') start--;
  while (end < doc.lineCount - 1 && doc.lineAt(end + 1).text.trim() !== '') end++;
  return new vscode.Range(start, 0, end, doc.lineAt(end).text.length);
}

export function registerKeywordHighlights(ctx: AtlasContext): vscode.Disposable {
  const levels = [
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchBackground'), fontWeight: 'bold' }),
  ];
  const decorated = new Set<vscode.TextEditor>();
  const clear = (editor: vscode.TextEditor): void => {
    for (const l of levels) editor.setDecorations(l, []);
    decorated.delete(editor);
  };
  const show = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Paper Atlas: open a note or select some text to highlight its keywords.');
      return;
    }
    const doc = editor.document;
    if (editor.selection.isEmpty) {
      const c = citationAt(doc.lineAt(editor.selection.active.line).text, editor.selection.active.character);
      const paper = c ? (c.kind === 'key' ? ctx.catalog.get(c.text) : ctx.catalog.byDoiOrArxiv(c.text)) : undefined;
      if (paper) {
        await vscode.commands.executeCommand(Commands.openInAtlas.id, paper.id);
        return;
      }
    }
    const range = editor.selection.isEmpty ? paragraphAt(doc, editor.selection.active.line) : new vscode.Range(editor.selection.start, editor.selection.end);
    const text = doc.getText(range);
    if (text.trim() === '') return;
    try {
      const client = await ctx.engine.get();
      const result = await client.keywords({ text: text.slice(0, 20_000), k: 10 });
      const base = doc.offsetAt(range.start);
      const max = Math.max(1e-9, ...result.spans.map((s) => s.score));
      const buckets: vscode.DecorationOptions[][] = [[], [], []];
      for (const s of result.spans) {
        const level = s.score / max;
        if (level < 0.35 || s.end > text.length) continue;
        const bucket = buckets[level > 0.8 ? 2 : level > 0.55 ? 1 : 0]!;
        bucket.push({ range: new vscode.Range(doc.positionAt(base + s.start), doc.positionAt(base + s.end)), hoverMessage: `keyword score ${s.score.toFixed(2)}` });
      }
      levels.forEach((l, i) => editor.setDecorations(l, buckets[i] ?? []));
      decorated.add(editor);
      vscode.window.setStatusBarMessage(labelText(`Paper Atlas keywords: ${result.top.map((t) => t.text).join(', ')}`), 8000);
    } catch (e) {
      ctx.log.warn(`keyword highlights failed: ${errorMessage(e)}`);
      void vscode.window.showWarningMessage(notificationText(`Paper Atlas: keyword highlights are not available — ${errorMessage(e)}`));
    }
  };
  return vscode.Disposable.from(
    ...levels,
    vscode.commands.registerCommand(Commands.showKeywordHighlights.id, show),
    vscode.workspace.onDidChangeTextDocument((e) => {
      for (const ed of [...decorated]) if (ed.document === e.document) clear(ed);
    }),
  );
}
