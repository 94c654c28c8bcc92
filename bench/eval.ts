/**
 * `npm run eval`: the dev evaluation of the bundled models on the held-out split (arXiv listed
 * >= 2026-06-01, ACL >= 2021; models/README.md).
 *
 * Search and related work on dev sets that look like what users ask (bench/devSets.ts: sentence ->
 * paper, keyword/acronym, question, title -> own abstract, related-work category P@10) for full text
 * alone (`--mode fts`), vectors alone, the earlier equal-weight RRF, every fusion variant tried, and the
 * shipped hybrid (bench/searchEval.ts). Masked LM — masked-token accuracy and pseudo-perplexity.
 *
 * Flags: --cache DIR (indexes and candidate lists, reused; default under node_modules/.cache),
 * --seed N, --model ID, --mlm ID, --threads N, --json FILE, --skip-mlm.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TextEncoder } from '../src/engine/encoder/textEncoder';
import { buildDevSets, DEFAULT_SIZES, readHeldOutPapers } from './devSets';
import { benchCacheDir } from './encoding/benchModels';
import { heldOutArxiv, readArxivListings } from './heldOutData';
import { evaluateMaskedLm } from './mlmEval';
import { candidateLists, evaluateVariants, printEvalTable } from './searchEval';

const { values } = parseArgs({
  options: {
    cache: { type: 'string' },
    seed: { type: 'string', default: '13' },
    model: { type: 'string', default: 'atlas-mini-encoder' },
    mlm: { type: 'string', default: 'atlas-mini-mlm' },
    threads: { type: 'string', default: '2' },
    json: { type: 'string' },
    'skip-mlm': { type: 'boolean' },
  },
});

async function main(): Promise<void> {
  const held = readHeldOutPapers();
  if (!held) return;
  const threads = Number(values.threads);
  const sets = buildDevSets(held, DEFAULT_SIZES, Number(values.seed));
  const sizes = { sentence: sets.sentence.length, keyword: sets.keyword.length, question: sets.question.length, title: sets.title.length, related: sets.related.length };
  console.log(`held-out papers: ${held.length} (arXiv listed >= 2026-06-01, ACL >= 2021); dev sets ${JSON.stringify(sizes)}; threads ${threads}`);
  const cacheDir = values.cache ?? path.join(benchCacheDir(), 'eval');
  const lists = await candidateLists(sets, () => TextEncoder.open(values.model, { providers: ['cpu'], threads }), cacheDir, console.log);
  const table = evaluateVariants(sets, lists);
  printEvalTable(table, sizes);

  let mlm: Awaited<ReturnType<typeof evaluateMaskedLm>> | undefined;
  if (!values['skip-mlm']) {
    const arxiv = readArxivListings();
    if (arxiv) {
      mlm = await evaluateMaskedLm(values.mlm, heldOutArxiv(arxiv), { threads });
      console.log(`\nMasked LM (${values.mlm}) on held-out abstracts`);
      console.log('| metric | value | on |');
      console.log('|---|---|---|');
      console.log(`| masked-token accuracy (15% masked) | ${mlm.accuracy.toFixed(3)} | ${mlm.maskedTokens} tokens of ${mlm.accuracyAbstracts} abstracts |`);
      console.log(`| pseudo-perplexity | ${mlm.pseudoPerplexity.toFixed(1)} | ${mlm.pppTokens} tokens of ${mlm.pppAbstracts} abstracts (≤ ${mlm.maxTokens} tokens) |`);
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), sizes, table, mlm }, null, 2));
}

main().catch((e: unknown) => {
  console.error(`eval failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
