/**
 * Citation checks in the Problems panel, computed off the typing path (each document half a second
 * after its last edit, the library's keys after the catalogue or a library .bib changes):
 *
 * - in open Markdown and LaTeX files, a cited key that is not in the library (Warning), with a
 *   quick fix offering the closest keys by spelling and the papers that fit the sentence by meaning
 *   (the engine's hybrid text search, raced against cancellation and a time limit);
 * - one paper under two keys: on each later .bib entry of a paper the indexer merged (same DOI,
 *   arXiv id or title by paperIdentity.ts; the entries are matched to the index's papers by file and
 *   line, so the host neither parses BibTeX, which would put the parser in its bundle, nor keeps a
 *   second identity rule), and in a document that cites two keys of one paper;
 * - with `paperAtlas.citations.checks.unusedEntries`, each .bib entry no Markdown or LaTeX file of
 *   the workspace cites (Information).
 *
 * The rules are pure (citationChecks.ts); this module reads documents, schedules and reports.
 */
import * as vscode from 'vscode';
import { bibEntryHeaders, bibProblems, closestKeysBySpelling, documentProblems, libraryKeys, type BibEntryRef, type CitedKey, type LibraryKeys } from '../../core/citations/citationChecks';
import { paragraphAround } from '../../core/citations/citationRanking';
import { suggestCitations, type CitationSource } from '../../core/citations/citationSuggestions';
import { errorMessage, type AtlasContext } from '../atlasContext';
import { readConfig } from '../config';
import { scanCitations } from '../hover/citationScanner';
import { raceCancellation } from '../hover/citationHoverProvider';
import type { CatalogPaper } from '../library/paperCatalog';
import { syntaxOf } from './citationCompletionProvider';

export const DIAGNOSTIC_SOURCE = 'Paper Atlas';
export const UNKNOWN_KEY_CODE = 'unknownCitationKey';
export const SAME_PAPER_CODE = 'samePaperTwoKeys';
export const DUPLICATE_ENTRY_CODE = 'duplicateBibEntry';
export const UNUSED_ENTRY_CODE = 'unusedBibEntry';

const DOCUMENT_DELAY_MS = 500;
const LIBRARY_DELAY_MS = 800;
const WORKSPACE_DELAY_MS = 1500;
const MAX_LINE = 10_000;
const MAX_FILES = 5000;
const MAX_FILE_CHARS = 4 * 1024 * 1024;
/** The indexer reads library files up to 200 MB; the checks parse them on this thread, so stop well below. */
const MAX_BIB_CHARS = 64 * 1024 * 1024;
const SPELLING_FIXES = 3;
const MEANING_FIXES = 3;
const ENGINE_TIMEOUT_MS = 2000;
const CONTEXT_LINES = 40;

