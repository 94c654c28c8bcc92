/**
 * How papers are recognised, in one place for the reader's merge, the indexer and the host: the content
 * hash that decides whether a paper must be re-embedded, the identifiers (DOI, arXiv id) pulled out of
 * the many shapes reference managers write them in, and the rules that say when two records are one
 * paper. A second copy of any of these drifts, and a drifted identity rule merges two papers into one
 * (losing one) or splits one into two.
 */
import { createHash } from 'node:crypto';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 (hex, first 16 chars) of exactly the text that gets embedded, so an edit anywhere re-embeds. */
export function contentHash(title: string, abstract: string): string {
  return sha256Hex(`${title}\n${abstract}`).slice(0, 16);
}

/**
 * Lowercase, accent-free, punctuation-free, single-spaced. "Über {BERT}: a Study" and "uber bert a study"
 * compare equal, so the same paper exported by two tools (one with LaTeX braces, one without) merges.
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Old-style identifiers name their archive; listing the archives keeps "record/1234567" in an unrelated
// URL from being read as an arXiv id.
const OLD_ARCHIVES = [
  'acc-phys', 'adap-org', 'alg-geom', 'ao-sci', 'astro-ph', 'atom-ph', 'bayes-an', 'chao-dyn', 'chem-ph',
  'cmp-lg', 'comp-gas', 'cond-mat', 'cs', 'dg-ga', 'funct-an', 'gr-qc', 'hep-ex', 'hep-lat', 'hep-ph',
  'hep-th', 'math', 'math-ph', 'mtrl-th', 'nlin', 'nucl-ex', 'nucl-th', 'patt-sol', 'physics', 'plasm-ph',
  'q-alg', 'q-bio', 'quant-ph', 'solv-int', 'supr-con',
];
const OLD_STYLE = new RegExp(`(?<![\\w-])((?:${OLD_ARCHIVES.join('|')})(?:\\.[A-Za-z]{2})?)/(\\d{7})(?:v\\d+)?(?!\\d)`, 'i');
// YYMM.NNNN(N): the month check and the guards against neighbouring digits or dots keep DOIs and
// version numbers ("10.1145/3292500.3330701", "1.2345.6789") from matching.
const NEW_STYLE = /(?<![\d.])(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?!\d)(?!\.\d)/;

/**
 * The arXiv id in an id, eprint field, "arXiv:" reference, arxiv.org URL or arXiv DOI
 * (10.48550/arXiv.2503.11731), without its version suffix: versions of one paper are one paper.
 */
export function extractArxivId(text: string): string | undefined {
  // The arXiv DOI joins prefix and id with a dot, which the new-style guard would otherwise reject.
  const s = text.replace(/arxiv\./gi, 'arXiv:');
  const old = OLD_STYLE.exec(s);
  if (old?.[1] && old[2]) return `${old[1].toLowerCase().replace(/\.([a-z]{2})$/, (_m, sub: string) => `.${sub.toUpperCase()}`)}/${old[2]}`;
  return NEW_STYLE.exec(s)?.[1];
}

/** Bare lowercase DOI ("10.1000/xyz"), or undefined when the text holds none. DOIs are case-insensitive. */
export function normaliseDoi(text: string): string | undefined {
  const doi = text
    .trim()
    .replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .trim()
    .toLowerCase();
  // "10/abc" is a shortDOI, which doi.org resolves as well.
  return /^10[./]\S+$/.test(doi) ? doi : undefined;
}

/** Id for a paper with no key of its own: stable across runs and files as long as the title is. */
export function fallbackId(title: string): string {
  return `t-${sha256Hex(normaliseTitle(title)).slice(0, 12)}`;
}

/** The arXiv id as a lookup key: old-style subject classes ("math.GT") compare case-insensitively. */
export function arxivKey(text: string): string | undefined {
  return extractArxivId(text)?.toLowerCase();
}

/** The arXiv id an arXiv DOI (10.48550/arXiv.2503.11731) names; other DOIs name none, whatever digits they hold. */
export function arxivIdOfDoi(doi: string): string | undefined {
  return doi.startsWith('10.48550/') ? extractArxivId(doi) : undefined;
}

/**
 * The keys a DOI or arXiv id written in a document (a hover, a citation) finds a paper by, the same keys
 * identityKeys() gives the paper: an arXiv DOI finds a paper stored with only its arXiv id, "arXiv:…v2"
 * finds it without the version.
 */
export function referenceKeys(token: string): string[] {
  const keys: string[] = [];
  const doi = normaliseDoi(token);
  const arxiv = doi === undefined ? arxivKey(token) : arxivIdOfDoi(doi)?.toLowerCase();
  if (doi !== undefined) keys.push(`doi:${doi}`);
  if (arxiv !== undefined) keys.push(`arxiv:${arxiv}`);
  return keys;
}

/** What identity is decided from; a Paper has all of it. */
export interface IdentityFields {
  title: string;
  authors: readonly string[];
  year?: number | undefined;
  doi?: string | undefined;
  arxivId?: string | undefined;
}

/**
 * Short titles ("Introduction", "Editorial", "Reply") are shared by unrelated papers: below this many
 * words a title matches only together with the year and the first author's family name.
 */
export const MIN_TITLE_WORDS_TO_MATCH = 4;

function titleKey(p: IdentityFields): string | undefined {
  const t = normaliseTitle(p.title);
  if (t === '') return undefined;
  if (t.split(' ').length >= MIN_TITLE_WORDS_TO_MATCH) return `title:${t}`;
  const firstAuthor = normaliseTitle(p.authors[0] ?? '').split(' ').pop() ?? '';
  return p.year !== undefined && firstAuthor !== '' ? `title:${t}|${p.year}|${firstAuthor}` : undefined;
}

/**
 * The keys under which a record may be the same paper as another: its DOI, its arXiv id, its normalised
 * title (with year and first author when the title is short). Two records sharing a key are one paper
 * unless conflictingIdentifiers() says otherwise.
 */
export function identityKeys(p: IdentityFields): string[] {
  const keys: string[] = [];
  const doi = p.doi === undefined ? undefined : normaliseDoi(p.doi);
  if (doi !== undefined) keys.push(`doi:${doi}`);
  const arxiv = p.arxivId === undefined ? undefined : arxivKey(p.arxivId);
  if (arxiv !== undefined) keys.push(`arxiv:${arxiv}`);
  const t = titleKey(p);
  if (t) keys.push(t);
  return keys;
}

/** Two records with different DOIs (or arXiv ids) are different papers, whatever else they share. */
export function conflictingIdentifiers(a: IdentityFields, b: IdentityFields): boolean {
  const differ = (x: string | undefined, y: string | undefined, key: (s: string) => string | undefined): boolean =>
    x !== undefined && y !== undefined && (key(x) ?? x) !== (key(y) ?? y);
  return differ(a.doi, b.doi, normaliseDoi) || differ(a.arxivId, b.arxivId, arxivKey);
}
