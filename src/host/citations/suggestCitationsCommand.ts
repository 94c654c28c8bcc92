/**
 * "Suggest Citations for This Paragraph": the papers that support the paragraph at the cursor (the
 * engine's hybrid text search, as citation completion uses), each with the keyphrases it shares with
 * the paragraph; the chosen one is inserted at the cursor in the document's syntax (citationSyntax.ts:
 * `[@key]` in Markdown, `\cite{key}` with the configured command in LaTeX). A code action offers the
 * command on a paragraph of prose that cites nothing yet; it passes its own position, so the paper is
 * inserted where the light bulb was, and a selection is never overwritten.
 */
import * as vscode from 'vscode';
import { isParagraphBreak, paragraphAround, paragraphBounds, proseOf } from '../../core/citations/citationRanking';
import { suggestCitations, type CitationSource } from '../../core/citations/citationSuggestions';
import { citationInsertion, citationText } from '../../core/citations/citationSyntax';
import { labelText } from '../../core/displayText';
import { errorMessage, type AtlasContext } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { readConfig } from '../config';
import { scanCitations } from '../hover/citationScanner';
import type { CatalogPaper } from '../library/paperCatalog';
import { paperDescription } from '../tree/paperTreeProvider';
import { syntaxOf } from './citationCompletionProvider';

export const SUGGESTIONS = 10;
const CONTEXT_LINES = 40;
/** A paragraph shorter than this is a heading, a list stub or a caption: no light bulb for it. */
const MIN_PARAGRAPH_WORDS = 6;
const MAX_LINE = 10_000;

export const SUGGEST_CITATIONS_KIND = vscode.CodeActionKind.Refactor.append('paperAtlas.suggestCitations');

export interface SuggestCitationsDeps {
  catalog: { get(id: string): CatalogPaper | undefined; readonly size: number };
  engine(): Promise<CitationSource>;
  log: { warn(line: string): void };
}

/** Where to insert, as the code action passes it (untrusted: the command may be run with any argument). */
export interface SuggestCitationsTarget {
  uri: string;
  line: number;
  character: number;
}

function isTarget(arg: unknown): arg is SuggestCitationsTarget {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as Record<string, unknown>;
  return typeof a.uri === 'string' && Number.isInteger(a.line) && Number.isInteger(a.character) && (a.line as number) >= 0 && (a.character as number) >= 0;
}

function linesAround(document: vscode.TextDocument, line: number): { lines: string[]; first: number } {
  const first = Math.max(0, line - CONTEXT_LINES);
  const lines: string[] = [];
  for (let i = first; i <= Math.min(document.lineCount - 1, line + CONTEXT_LINES); i++) lines.push(document.lineAt(i).text);
  return { lines, first };
}

/** Returns the inserted paper's id, or undefined when nothing was inserted. */
export async function suggestCitationsForParagraph(deps: SuggestCitationsDeps, arg?: unknown): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Paper Atlas: open a note or .tex file and put the cursor in a paragraph.');
    return undefined;
  }
  const document = editor.document;
  const target = isTarget(arg) && arg.uri === document.uri.toString() && arg.line < document.lineCount ? arg : undefined;
  const position = target ? document.validatePosition(new vscode.Position(target.line, target.character)) : editor.selection.active;
  const { lines, first } = linesAround(document, position.line);
  const text = paragraphAround(lines, position.line - first);
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
    return [{ id: paper.id, label: labelText(s.title), description: labelText(paperDescription(paper)), detail: s.reason ? labelText(`shared: ${s.reason}`) : undefined }];
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Paper Atlas: no indexed paper matches this paragraph.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Papers that support this paragraph', matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  // The editor may have changed while the list was open: insert into the document the paragraph came from.
  const at = target ? position : editor.selection.end;
  const citation = citationText(picked.id, document.languageId, readConfig().citationLatexCommand);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, at, citationInsertion(document.lineAt(at.line).text, at.character, citation));
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  return picked.id;
}

/** Whether the paragraph around `line` is prose that cites nothing yet (the code action's condition). */
export function paragraphWithoutCitations(lines: readonly string[], line: number): boolean {
  if (isParagraphBreak(lines[line])) return false;
  const { first, last } = paragraphBounds(lines, line);
  const paragraph = lines.slice(first, last + 1);
  if (paragraph.some((l) => l.length > MAX_LINE)) return false;
  if (paragraph.some((l) => scanCitations(l).some((t) => t.kind === 'key'))) return false;
  const words = proseOf(paragraph.join(' ')).split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w));
  return words.length >= MIN_PARAGRAPH_WORDS;
}

export class SuggestCitationsCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [SUGGEST_CITATIONS_KIND] };

  constructor(private readonly deps: Pick<SuggestCitationsDeps, 'catalog' | 'log'>) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] | undefined {
    try {
      if (!syntaxOf(document.languageId) || this.deps.catalog.size === 0) return undefined;
      if (context.only && !context.only.contains(SUGGEST_CITATIONS_KIND) && !SUGGEST_CITATIONS_KIND.contains(context.only)) return undefined;
      const position = range.end;
      const { lines, first } = linesAround(document, position.line);
      if (!paragraphWithoutCitations(lines, position.line - first)) return undefined;
      const action = new vscode.CodeAction('Suggest citations for this paragraph', SUGGEST_CITATIONS_KIND);
      const target: SuggestCitationsTarget = { uri: document.uri.toString(), line: position.line, character: position.character };
      action.command = { command: Commands.suggestCitations.id, title: Commands.suggestCitations.title, arguments: [target] };
      return [action];
    } catch (e) {
      this.deps.log.warn(`suggest citations code action failed: ${errorMessage(e)}`);
      return undefined;
    }
  }
}

export function registerSuggestCitations(ctx: AtlasContext): vscode.Disposable {
  const deps: SuggestCitationsDeps = { catalog: ctx.catalog, engine: () => ctx.engine.get(), log: ctx.log };
  const selector: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }];
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.suggestCitations.id, (arg?: unknown) => suggestCitationsForParagraph(deps, arg)),
    vscode.languages.registerCodeActionsProvider(selector, new SuggestCitationsCodeActionProvider(deps), SuggestCitationsCodeActionProvider.metadata),
  );
}
