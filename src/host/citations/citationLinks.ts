/**
 * DOIs and arXiv ids written in notes and .tex files become links when they name an indexed paper:
 * the link opens that paper in the Atlas (the panel, focused on it), offline. A DOI or arXiv id of a
 * paper that is not in the library gets no link from Paper Atlas (the editor's own URL links still
 * work for `https://…`); nothing is fetched. Ids are found by the hover's scanner and looked up by the
 * catalogue's identity keys (paperIdentity.ts), so a link, a hover and Go to Definition agree.
 */
import * as vscode from 'vscode';
import { plainText } from '../../core/displayText';
import { errorMessage, type AtlasContext } from '../atlasContext';
import { commandUri } from '../commands/commandTable';
import { scanCitations } from '../hover/citationScanner';
import type { CatalogPaper } from '../library/paperCatalog';

const MAX_LINE = 10_000;
/** Links in one document; a file with more ids than this is data, and the rest get none. */
export const MAX_LINKS = 2000;

export interface PaperLink {
  line: number;
  start: number;
  end: number;
  id: string;
  title: string;
}

/** The DOIs and arXiv ids of indexed papers in `lines`, in order. Pure apart from the catalogue lookup. */
export function paperLinks(lines: readonly string[], byDoiOrArxiv: (token: string) => CatalogPaper | undefined, isCancelled: () => boolean = () => false): PaperLink[] {
  const links: PaperLink[] = [];
  for (let i = 0; i < lines.length && links.length < MAX_LINKS; i++) {
    const text = lines[i] ?? '';
    if (text.length > MAX_LINE || !/\d/.test(text)) continue;
    if (i % 500 === 0 && isCancelled()) return [];
    let covered = 0;
    for (const t of scanCitations(text)) {
      // One link per span: the arXiv id inside an arXiv DOI is part of the DOI's link.
      if (t.kind === 'key' || t.start < covered) continue;
      const paper = byDoiOrArxiv(t.text);
      if (!paper) continue;
      links.push({ line: i, start: t.start, end: t.end, id: paper.id, title: paper.title });
      covered = t.end;
    }
  }
  return links;
}

export class CitationLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly deps: { catalog: { byDoiOrArxiv(token: string): CatalogPaper | undefined; readonly size: number }; log: { warn(line: string): void } }) {}

  provideDocumentLinks(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.DocumentLink[] | undefined {
    try {
      if (this.deps.catalog.size === 0) return undefined;
      const lines: string[] = [];
      for (let i = 0; i < document.lineCount; i++) lines.push(document.lineAt(i).text);
      return paperLinks(lines, (t) => this.deps.catalog.byDoiOrArxiv(t), () => token.isCancellationRequested).map((l) => {
        const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), vscode.Uri.parse(commandUri('openInAtlas', [l.id])));
        link.tooltip = `Open “${plainText(l.title)}” in the Atlas`;
        return link;
      });
    } catch (e) {
      this.deps.log.warn(`document links failed: ${errorMessage(e)}`);
      return undefined;
    }
  }
}

export function registerCitationLinks(ctx: AtlasContext): vscode.Disposable {
  const selector: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }, { language: 'plaintext' }];
  return vscode.languages.registerDocumentLinkProvider(selector, new CitationLinkProvider({ catalog: ctx.catalog, log: ctx.log }));
}
