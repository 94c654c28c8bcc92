/**
 * Citation completion in Markdown and LaTeX. After a trigger (src/core/citations/citationContext.ts)
 * the items are the catalogue's papers: ranked by the typed prefix (key, author, title word) when
 * there is one, read synchronously from the catalogue; otherwise by the meaning of the paragraph
 * around the cursor through the engine's hybrid text search, each with the keyphrases it shares with
 * that paragraph. The engine answers on its own thread, raced against cancellation and a time
 * limit, so typing never waits; when it cannot answer, the newest papers are offered instead.
 * The provider never throws.
 */
import * as vscode from 'vscode';
import { citationContextAt, citationInsertText, type CitationContext, type CitationSyntax } from '../../core/citations/citationContext';
import { paragraphAround, PrefixIndex } from '../../core/citations/citationRanking';
import { suggestCitations, type CitationSource, type CitationSuggestion } from '../../core/citations/citationSuggestions';
import { markdownText, plainText } from '../../core/displayText';
import { errorMessage, type AtlasContext } from '../atlasContext';
import type { CatalogPaper } from '../library/paperCatalog';
import { paperDescription } from '../tree/paperTreeProvider';
import { raceCancellation } from '../hover/citationHoverProvider';

/** Items in one list: more is scrolling, not choosing. */
export const COMPLETION_ITEMS = 30;
/** Lines read on each side of the cursor to find its paragraph. */
const CONTEXT_LINES = 40;
/** The engine's answer is dropped after this; the newest papers are offered instead. */
const ENGINE_TIMEOUT_MS = 1500;

export const CITATION_TRIGGERS = ['@', '{', ',', ';'];

export interface CitationCompletionDeps {
  catalog: { all(): Iterable<CatalogPaper>; get(id: string): CatalogPaper | undefined; readonly size: number };
  /** The engine, started if need be; rejects when it cannot start. */
  engine(): Promise<CitationSource>;
  log: { warn(line: string): void };
}

export function syntaxOf(languageId: string): CitationSyntax | undefined {
  if (languageId === 'markdown') return 'pandoc';
  if (languageId === 'latex' || languageId === 'tex') return 'latex';
  return undefined;
}

export class CitationCompletionProvider implements vscode.CompletionItemProvider, vscode.Disposable {
  /** The catalogue folded for prefix ranking; dropped when the library changes. */
  private prefixIndex: PrefixIndex<CatalogPaper> | undefined;
  private rebuild: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: CitationCompletionDeps) {}

  /** The library changed: fold it again soon, off the keystroke that would otherwise pay for it. */
  libraryChanged(): void {
    this.prefixIndex = undefined;
    if (this.rebuild) clearTimeout(this.rebuild);
    this.rebuild = setTimeout(() => {
      this.rebuild = undefined;
      this.prefixIndex ??= new PrefixIndex(this.deps.catalog.all());
    }, 200);
  }

  dispose(): void {
    if (this.rebuild) clearTimeout(this.rebuild);
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionList | undefined> {
    try {
      const syntax = syntaxOf(document.languageId);
      if (!syntax || this.deps.catalog.size === 0) return undefined;
      const context = citationContextAt(document.lineAt(position.line).text.slice(0, position.character), syntax);
      if (!context) return undefined;
      const range = new vscode.Range(position.line, context.replaceStart, position.line, position.character);
      if (context.prefix !== '') {
        if (this.prefixIndex?.size !== this.deps.catalog.size) this.prefixIndex = new PrefixIndex(this.deps.catalog.all());
        const ranked = this.prefixIndex.rank(context.prefix, COMPLETION_ITEMS);
        return new vscode.CompletionList(
          ranked.map((r, i) => this.item(r.paper, i, context, range, undefined)),
          false,
        );
      }
      const suggestions = await this.byMeaning(document, position.line, token);
      if (token.isCancellationRequested) return undefined;
      const papers = suggestions
        ? suggestions.flatMap((s) => {
            const paper = this.deps.catalog.get(s.id);
            return paper ? [{ paper, reason: s.reason }] : [];
          })
        : newest(this.deps.catalog.all(), COMPLETION_ITEMS).map((paper) => ({ paper, reason: undefined }));
      // Incomplete: the next keystroke is a prefix, and prefix ranking is a different list, not a filter of this one.
      return new vscode.CompletionList(
        papers.map((p, i) => this.item(p.paper, i, context, range, p.reason)),
        true,
      );
    } catch (e) {
      this.deps.log.warn(`citation completion failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async byMeaning(document: vscode.TextDocument, line: number, token: vscode.CancellationToken): Promise<CitationSuggestion[] | undefined> {
    const first = Math.max(0, line - CONTEXT_LINES);
    const last = Math.min(document.lineCount - 1, line + CONTEXT_LINES);
    const lines: string[] = [];
    for (let i = first; i <= last; i++) lines.push(document.lineAt(i).text);
    const text = paragraphAround(lines, line - first);
    if (text.trim() === '') return undefined;
    const work = this.deps.engine().then((source) => suggestCitations(source, text, COMPLETION_ITEMS));
    return raceCancellation(work, token, ENGINE_TIMEOUT_MS);
  }

  private item(paper: CatalogPaper, rank: number, context: CitationContext, range: vscode.Range, reason: string | undefined): vscode.CompletionItem {
    const who = paperDescription(paper);
    const item = new vscode.CompletionItem({ label: paper.id, detail: ` ${plainText(paper.title)}`, description: plainText(who) }, vscode.CompletionItemKind.Reference);
    item.insertText = citationInsertText(context, paper.id);
    item.range = range;
    item.sortText = String(rank).padStart(4, '0');
    // VS Code filters the list by what was typed since replaceStart: let author and title words match too.
    item.filterText = `${context.wrap ? '@' : ''}${paper.id} ${paper.authors.join(' ')} ${paper.title}`;
    if (reason) item.detail = `shared: ${plainText(reason)}`;
    const doc = new vscode.MarkdownString(undefined, false);
    doc.isTrusted = false;
    doc.supportHtml = false;
    doc.appendMarkdown(`**${markdownText(paper.title)}**\n\n${markdownText(who)}\n\n`);
    if (reason) doc.appendMarkdown(`*Shared with the paragraph:* ${markdownText(reason)}\n\n`);
    if (paper.abstractStart) doc.appendMarkdown(markdownText(paper.abstractStart));
    item.documentation = doc;
    return item;
  }
}

function newest(papers: Iterable<CatalogPaper>, limit: number): CatalogPaper[] {
  return [...papers].sort((a, b) => (b.year ?? 0) - (a.year ?? 0) || a.id.localeCompare(b.id)).slice(0, limit);
}

export function registerCitationCompletion(ctx: AtlasContext): vscode.Disposable {
  const selector: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }];
  const provider = new CitationCompletionProvider({ catalog: ctx.catalog, engine: () => ctx.engine.get(), log: ctx.log });
  return vscode.Disposable.from(
    provider,
    ctx.catalog.onDidChange(() => provider.libraryChanged()),
    vscode.languages.registerCompletionItemProvider(selector, provider, ...CITATION_TRIGGERS),
  );
}
