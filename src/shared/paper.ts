/**
 * The one record every library format is read into. Parsers in src/core/ingest produce these;
 * the engine stores them; the host, CLI and webview show them.
 */

/** Where a paper was read from: a file and the 1-based line its entry starts on. */
export interface PaperSource {
  file: string;
  line: number;
}

export interface Paper {
  /** Stable id: citation key for BibTeX/CSL/notes, arXiv id, ACL bibkey, else a hash of the normalised title. */
  id: string;
  title: string;
  /** Empty string for title-only papers (e.g. BibTeX entries without an abstract). */
  abstract: string;
  authors: string[];
  year?: number;
  venue?: string;
  doi?: string;
  url?: string;
  arxivId?: string;
  keywords: string[];
  /** Every place this paper was found; the first is the primary one ("go to source"). */
  sources: PaperSource[];
  /** sha256 (hex, first 16 chars) of the text that is embedded; unchanged hash means no re-embedding. */
  contentHash: string;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** A problem found while reading a library file: a malformed entry or a skipped file. */
export interface IngestDiagnostic {
  file: string;
  /** 1-based; 0 when it concerns the whole file. */
  line: number;
  severity: DiagnosticSeverity;
  message: string;
}

export interface ParseResult {
  papers: Paper[];
  diagnostics: IngestDiagnostic[];
}