/** The cited keys of a document's lines: no fenced code in Markdown, no comments in LaTeX. */
export function citedKeys(lines: readonly string[], syntax: 'pandoc' | 'latex'): CitedKey[] {
  const found: CitedKey[] = [];
  let fence: string | undefined;
  lines.forEach((raw, i) => {
    if (raw.length > MAX_LINE) return;
    if (syntax === 'pandoc') {
      const m = /^\s*(`{3,}|~{3,})/.exec(raw);
      if (m?.[1]) {
        if (fence === undefined) fence = m[1][0];
        else if (m[1][0] === fence) fence = undefined;
        return;
      }
      if (fence !== undefined) return;
    }
    const line = syntax === 'latex' ? raw.replace(/(?<!\\)%.*$/, '') : raw.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    for (const t of scanCitations(line)) if (t.kind === 'key') found.push({ key: t.text, line: i, start: t.start, end: t.end });
  });
  return found;
}

function isBibFile(file: string): boolean {
  return /\.(bib|bibtex)$/i.test(file);
}

function linesOf(document: vscode.TextDocument): string[] {
  const lines: string[] = [];
  for (let i = 0; i < document.lineCount; i++) lines.push(document.lineAt(i).text);
  return lines;
}

export interface CitationChecksDeps {
  catalog: { all(): Iterable<CatalogPaper>; readonly size: number; onDidChange: vscode.Event<void> };
  log: { warn(line: string): void };
}

export class CitationChecker implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('paper-atlas-citations');
  private library: LibraryKeys | undefined;
  private bibTexts = new Map<string, string[]>();
  private bibFilesWithProblems = new Set<string>();
  private cited: Set<string> | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private libraryRun = 0;
  private readonly libraryReadyEmitter = new vscode.EventEmitter<void>();
  /** Fires after the library's keys were read again and every open document checked. */
  readonly onDidCheck = this.libraryReadyEmitter.event;

  constructor(private readonly deps: CitationChecksDeps) {
    this.disposables.push(
      this.diagnostics,
      this.libraryReadyEmitter,
      deps.catalog.onDidChange(() => this.schedule('library', LIBRARY_DELAY_MS, () => this.refreshLibrary())),
      vscode.workspace.onDidOpenTextDocument((d) => this.documentChanged(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.documentChanged(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (syntaxOf(d.languageId)) this.diagnostics.delete(d.uri);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (syntaxOf(d.languageId)) this.scheduleWorkspaceScan();
      }),
      vscode.workspace.onDidCreateFiles(() => this.scheduleWorkspaceScan()),
      vscode.workspace.onDidDeleteFiles(() => this.scheduleWorkspaceScan()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('paperAtlas.citations')) this.schedule('library', 0, () => this.refreshLibrary());
      }),
    );
    if (deps.catalog.size > 0) this.schedule('library', 0, () => this.refreshLibrary());
  }

  /** The library's keys as last read (for quick fixes and tests). */
  get keys(): LibraryKeys | undefined {
    return this.library;
  }

  private schedule(name: string, delayMs: number, run: () => Promise<void> | void): void {
    const old = this.timers.get(name);
    if (old) clearTimeout(old);
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        Promise.resolve()
          .then(run)
          .catch((e: unknown) => this.deps.log.warn(`citation checks failed: ${errorMessage(e)}`));
      }, delayMs),
    );
  }

  private documentChanged(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return;
    if (syntaxOf(document.languageId)) {
      this.schedule(`doc:${document.uri.toString()}`, DOCUMENT_DELAY_MS, () => this.checkDocument(document));
    }
  }

  private scheduleWorkspaceScan(): void {
    if (!readConfig().citationUnusedEntries) return;
    this.schedule('workspace', WORKSPACE_DELAY_MS, async () => {
      await this.scanWorkspace();
      this.reportBib();
    });
  }

  /** Reads the library's .bib files again (open editors' text first), then checks every open document. */
  async refreshLibrary(): Promise<void> {
    const run = ++this.libraryRun;
    const config = readConfig();
    if (!config.citationChecks || this.deps.catalog.size === 0) {
      this.library = undefined;
      this.diagnostics.clear();
      this.bibFilesWithProblems.clear();
      this.libraryReadyEmitter.fire();
      return;
    }
    const files = new Set<string>();
    const papers = [...this.deps.catalog.all()];
    for (const p of papers) for (const s of p.sources) if (isBibFile(s.file)) files.add(s.file);
    const entries: BibEntryRef[] = [];
    const texts = new Map<string, string[]>();
    for (const file of [...files].sort()) {
      let text: string;
      try {
        // The file as the index read it (not an editor's unsaved text): entries are matched to papers by line.
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
      } catch {
        continue; // removed since it was indexed: the next indexing run drops its papers
      }
      if (text.length > MAX_BIB_CHARS) continue;
      const lines = text.split(/\r?\n/);
      entries.push(...bibEntryHeaders(lines, file));
      texts.set(file, lines);
    }
    if (run !== this.libraryRun) return;
    this.library = libraryKeys(papers, entries);
    this.bibTexts = texts;
    if (config.citationUnusedEntries) await this.scanWorkspace();
    else this.cited = undefined;
    if (run !== this.libraryRun) return;
    for (const d of vscode.workspace.textDocuments) if (syntaxOf(d.languageId)) this.checkDocument(d);
    this.reportBib();
    this.libraryReadyEmitter.fire();
  }

  /** Every key cited in the workspace's Markdown and LaTeX files (open editors' text first), lowercased. */
  private async scanWorkspace(): Promise<void> {
    const cited = new Set<string>();
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    for (const uri of await vscode.workspace.findFiles('**/*.{md,markdown,tex}', '**/node_modules/**', MAX_FILES)) {
      const doc = open.get(uri.toString());
      let text: string;
      try {
        text = doc ? doc.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        continue;
      }
      if (text.length > MAX_FILE_CHARS) continue;
      const syntax = /\.tex$/i.test(uri.path) ? 'latex' : 'pandoc';
      for (const c of citedKeys(text.split(/\r?\n/), syntax)) cited.add(c.key.toLowerCase());
    }
    this.cited = cited;
  }

  private reportBib(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    if (this.library) {
      const problems = bibProblems(this.library, readConfig().citationUnusedEntries ? this.cited : undefined);
      for (const p of problems) {
        const lineIndex = Math.max(0, p.entry.line - 1);
        const text = this.bibTexts.get(p.entry.file)?.[lineIndex] ?? '';
        const col = Math.max(0, text.indexOf(p.entry.key));
        const range = new vscode.Range(lineIndex, col, lineIndex, col + (text.includes(p.entry.key) ? p.entry.key.length : text.length));
        const d = new vscode.Diagnostic(range, p.message, p.kind === 'unusedEntry' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = p.kind === 'unusedEntry' ? UNUSED_ENTRY_CODE : DUPLICATE_ENTRY_CODE;
        if (p.first) {
          const firstText = this.bibTexts.get(p.first.file)?.[p.first.line - 1] ?? '';
          d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(p.first.file), new vscode.Position(p.first.line - 1, Math.max(0, firstText.indexOf(p.first.key)))), `"${p.first.key}" is indexed here`)];
        }
        const list = byFile.get(p.entry.file) ?? [];
        list.push(d);
        byFile.set(p.entry.file, list);
      }
    }
    for (const file of this.bibFilesWithProblems) if (!byFile.has(file)) this.diagnostics.delete(vscode.Uri.file(file));
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    this.bibFilesWithProblems = new Set(byFile.keys());
  }

  checkDocument(document: vscode.TextDocument): void {
    const syntax = syntaxOf(document.languageId);
    if (!syntax || document.isClosed) return;
    if (!this.library || !readConfig().citationChecks) {
      this.diagnostics.delete(document.uri);
      return;
    }
    const problems = documentProblems(citedKeys(linesOf(document), syntax), this.library);
    this.diagnostics.set(
      document.uri,
      problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(p.at.line, p.at.start, p.at.line, p.at.end), p.message, vscode.DiagnosticSeverity.Warning);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = p.kind === 'unknownKey' ? UNKNOWN_KEY_CODE : SAME_PAPER_CODE;
        if (p.kind === 'samePaperTwoKeys') {
          d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, new vscode.Position(p.other.line, p.other.start)), `"${p.other.key}" cited here`)];
        }
        return d;
      }),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

export interface CitationQuickFixDeps {
  catalog: { all(): Iterable<CatalogPaper>; get(id: string): CatalogPaper | undefined };
  engine(): Promise<CitationSource>;
  log: { warn(line: string): void };
}

/** Quick fixes for a key that is not in the library: the closest keys by spelling, then the papers that fit the sentence. */
export class CitationQuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly deps: CitationQuickFixDeps) {}

  async provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[] | undefined> {
    try {
      const unknown = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === UNKNOWN_KEY_CODE);
      if (unknown.length === 0) return undefined;
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of unknown) {
        const key = document.getText(diagnostic.range);
        const offered = new Set<string>([key.toLowerCase()]);
        const replace = (id: string, title: string, preferred: boolean): void => {
          if (offered.has(id.toLowerCase())) return;
          offered.add(id.toLowerCase());
          const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(document.uri, diagnostic.range, id);
          action.diagnostics = [diagnostic];
          action.isPreferred = preferred;
          actions.push(action);
        };
        const ids = [...this.deps.catalog.all()].map((p) => p.id);
        closestKeysBySpelling(key, ids, SPELLING_FIXES).forEach((id, i) => replace(id, `Change to "${id}" (closest spelling)`, i === 0));
        for (const s of (await this.byMeaning(document, diagnostic.range.start.line, token)) ?? []) {
          const paper = this.deps.catalog.get(s.id);
          if (!paper) continue;
          const title = paper.title.length > 60 ? `${paper.title.slice(0, 59).replace(/\s+\S*$/, '')}…` : paper.title;
          replace(paper.id, `Change to "${paper.id}": ${title} (fits the sentence)`, false);
        }
        if (token.isCancellationRequested) return undefined;
      }
      return actions;
    } catch (e) {
      this.deps.log.warn(`citation quick fix failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private byMeaning(document: vscode.TextDocument, line: number, token: vscode.CancellationToken): Promise<{ id: string }[] | undefined> {
    const first = Math.max(0, line - CONTEXT_LINES);
    const lines: string[] = [];
    for (let i = first; i <= Math.min(document.lineCount - 1, line + CONTEXT_LINES); i++) lines.push(document.lineAt(i).text);
    const text = paragraphAround(lines, line - first);
    if (text.trim() === '') return Promise.resolve(undefined);
    const work = this.deps.engine().then((source) => suggestCitations(source, text, MEANING_FIXES));
    return raceCancellation(work, token, ENGINE_TIMEOUT_MS);
  }
}

export function registerCitationChecks(ctx: AtlasContext): { disposable: vscode.Disposable; checker: CitationChecker } {
  const checker = new CitationChecker({ catalog: ctx.catalog, log: ctx.log });
  const selector: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }];
  const disposable = vscode.Disposable.from(
    checker,
    vscode.languages.registerCodeActionsProvider(selector, new CitationQuickFixProvider({ catalog: ctx.catalog, engine: () => ctx.engine.get(), log: ctx.log }), CitationQuickFixProvider.metadata),
  );
  return { disposable, checker };
}
