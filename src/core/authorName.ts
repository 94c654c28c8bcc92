/**
 * Author names as shown, and the family name a short form ("Escudé Font et al.") is made of: one rule
 * for every place that shortens a name.
 *
 * Parsers that know a name's parts (BibTeX through its library's name parser, CSL-JSON, RIS "Last,
 * First") write it with displayName: the family name, with its von part ("von Neumann", "de la
 * Cruz"), has no-break spaces between its words ("Xavier Escudé\u00a0Font"), and a suffix follows a
 * comma ("A. T. Fromhold, Jr."). familyName reads that back. A name that came as one plain string
 * ("A. T. Fromhold Jr.", from a JSON dump) gives its last word, a generational suffix passed over.
 */

export interface NameParts {
  given?: string | undefined;
  /** The von part: "von", "de la", "van der". */
  prefix?: string | undefined;
  family?: string | undefined;
  suffix?: string | undefined;
  /** A name that is one unit, such as an organisation ("{World Health Organization}" in BibTeX). */
  literal?: string | undefined;
}

const NBSP = '\u00a0';
const GENERATIONAL = /^(?:jr|sr|jnr|snr|ii|iii|iv|v|2nd|3rd|4th)\.?$/i;

/** "Jr.", "Sr", "III": a suffix that is not part of the family name. */
export function isGenerationalSuffix(word: string): boolean {
  return GENERATIONAL.test(word.trim());
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((w) => w !== '');
}

/** "Given von Family, Suffix", the von and family words held together by no-break spaces. */
export function displayName(parts: NameParts): string {
  const literal = words(parts.literal);
  if (literal.length > 0) return literal.join(NBSP);
  const family = [...words(parts.prefix), ...words(parts.family)].join(NBSP);
  const name = [words(parts.given).join(' '), family].filter((p) => p !== '').join(' ');
  const suffix = words(parts.suffix).join(' ');
  return suffix === '' || name === '' ? name || suffix : `${name}, ${suffix}`;
}

/**
 * The family name of a name as shown: the part before a comma (a suffix, or "Family, Given" as some
 * sources write it), its last word or no-break-spaced group, without a generational suffix.
 */
export function familyName(display: string): string {
  const beforeComma = display.split(',')[0]?.trim() ?? '';
  const base = beforeComma === '' ? display.trim() : beforeComma;
  const tokens = base.split(/[ \t\r\n]+/).filter((t) => t !== '');
  while (tokens.length > 1 && GENERATIONAL.test(tokens[tokens.length - 1] ?? '')) tokens.pop();
  const parts = (tokens[tokens.length - 1] ?? display).split(NBSP).filter((p) => p !== '');
  while (parts.length > 1 && GENERATIONAL.test(parts[parts.length - 1] ?? '')) parts.pop();
  return parts.join(' ') || display.trim();
}

/**
 * A name cleaned as other text is (see cleanText), keeping the no-break spaces displayName put
 * between the words of a family name.
 */
export function cleanName(name: string, clean: (text: string) => string): string {
  return name
    .split(NBSP)
    .map(clean)
    .filter((p) => p !== '')
    .join(NBSP);
}
