/**
 * Go to Definition / Peek on a citation (a key, DOI or arXiv id of an indexed paper) opens the
 * paper's entries in its library files; Find All References lists every citation of a key across
 * the workspace's Markdown and LaTeX files, also when asked from the key of a .bib entry. Citations
 * are found by the hover's scanner (src/host/hover/citationScanner.ts), so what hovers is what
 * navigates. Both providers read the catalogue synchronously, honour cancellation and never throw.
 */
import * as vscode from 'vscode';
import { errorMessage, type AtlasContext } from '../atlasContext';
import { bibEntryKeyAt, citationAt, scanCitations } from '../hover/citationScanner';
import type { CatalogPaper } from '../library/paperCatalog';

/** Files searched for references; a workspace with more notes than this is searched in part. */
export const MAX_REFERENCE_FILES = 5000;
/** A file larger than this is data, not a note someone cites from. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_LINE = 10_000;

export interface KeyOccurrence {
  line: number;
  start: number;
  end: number;
}

/** Every citation of `key` in `text` (keys compare case-insensitively, as BibTeX's do), in order. */
export function keyOccurrences(text: string, key: string): KeyOccurrence[] {
  const wanted = key.toLowerCase();
  const found: KeyOccurrence[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.length > MAX_LINE || !line.toLowerCase().includes(wanted)) return;
    for (const t of scanCitations(line)) if (t.kind === 'key' && t.text.toLowerCase() === wanted) found.push({ line: i, start: t.start, end: t.end });
  });
  return found;
}

export interface CitationNavigationDeps {
  catalog: { get(id: string): CatalogPaper | undefined; byDoiOrArxiv(token: string): CatalogPaper | undefined };
  /** The workspace's Markdown and LaTeX files. */
  listFiles(token: vscode.CancellationToken): Promise<vscode.Uri[]>;
  /** A file's text, from its open editor when it has one (unsaved edits count). */
  readText(uri: vscode.Uri): Promise<string>;
  log: { warn(line: string): void };
}

/** The paper cited under the cursor, by key, DOI or arXiv id. */
function paperAt(deps: CitationNavigationDeps, document: vscode.TextDocument, position: vscode.Position): CatalogPaper | undefined {
  const line = document.lineAt(position.line).text;
  if (line.length > MAX_LINE) return undefined;
  const token = citationAt(line, position.character);
  if (!token) return undefined;
  return token.kind === 'key' ? deps.catalog.get(token.text) : deps.catalog.byDoiOrArxiv(token.text);
}

export class CitationDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly deps: CitationNavigationDeps) {}

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location[] | undefined {
    try {
      const paper = paperAt(this.deps, document, position);
      // Every file the paper was read from: Peek shows the duplicates side by side.
      return paper?.sources.map((s) => new vscode.Location(vscode.Uri.file(s.file), new vscode.Position(Math.max(0, s.line - 1), 0)));
    } catch (e) {
      this.deps.log.warn(`go to definition failed: ${errorMessage(e)}`);
      return undefined;
    }
  }
}

export class CitationReferenceProvider implements vscode.ReferenceProvider {
  constructor(private readonly deps: CitationNavigationDeps) {}

  async provideReferences(document: vscode.TextDocument, position: vscode.Position, _context: vscode.ReferenceContext, token: vscode.CancellationToken): Promise<vscode.Location[] | undefined> {
    try {
      const key = this.keyAt(document, position);
      if (key === undefined) return undefined;
      const locations: vscode.Location[] = [];
      for (const uri of (await this.deps.listFiles(token)).slice(0, MAX_REFERENCE_FILES)) {
        if (token.isCancellationRequested) return undefined;
        let text: string;
        try {
          text = await this.deps.readText(uri);
        } catch {
          continue; // Deleted or unreadable since it was listed: nothing cites from it.
        }
        if (text.length > MAX_FILE_BYTES) continue;
        for (const o of keyOccurrences(text, key)) locations.push(new vscode.Location(uri, new vscode.Range(o.line, o.start, o.line, o.end)));
      }
      return locations;
    } catch (e) {
      this.deps.log.warn(`find references failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** The cited key under the cursor, or the key of the .bib entry the cursor is in. */
  private keyAt(document: vscode.TextDocument, position: vscode.Position): string | undefined {
    if (document.languageId === 'bibtex' || document.fileName.toLowerCase().endsWith('.bib')) {
      const lines: string[] = [];
      for (let i = Math.max(0, position.line - 200); i <= position.line; i++) lines.push(document.lineAt(i).text);
      return bibEntryKeyAt(lines, lines.length - 1);
    }
    const paper = paperAt(this.deps, document, position);
    if (paper) return paper.id;
    const line = document.lineAt(position.line).text;
    const t = line.length > MAX_LINE ? undefined : citationAt(line, position.character);
    // A key missing from the library still has citations worth finding (to fix or remove them).
    return t?.kind === 'key' ? t.text : undefined;
  }
}

export function registerCitationNavigation(ctx: AtlasContext): vscode.Disposable {
  const deps: CitationNavigationDeps = {
    catalog: ctx.catalog,
    listFiles: (token) => Promise.resolve(vscode.workspace.findFiles('**/*.{md,markdown,tex}', '**/node_modules/**', MAX_REFERENCE_FILES, token)),
    readText: async (uri) => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open) return open.getText();
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    },
    log: ctx.log,
  };
  const cited: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }, { language: 'plaintext' }];
  return vscode.Disposable.from(
    vscode.languages.registerDefinitionProvider(cited, new CitationDefinitionProvider(deps)),
    vscode.languages.registerReferenceProvider([...cited, { language: 'bibtex' }, { pattern: '**/*.bib' }], new CitationReferenceProvider(deps)),
  );
}
