/**
 * "Suggest Citations for This Paragraph": the papers that support the paragraph at the cursor (the
 * engine's hybrid text search, as citation completion uses), each with the keyphrases it shares with
 * the paragraph; the chosen one is inserted by Insert Citation, so the document's syntax has one rule.
 */
import * as vscode from 'vscode';
import { paragraphAround } from '../../core/citations/citationRanking';
import { suggestCitations, type CitationSource } from '../../core/citations/citationSuggestions';
import { labelText } from '../../core/displayText';
import { errorMessage, type AtlasContext } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { insertCitation } from '../commands/paperActions';
import type { CatalogPaper } from '../library/paperCatalog';
import { paperDescription } from '../tree/paperTreeProvider';

export const SUGGESTIONS = 10;
const CONTEXT_LINES = 40;

export interface SuggestCitationsDeps {
  catalog: { get(id: string): CatalogPaper | undefined };
  engine(): Promise<CitationSource>;
  log: { warn(line: string): void };
}

/** Returns the inserted paper's id, or undefined when nothing was inserted. */
export async function suggestCitationsForParagraph(deps: SuggestCitationsDeps): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Paper Atlas: open a note or .tex file and put the cursor in a paragraph.');
    return undefined;
  }
  const document = editor.document;
  const line = editor.selection.active.line;
  const first = Math.max(0, line - CONTEXT_LINES);
  const lines: string[] = [];
  for (let i = first; i <= Math.min(document.lineCount - 1, line + CONTEXT_LINES); i++) lines.push(document.lineAt(i).text);
  const text = paragraphAround(lines, line - first);
  if (text === '') {
    void vscode.window.showInformationMessage('Paper Atlas: the cursor is not in a paragraph of text.');
    return undefined;
  }
  let suggestions;
  try {
    suggestions = await suggestCitations(await deps.engine(), text, SUGGESTIONS);
  } catch (e) {
    deps.log.warn(`suggest citations failed: ${errorMessage(e)}`);
    void vscode.window.showWarningMessage('Paper Atlas: no suggestions right now (see the log).');
    return undefined;
  }
  const items = suggestions.flatMap((s) => {
    const paper = deps.catalog.get(s.id);
    if (!paper) return [];
    // labelText: a title spelling `$(icon)` stays text in the picker.
    return [{ id: s.id, label: labelText(s.title), description: labelText(paperDescription(paper)), detail: s.reason ? labelText(`shared: ${s.reason}`) : undefined }];
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Paper Atlas: no indexed paper matches this paragraph.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Papers that support this paragraph', matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  await insertCitation(picked.id);
  return picked.id;
}

export function registerSuggestCitations(ctx: AtlasContext): vscode.Disposable {
  const deps: SuggestCitationsDeps = { catalog: ctx.catalog, engine: () => ctx.engine.get(), log: ctx.log };
  return vscode.commands.registerCommand(Commands.suggestCitations.id, () => suggestCitationsForParagraph(deps));
}
