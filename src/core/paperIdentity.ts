/**
 * How papers are recognised: the content hash that decides whether a paper must be re-embedded, the
 * normalised title used to spot the same paper in two libraries, and the identifiers (DOI, arXiv id)
 * pulled out of the many shapes reference managers write them in.
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
