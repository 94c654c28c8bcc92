/**
 * Dev sets for search and related work that look like what users ask, rebuilt in memory from the
 * held-out split (arXiv listed >= 2026-06-01 and ACL year >= 2021, models/README.md) on every
 * `npm run eval`: nothing is written into the repository, and the same seed gives the same sets.
 *
 * - sentence -> paper: one sentence taken out of a held-out abstract is the query; the paper, indexed
 *   without that sentence, is the answer (a claim or a note sentence looking for its source).
 * - keyword: 1–3-word terms and acronyms that recur in titles; a paper with the term in its title is
 *   worth 2, with it only in its abstract 1 (graded: lexical matching should win here).
 * - question: a title rewritten as a question by templates, searched among abstracts without titles
 *   (meaning should win: the words of the question are not all in the answer).
 * - title -> own abstract, and related work scored by "neighbours share the primary category" (P@10).
 *
 * Every query carries a split ('tune' or 'test', from a hash of its id): fusion weights are chosen on
 * 'tune' and reported on 'test' too, so a choice that only fits the tuning queries shows.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { hashString, sampleIndices, seededRandom, type RandomFn } from '../src/core/clustering/seededRandom';
import { isStopWord } from '../src/core/keywords/stopWords';
import { heldOutArxiv, readArxivListings, readJsonLinesGz, sharedDataDir } from './heldOutData';

export const ACL_HELD_OUT_FROM_YEAR = 2021;

export interface DevPaper {
  id: string;
  title: string;
  /** The abstract as indexed (a sentence-set paper's abstract lacks its query sentence). */
  abstract: string;
  /** Primary arXiv category; ACL Anthology papers count as cs.CL. */
  category: string;
}

export type Split = 'tune' | 'test';

export interface DevQuery {
  id: string;
  text: string;
  /** Relevant paper id -> graded gain (1 or 2). */
  relevant: Record<string, number>;
  split: Split;
}

export interface DevSets {
  papers: DevPaper[];
  /** Searched in the library index (title + abstract, as the product indexes). */
  sentence: DevQuery[];
  keyword: DevQuery[];
  /** Searched among abstracts without titles. */
  question: DevQuery[];
  title: DevQuery[];
  /** Papers whose related work is scored by category P@10 (arXiv papers only: ACL has no category). */
  related: string[];
}

export interface DevSetSizes {
  sentence: number;
  keyword: number;
  question: number;
  title: number;
  related: number;
}

export const DEFAULT_SIZES: DevSetSizes = { sentence: 600, keyword: 200, question: 600, title: 1000, related: 800 };

export function splitOf(queryId: string): Split {
  return hashString(queryId) % 2 === 0 ? 'tune' : 'test';
}

interface AclRecord {
  bibkey: string;
  title: string;
  year: string;
  abstract: string;
}

function readAclHeldOut(): AclRecord[] | undefined {
  const file = path.join(sharedDataDir(), 'acl', 'acl-anthology.jsonl.gz');
  if (!existsSync(file)) {
    console.log(`skipped: ${file} is absent (the shared data folder is not on this machine)`);
    return undefined;
  }
  return readJsonLinesGz<AclRecord>(file).filter((r) => Number(r.year) >= ACL_HELD_OUT_FROM_YEAR && (r.abstract ?? '').trim().length > 0);
}

/** The held-out papers of both sources, arXiv first, in file order; undefined when the data is absent. */
export function readHeldOutPapers(): DevPaper[] | undefined {
  const arxiv = readArxivListings();
  const acl = readAclHeldOut();
  if (!arxiv || !acl) return undefined;
  return [
    ...heldOutArxiv(arxiv).map((p) => ({ id: `arxiv:${p.id}`, title: p.title.replace(/\s+/g, ' ').trim(), abstract: p.abstract.replace(/\s+/g, ' ').trim(), category: p.categories[0] ?? '' })),
    ...acl.map((r) => ({ id: `acl:${r.bibkey}`, title: r.title.replace(/\s+/g, ' ').trim(), abstract: r.abstract.replace(/\s+/g, ' ').trim(), category: 'cs.CL' })),
  ];
}

/** Sentences of an abstract: split after . ! ? followed by a space and a capital (keeps "e.g. the" together). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

function sentenceQueries(papers: DevPaper[], order: number[], count: number, random: RandomFn, used: Set<number>): DevQuery[] {
  const out: DevQuery[] = [];
  for (const i of order) {
    if (out.length >= count) break;
    if (used.has(i)) continue;
    const p = papers[i]!;
    const sentences = sentencesOf(p.abstract);
    if (sentences.length < 4) continue;
    // Any sentence but the first (which often restates the title) of a claim-like length.
    const eligible = sentences.map((s, j) => ({ s, j })).filter(({ s, j }) => j > 0 && wordCount(s) >= 8 && wordCount(s) <= 40);
    if (eligible.length === 0) continue;
    const pick = eligible[Math.floor(random() * eligible.length)]!;
    used.add(i);
    p.abstract = sentences.filter((_, j) => j !== pick.j).join(' ');
    const id = `sentence:${p.id}`;
    out.push({ id, text: pick.s, relevant: { [p.id]: 1 }, split: splitOf(id) });
  }
  return out;
}

const LATIN_TITLE = /^[\p{Script=Latin}\p{N}\p{P}\p{S}\s]+$/u;

const QUESTION_TEMPLATES = [
  (t: string) => `what is known about ${t}?`,
  (t: string) => `which papers study ${t}?`,
  (t: string) => `are there methods for ${t}?`,
  (t: string) => `what are recent results on ${t}?`,
  (t: string) => `how do researchers approach ${t}?`,
];

/**
 * A title as a user's question: a leading system name ("FaceMoE: ...") is dropped (someone asking
 * does not know it), the rest lowercased into one of a few templates.
 */
