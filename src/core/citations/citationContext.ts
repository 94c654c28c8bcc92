/**
 * Where a citation key is being typed, from the text of the line before the cursor: Pandoc `[@`,
 * `[see @`, `; @` inside brackets and a bare `@`, Obsidian `[[@`, and LaTeX `\cite{`, `\citep{`,
 * `\citet{`, `\parencite{`, `\autocite{` (with `*` and optional `[…]` arguments), also after a comma
 * inside the braces. Pure, so every syntax is unit-tested without VS Code; the completion provider
 * only turns the answer into items.
 */

export type CitationSyntax = 'pandoc' | 'latex';

export interface CitationContext {
  syntax: CitationSyntax;
  /** What is typed of the key so far ('' right after the trigger). */
  prefix: string;
  /** Offset in the line where the inserted text starts (it replaces up to the cursor). */
  replaceStart: number;
  /**
   * True when the cursor is after a bare `@` outside brackets: the completion writes the whole
   * `[@key]`, replacing the `@`. Inside brackets or braces only the key is written.
   */
  wrap: boolean;
}

/** Key characters Pandoc accepts inside a citation (its rule: letters, digits, `_` and inner `:.#$%&-+?<>~/`). */
const PANDOC_KEY_TAIL = /@([\w:.#$%&+?<>~/-]*)$/;
/** The LaTeX commands the issue names; natbib/biblatex variants such as `\citeauthor` are not completion triggers. */
const LATEX_CITE_OPEN = /\\(?:cite|citep|citet|parencite|autocite)\*?(?:\[[^\]{}]*\]){0,2}\{([^{}\\]*)$/;
/** A line this long is no prose being typed; scanning it on every keystroke is not worth it. */
const MAX_LINE_PREFIX = 10_000;

/** The citation context at the end of `linePrefix` (the line up to the cursor), or undefined. */
export function citationContextAt(linePrefix: string, language: CitationSyntax): CitationContext | undefined {
  if (linePrefix.length > MAX_LINE_PREFIX) return undefined;
  return language === 'latex' ? latexContext(linePrefix) : pandocContext(linePrefix);
}

function latexContext(linePrefix: string): CitationContext | undefined {
  const m = LATEX_CITE_OPEN.exec(linePrefix);
  if (!m) return undefined;
  const body = m[1] ?? '';
  const last = body.slice(body.lastIndexOf(',') + 1);
  const prefix = last.trimStart();
  // A space inside a key is not a key being typed ("\cite{foo bar").
  if (/\s/.test(prefix)) return undefined;
  return { syntax: 'latex', prefix, replaceStart: linePrefix.length - prefix.length, wrap: false };
}

function pandocContext(linePrefix: string): CitationContext | undefined {
  const m = PANDOC_KEY_TAIL.exec(linePrefix);
  if (!m) return undefined;
  const prefix = m[1] ?? '';
  const at = linePrefix.length - prefix.length - 1;
  const before = linePrefix.slice(0, at);
  // `-@key` suppresses the author in Pandoc; the `@` still starts a key.
  const lead = before.endsWith('-') ? before.slice(0, -1) : before;
  const charBefore = lead.slice(-1);
  if (lead.endsWith('[[')) return { syntax: 'pandoc', prefix, replaceStart: at + 1, wrap: false };
  // An e-mail address or a handle inside a word ("me@host") is no citation.
  if (charBefore !== '' && !/[\s[(;,]/.test(charBefore)) return undefined;
  const inside = insideOpenBracket(lead);
  if (inside) return { syntax: 'pandoc', prefix, replaceStart: at + 1, wrap: false };
  // Outside brackets only after whitespace or at the line start; the completion writes `[@key]`.
  if (charBefore !== '' && !/\s/.test(charBefore)) return undefined;
  return { syntax: 'pandoc', prefix, replaceStart: at, wrap: true };
}

/** Whether `text` ends inside a `[` that no `]` has closed yet (a Pandoc citation bracket). */
function insideOpenBracket(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}

/** The text a completion inserts for `key` in this context. */
export function citationInsertText(context: CitationContext, key: string): string {
  return context.wrap ? `[@${key}]` : key;
}
