/**
 * "Show Keyword Highlights": the keyword model's heat-map over the selected text (or the paragraph
 * under the cursor) as editor decorations in three strengths; on a citation or BibTeX entry of an
 * indexed paper it opens the paper in the Atlas, whose side pane shows the heat-map of its abstract.
 * Citation syntax is blanked before scoring, so keys are never highlighted. The ranked keyword list
 * stays readable: a summary after the paragraph and the full list in the hover of every highlight.
 * Decorations clear when the document changes.
 */
import * as vscode from 'vscode';
import { markdownText, notificationText } from '../../core/displayText';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { citationAt } from '../hover/citationScanner';
import { keywordListMarkdown, keywordSummary, maskCitations, paragraphAround } from './keywordText';
import { countWords, tintLevels } from '../../shared/keywordTint';

/** The paragraph under the cursor; undefined on a blank line (it belongs to no paragraph). */
function paragraphAt(doc: vscode.TextDocument, line: number): vscode.Range | undefined {
  // Only the lines near the cursor: a paragraph never spans more than a few hundred lines.
  const from = Math.max(0, line - 500);
  const to = Math.min(doc.lineCount - 1, line + 500);
  const lines: string[] = [];
  for (let i = from; i <= to; i++) lines.push(doc.lineAt(i).text);
  const p = paragraphAround(lines, line - from);
  return p ? new vscode.Range(p.start + from, 0, p.end + from, doc.lineAt(p.end + from).text.length) : undefined;
}

export function registerKeywordHighlights(ctx: AtlasContext): vscode.Disposable {
  const levels = [
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground') }),
    vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchBackground'), fontWeight: 'bold' }),
  ];
  const summary = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
  });
  const decorated = new Set<vscode.TextEditor>();
  const clear = (editor: vscode.TextEditor): void => {
    for (const l of [...levels, summary]) editor.setDecorations(l, []);
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
    if (!range) {
      void vscode.window.showInformationMessage('Paper Atlas: put the cursor in a paragraph, or select some text, to highlight its keywords.');
      return;
    }
    // Same length as the document text, so the engine's offsets still point into the document.
    const text = maskCitations(doc.getText(range));
    if (text.trim() === '') return;
    const version = doc.version;
    try {
      const client = await ctx.engine.get();
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Paper Atlas: scoring keywords' }, () =>
        client.keywords({ text: text.slice(0, 20_000), k: 10 }),
      );
      // Typing while the model ran moved the text: the engine's offsets would now land on other words.
      if (doc.isClosed || doc.version !== version) {
        vscode.window.setStatusBarMessage('Paper Atlas: the text changed while its keywords were scored — run Show Keyword Highlights again', 6000);
        return;
      }
      const base = doc.offsetAt(range.start);
      const buckets: vscode.DecorationOptions[][] = [[], [], []];
      const list = (current?: string): vscode.MarkdownString => new vscode.MarkdownString(keywordListMarkdown(result.top, markdownText, current));
      // The panel's tint rule (src/shared/keywordTint.ts): the strongest content words, at most ~15% of the words.
      for (const s of tintLevels(result.spans, countWords(text), text.length)) {
        const bucket = buckets[s.level > 0.8 ? 2 : s.level > 0.55 ? 1 : 0]!;
        bucket.push({ range: new vscode.Range(doc.positionAt(base + s.start), doc.positionAt(base + s.end)), hoverMessage: list(text.slice(s.start, s.end)) });
      }
      levels.forEach((l, i) => editor.setDecorations(l, buckets[i] ?? []));
      const end = doc.lineAt(range.end.line).range.end;
      editor.setDecorations(summary, [{ range: new vscode.Range(end, end), hoverMessage: list(), renderOptions: { after: { contentText: keywordSummary(result.top) } } }]);
      decorated.add(editor);
    } catch (e) {
      ctx.log.warn(`keyword highlights failed: ${errorMessage(e)}`);
      void vscode.window.showWarningMessage(notificationText(`Paper Atlas: keyword highlights are not available — ${errorMessage(e)}`));
    }
  };
  return vscode.Disposable.from(
    ...levels,
    summary,
    vscode.commands.registerCommand(Commands.showKeywordHighlights.id, show),
    vscode.workspace.onDidChangeTextDocument((e) => {
      for (const ed of [...decorated]) if (ed.document === e.document) clear(ed);
    }),
  );
}
