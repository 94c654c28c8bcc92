/**
 * The citation a document's language expects, written in one place: Pandoc `[@key]` in Markdown,
 * `\<command>{key}` in LaTeX (the command is the `paperAtlas.citations.latexCommand` setting, so a
 * natbib or biblatex user gets `\citep{key}` or `\autocite{key}`), `@key` elsewhere. Insert Citation,
 * the Suggest Citations command and its code action all write through `citationText`.
 */

/** A LaTeX citation command name as a user may set it: letters, optionally starred (`citep`, `cite*`). */
export function isLatexCiteCommand(name: string): boolean {
  return /^[A-Za-z]{1,40}\*?$/.test(name);
}

/** The command to write: the setting when it is a command name (a leading backslash is dropped), else `cite`. */
export function latexCiteCommand(setting: string | undefined): string {
  const name = (setting ?? '').trim().replace(/^\\/, '');
  return isLatexCiteCommand(name) ? name : 'cite';
}

export function isLatexLanguage(languageId: string | undefined): boolean {
  return languageId === 'latex' || languageId === 'tex' || languageId === 'bibtex';
}

/** The citation of `key` in a document of `languageId`. */
export function citationText(key: string, languageId: string | undefined, latexCommand = 'cite'): string {
  if (isLatexLanguage(languageId)) return `\\${latexCiteCommand(latexCommand)}{${key}}`;
  if (languageId === 'markdown') return `[@${key}]`;
  return `@${key}`;
}

/**
 * What to insert at `character` of `line` so the citation reads as part of the sentence: a space in
 * front when it would otherwise stick to the word before ("models[@key]"), none after a space, an
 * opening bracket or LaTeX's non-breaking `~`.
 */
export function citationInsertion(line: string, character: number, citation: string): string {
  const before = line.slice(0, Math.max(0, character)).slice(-1);
  return before === '' || /[\s([{~]/.test(before) ? citation : ` ${citation}`;
}
