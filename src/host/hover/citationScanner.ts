/**
 * Finds the citation under a cursor in one line of text: Pandoc `[@key]` / `@key`, Obsidian
 * `[[@key]]`, LaTeX `\cite{a,b}` (and \citep, \citet, \autocite…), DOIs and arXiv ids. Pure, so the
 * hover provider stays cheap and the rules are unit-tested without VS Code.
 */
export interface CitationToken {
  kind: 'key' | 'doi' | 'arxiv';
  text: string;
  /** Character offsets in the line, end exclusive. */
  start: number;
  end: number;
}

const PATTERNS: { kind: CitationToken['kind']; re: RegExp; group: number }[] = [
  { kind: 'doi', re: /\b(10\.\d{4,9}\/[^\s"'<>()[\]{},;]+[^\s"'<>()[\]{},;.])/g, group: 1 },
  { kind: 'arxiv', re: /(?:arxiv[:/ ]\s*|arxiv\.org\/(?:abs|pdf)\/)?\b(\d{4}\.\d{4,5}(?:v\d+)?)\b/gi, group: 1 },
  { kind: 'key', re: /\[\[@([^\]\s|#]+)(?:[|#][^\]]*)?\]\]/g, group: 1 },
  { kind: 'key', re: /(?:^|[\s[(;,'"])-?@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*[\w])/g, group: 1 },
];

const LATEX_CITE = /\\(?:[a-zA-Z]*cite[a-zA-Z]*|nocite)\*?(?:\[[^\]]*\]){0,2}\{([^}]*)\}/g;

/** Every citation token of a line, in order. */
export function scanCitations(line: string): CitationToken[] {
  const found: CitationToken[] = [];
  for (const { kind, re, group } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const text = m[group];
      if (text === undefined) continue;
      const start = m.index + m[0].lastIndexOf(text);
      found.push({ kind, text, start, end: start + text.length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  LATEX_CITE.lastIndex = 0;
  for (let m = LATEX_CITE.exec(line); m; m = LATEX_CITE.exec(line)) {
    const body = m[1] ?? '';
    let offset = m.index + m[0].lastIndexOf(`{${body}}`) + 1;
    for (const part of body.split(',')) {
      const key = part.trim();
      const start = offset + part.indexOf(key);
      if (key !== '') found.push({ kind: 'key', text: key, start, end: start + key.length });
      offset += part.length + 1;
    }
  }
  // A DOI contains no keys; drop key matches inside DOI/URL spans.
  const wide = found.filter((t) => t.kind !== 'key');
  const seen = new Set<string>();
  return found
    .filter((t) => t.kind !== 'key' || !wide.some((w) => t.start >= w.start && t.end <= w.end))
    .filter((t) => {
      const k = `${t.start}:${t.end}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The token under `character`; the marker just before it (`@`, `{`) counts as part of it. */
export function citationAt(line: string, character: number): CitationToken | undefined {
  return scanCitations(line).find((t) => character >= t.start - 1 && character < t.end);
}

/** The key of the BibTeX entry that contains `line` (its `@type{key,` header is at or above it). */
export function bibEntryKeyAt(lines: readonly string[], line: number): string | undefined {
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    const m = /^\s*@\s*(\w+)\s*[{(]\s*([^,\s]+)\s*,/.exec(lines[i] ?? '');
    if (m) return /^(comment|string|preamble)$/i.test(m[1] ?? '') ? undefined : m[2];
  }
  return undefined;
}