export function titleAsQuestion(title: string, random: RandomFn): string {
  const colon = title.indexOf(':');
  let topic = title;
  if (colon > 0 && colon < title.length - 1 && wordCount(title.slice(0, colon)) <= 3) topic = title.slice(colon + 1);
  topic = topic.trim().replace(/[.?!]+$/, '');
  const template = QUESTION_TEMPLATES[Math.floor(random() * QUESTION_TEMPLATES.length)]!;
  return template(topic.charAt(0).toLowerCase() + topic.slice(1));
}

function questionQueries(papers: DevPaper[], order: number[], count: number, random: RandomFn, used: Set<number>): DevQuery[] {
  const out: DevQuery[] = [];
  for (const i of order) {
    if (out.length >= count) break;
    if (used.has(i)) continue;
    const p = papers[i]!;
    // Latin-script titles only: a question template around a Chinese title reads like no user's question.
    if (wordCount(p.title) < 4 || !LATIN_TITLE.test(p.title)) continue;
    used.add(i);
    const id = `question:${p.id}`;
    out.push({ id, text: titleAsQuestion(p.title, random), relevant: { [p.id]: 1 }, split: splitOf(id) });
  }
  return out;
}

/** BERT, LLMs, RoBERTa, LoRA, 3D: no hyphen, two or more capitals, at least half the letters capitals. */
function isAcronym(word: string): boolean {
  if (!/^[A-Za-z0-9]{2,10}$/.test(word)) return false;
  const capitals = word.replace(/[^A-Z]/g, '').length;
  const letters = word.replace(/[^A-Za-z]/g, '').length;
  return capitals >= 2 && capitals * 2 >= letters;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-sensitive for acronyms ("BERT", not "bert"), case-insensitive for phrases; whole words only. */
export function termMatcher(term: string): RegExp {
  const acronym = isAcronym(term);
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(term)}(?![\\p{L}\\p{N}])`, acronym ? 'u' : 'iu');
}

/**
 * Terms that recur in titles: acronyms (two or more capitals: BERT, LLMs, GNN) and 1–3-word phrases
 * without stop words at either end, found in between `minTitles` and `maxTitles` titles — frequent enough
 * to have several answers, rare enough to mean something. A sample of each kind, seeded.
 */
function keywordQueries(papers: DevPaper[], count: number, random: RandomFn): DevQuery[] {
  const titleCount = new Map<string, number>();
  for (const p of papers) {
    const words = p.title.match(/[\p{L}\p{N}][\p{L}\p{N}-]*/gu) ?? [];
    const seen = new Set<string>();
    for (const w of words) if (isAcronym(w)) seen.add(w);
    const lower = words.map((w) => w.toLowerCase());
    for (let n = 1; n <= 3; n++) {
      for (let s = 0; s + n <= lower.length; s++) {
        const gram = lower.slice(s, s + n);
        if (isStopWord(gram[0]!) || isStopWord(gram[n - 1]!) || gram.some((w) => w.length < 3 || /^\d+$/.test(w))) continue;
        seen.add(gram.join(' '));
      }
    }
    for (const t of seen) titleCount.set(t, (titleCount.get(t) ?? 0) + 1);
  }
  const minTitles = 8;
  const maxTitles = Math.max(minTitles + 1, Math.round(papers.length / 80));
  const frequent = [...titleCount.entries()].filter(([, n]) => n >= minTitles && n <= maxTitles).map(([t]) => t).sort();
  const acronyms = frequent.filter((t) => isAcronym(t));
  const phrases = frequent.filter((t) => !isAcronym(t) && t.includes(' '));
  // Single words are often generic ("methods", "developing"): only longer ones, not verb forms, and few.
  const words = frequent.filter((t) => !isAcronym(t) && !t.includes(' ') && t.length >= 6 && !/(ing|ed)$/.test(t));
  const pick = (from: string[], n: number): string[] => sampleIndices(from.length, n, random).map((i) => from[i]!);
  const nAcronyms = Math.round(count * 0.3);
  const nWords = Math.round(count * 0.15);
  const terms = [...pick(acronyms, nAcronyms), ...pick(words, nWords), ...pick(phrases, count - nAcronyms - nWords)];
  return terms.map((term) => {
    const match = termMatcher(term);
    const relevant: Record<string, number> = {};
    for (const p of papers) {
      if (match.test(p.title)) relevant[p.id] = 2;
      else if (match.test(p.abstract)) relevant[p.id] = 1;
    }
    const id = `keyword:${term}`;
    return { id, text: term, relevant, split: splitOf(id) };
  });
}

/** Builds every dev set from the held-out papers; `papers` is copied (sentence-set abstracts are edited). */
export function buildDevSets(source: readonly DevPaper[], sizes: DevSetSizes = DEFAULT_SIZES, seed = 13): DevSets {
  const papers = source.map((p) => ({ ...p }));
  const random = seededRandom(seed);
  const order = sampleIndices(papers.length, papers.length, random);
  const used = new Set<number>();
  const sentence = sentenceQueries(papers, order, sizes.sentence, random, used);
  const question = questionQueries(papers, order, sizes.question, random, used);
  const keyword = keywordQueries(papers, sizes.keyword, random);
  const title = order
    .filter((i) => !used.has(i))
    .slice(0, sizes.title)
    .map((i) => {
      const p = papers[i]!;
      const id = `title:${p.id}`;
      return { id, text: p.title, relevant: { [p.id]: 1 }, split: splitOf(id) };
    });
  const related = order
    .filter((i) => papers[i]!.id.startsWith('arxiv:'))
    .slice(0, sizes.related)
    .map((i) => papers[i]!.id);
  return { papers, sentence, keyword, question, title, related };
}
