/**
 * Untrusted text (titles, authors, ids, keys, file names, error messages that quote them) made safe
 * for the place it is shown. Every surface has its own syntax that a library file can otherwise
 * speak: a terminal obeys escape sequences, VS Code notifications turn `[x](command:…)` into a live
 * link, quick picks and status-bar text turn `$(name)` into an icon, and Markdown hovers do all of
 * that plus emphasis, links and raw URLs. One function per surface, and every caller goes through
 * one of them (CONVENTIONS #17), so a new surface is a new function here rather than a new regex
 * next to the code that shows the text.
 *
 * Pure: no `vscode`, so the CLI and the unit tests use the same rules as the extension.
 */

/**
 * Terminal escape sequences, 7-bit and 8-bit forms: CSI (`ESC [` … final byte), OSC (`ESC ]` … BEL or
 * ST: window titles, hyperlinks, clipboard writes), DCS/SOS/PM/APC strings (… ST), and the two-byte
 * `ESC x` forms. Removed whole, so no parameter bytes are left behind as visible junk.
 */
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -~]?/g;

/**
 * What is left after the sequences: C0 controls other than tab and line breaks, DEL, C1 controls, and
 * the Unicode bidirectional controls (a right-to-left override makes `txt.exe` read `exe.txt`, and
 * reorders a whole results line). Zero-width joiners and the like stay: scripts need them.
 */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// No `\s*` around the breaks: on a long run of spaces that would backtrack quadratically.
const LINE_BREAKS = /(?:\r\n|[\n\r\v\f\u0085\u2028\u2029])+/g;

export interface PlainTextOptions {
  /** Keep line breaks (as `\n`) instead of folding them into one space. */
  multiline?: boolean;
}

/**
 * Text with every control character and escape sequence removed and, unless `multiline`, line breaks
 * folded into spaces: a title shown on one line stays on one line. The base of every other function.
 */
export function plainText(text: string, options: PlainTextOptions = {}): string {
  const stripped = text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n?/g, '\n');
  const lines = options.multiline ? stripped.replace(/[\v\f\u0085\u2028\u2029]/g, '\n') : stripped.replace(LINE_BREAKS, ' ');
  return lines.replace(CONTROL, '');
}

/** Human output of the CLI: the terminal sees no escape sequence, no control character. */
export function terminalText(text: string, options: PlainTextOptions = {}): string {
  return plainText(text, options);
}

/**
 * Notification and progress-notification text. VS Code parses `[label](https://…|command:…|file:…)`
 * in these messages into live links (a click runs the command); there is no escape syntax, so the
 * link shape is broken with an invisible zero-width space between `]` and `(`.
 */
export function notificationText(text: string): string {
  return plainText(text).replace(/\]\(/g, ']\u200b(');
}

/**
 * `$(name)` or `$(name~modifier)`: the theme-icon syntax VS Code renders in labels and in Markdown with
 * `supportThemeIcons` (vs/base/common/iconLabels.ts). `\$(name)` is its escape: shown as `$(name)`.
 */
const THEME_ICON = /\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g;

/**
 * Labels, descriptions and details of quick picks, quick-input titles and status-bar text: there
 * `$(name)` renders a codicon (a title could show a "verified" badge). Each one gets VS Code's escape,
 * also after a backslash of the text's own (then both show), and nothing else changes.
 */
export function labelText(text: string): string {
  return plainText(text).replace(THEME_ICON, '\\$&');
}

/**
 * Untrusted text inside Markdown that VS Code renders with theme icons (hovers, tooltips): every ASCII
 * punctuation character is backslash-escaped (CommonMark allows that for all of them, in text, link
 * text and link titles), so no emphasis, link, heading, list, table, entity or HTML can start, and the
 * escaped `:`/`.` stop raw URLs from being auto-linked. Theme icons are matched in the HTML after the
 * Markdown is rendered, when Markdown escapes are gone, so each `$(name)` first gets a literal
 * backslash (VS Code's own icon escape, as in `MarkdownString.appendText`) that the Markdown escaping
 * then preserves: the hover shows `$(name)` as text, in link titles too.
 */
export function markdownText(text: string): string {
  return plainText(text)
    .replace(THEME_ICON, '\\$&')
    .replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * A percent-encoded URI component that is also safe inside a Markdown link destination: unlike
 * `encodeURIComponent`, `( ) ' ! * ~` are encoded too, so an id holding `)` cannot end the link early.
 */
export function uriComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A Markdown link. `labelMarkdown` is Markdown already (it may hold the caller's own `$(icon)`); pass
 * untrusted label text through `markdownText` first. `title` is untrusted text, escaped here. `uri`
 * must come from a builder that encodes its parts (`commandUri`), never from untrusted text.
 */
export function markdownLink(labelMarkdown: string, uri: string, title?: string): string {
  if (/[\s<>]/.test(uri)) throw new Error(`not an encoded URI: ${uri.slice(0, 80)}`);
  return `[${labelMarkdown}](${uri}${title !== undefined ? ` "${markdownText(title)}"` : ''})`;
}
