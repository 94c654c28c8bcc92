/**
 * Labels that keep a QuickPick in the order the extension gave it.
 *
 * VS Code's QuickPick re-sorts its items whenever the input has text: items whose *label* matches
 * the input move to the top and are then ordered by prefix match and alphabetically
 * (quickInputList/quickInputTree `compareEntries`). Items whose label does not match keep their order
 * (the sort is stable) and stay visible when `alwaysShow` is set. The switch that turns the sort off,
 * `QuickPick.sortByLabel`, is still a proposed API (microsoft/vscode#73904) that a published extension
 * cannot use. Search Papers… shows the engine's ranking, so its labels must never match what the user
 * types: a WORD JOINER (U+2060, invisible, zero width, no line break, transparent to Arabic joining)
 * between every two user-perceived characters means no text of two or more characters the user can
 * type occurs in the label. It also neutralises `$(icon)` syntax in titles, since `$` and `(` are no
 * longer adjacent. A one-character query would still match, so search starts at two characters
 * (MIN_QUERY_CHARS).
 */
export const WORD_JOINER = '\u2060';
export const MIN_QUERY_CHARS = 2;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The text shown unchanged, with U+2060 between grapheme clusters (combining marks and emoji stay whole). */
export function engineOrderLabel(text: string): string {
  const parts: string[] = [];
  for (const { segment } of graphemes.segment(text.replaceAll(WORD_JOINER, ''))) parts.push(segment);
  return parts.join(WORD_JOINER);
}

/** Whether the QuickPick's label filter could match a query of this length (then the order is VS Code's). */
export function queryLongEnough(query: string): boolean {
  return [...graphemes.segment(query.trim())].length >= MIN_QUERY_CHARS;
}
