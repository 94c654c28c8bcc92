/**
 * `npm run bench [-- --quick] [-- --only encoding,search]`: the benchmarks of issue #6 in one run.
 * Each section runs in its own child process (so peak RSS and warm caches do not leak between
 * sections), prints its progress, and hands back JSON; this process prints one Markdown report
 * and writes it with the raw figures to bench/results/<timestamp>.{json,md} (and latest.*).
 * A benchmark, not a test: it prints numbers and fails only when something breaks.
 * `--quick` (≤ 3 minutes) shrinks every section for regression checks.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { packageRoot } from '../src/engine/node/packageRoot';
import { benchModels } from './encoding/benchModels';
import { benchEncodingThroughput, FP32_PEAK_GFLOPS, INT8_PEAK_GOPS } from './encoding/encodingThroughput';
import { readArxivListings, sharedDataDir } from './heldOutData';
import { indexWithEngine } from './indexing/indexRun';
import { benchCompletionLatency } from './citations/completionLatency';
import { benchKeywordLatency } from './keywords/keywordLatency';
import { benchInteractiveLatency } from './latency/interactiveLatency';
import { embeddedCorpus, perturbedCopies } from './search/benchVectors';
import { benchSearchAtSize } from './search/searchLatency';
import { benchTopicMap } from './topics/topicMapTime';

const SECTIONS = ['encoding', 'search', 'keywords', 'topics', 'responsiveness', 'citations', 'endToEnd', 'latency'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    section: { type: 'string' },
    out: { type: 'string' },
    /** Search sizes to run instead of the defaults, e.g. --sizes 100000,1000000. */
    sizes: { type: 'string' },
    /** IVF partitions probed, instead of PaperStore's default (for tuning). */
    nprobes: { type: 'string' },
    /** Keep the search section's indexes in this folder and reuse them on the next run. */
    'index-dir': { type: 'string' },
  },
});
const quick = values.quick;
const log = (line: string): void => console.log(line);

// ---------------------------------------------------------------- sections (run in a child process)

async function encodingSection(): Promise<unknown> {
  const listings = readArxivListings();
  if (!listings) return { skipped: 'no ../shared/data' };
  const n = quick ? 200 : 2000;
  const texts = listings.slice(0, n).map((p) => `${p.title}. ${p.abstract}`);
  return benchEncodingThroughput(benchModels(log), texts, { rounds: quick ? 2 : 3, threads: 2, log, probeSize: quick ? 32 : 160, quick });
}

async function searchSection(): Promise<unknown> {
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : quick ? [10_000] : [10_000, 100_000, 1_000_000];
  const real = await embeddedCorpus(Math.min(100_000, Math.max(...sizes)), log);
  if (!real) return { skipped: 'no ../shared/data' };
  const results = [];
  for (const n of sizes) {
    log(`search: ${n} papers`);
    const corpus = n > real.papers.length ? perturbedCopies(real, n) : real;
    results.push(await benchSearchAtSize(corpus, n, { queries: quick ? 100 : n >= 1_000_000 ? 200 : 300, flatQueries: n >= 1_000_000 ? 20 : 50, log, ...(values.nprobes ? { nprobes: Number(values.nprobes) } : {}), ...(values['index-dir'] ? { indexDir: path.resolve(values['index-dir']) } : {}) }));
  }
  return results;
}

async function keywordsSection(): Promise<unknown> {
  const listings = readArxivListings();
  if (!listings) return { skipped: 'no ../shared/data' };
  const texts = listings.slice(-(quick ? 50 : 300)).map((p) => p.abstract);
  return benchKeywordLatency(texts);
}

async function topicsSection(): Promise<unknown> {
  const sizes = quick ? [10_000] : [10_000, 74_728];
  const corpus = await embeddedCorpus(Math.max(...sizes), log);
  if (!corpus) return { skipped: 'no ../shared/data' };
  return sizes.map((n) => {
    log(`topic map: ${n} papers`);
    return benchTopicMap(corpus, n);
  });
}

/** The first `count` arXiv listings as a JSONL library file, streamed so this process's peak RSS stays the engine's. */
async function arxivSlice(dir: string, count: number): Promise<string | undefined> {
  const source = path.join(sharedDataDir(), 'arxiv', 'arxiv-listings.jsonl.gz');
  if (!existsSync(source)) return undefined;
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(source).pipe(createGunzip()) });
  for await (const line of reader) {
    if (line.trim()) lines.push(line);
    if (lines.length >= count) break;
  }
  reader.close();
  const file = path.join(dir, `arxiv-${count}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function responsivenessSection(): Promise<unknown> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-bench-index-'));
  try {
    const file = await arxivSlice(work, quick ? 2000 : 10_000);
    if (!file) return { skipped: 'no ../shared/data' };
    return await indexWithEngine([file], path.join(work, 'db'), log);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function citationsSection(): Promise<unknown> {
  return benchCompletionLatency({ slice: arxivSlice, count: quick ? 2000 : 10_000, queries: quick ? 50 : 200, log });
}

/** Edits the abstracts of `count` entries spread evenly over a JSONL file, streaming it (no whole-file copy in memory). */
async function editEntries(file: string, total: number, count: number): Promise<void> {
  const step = Math.floor(total / count);
  const edited = `${file}.edited`;
  const out = createWriteStream(edited);
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (!line.trim()) continue;
    let next = line;
    if (i % step === 0 && i / step < count) {
      const entry = JSON.parse(line) as { abstract: string };
      next = JSON.stringify({ ...entry, abstract: `${entry.abstract} (Revised version.)` });
    }
    if (!out.write(`${next}\n`)) await once(out, 'drain');
    i++;
  }
  out.end();
  await once(out, 'finish');
  renameSync(edited, file);
}

async function endToEndSection(): Promise<unknown> {
  if (quick) return { skipped: 'full run only' };
  const source = path.join(sharedDataDir(), 'arxiv', 'arxiv-listings.jsonl.gz');
  if (!existsSync(source)) return { skipped: 'no ../shared/data' };
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-bench-e2e-'));
  try {
    // Streamed to disk, so the peak RSS measured is the engine's, not this benchmark's copy of the data.
    const file = path.join(work, 'arxiv.jsonl');
    await pipeline(createReadStream(source), createGunzip(), createWriteStream(file));
    const db = path.join(work, 'db');
    log('end to end: indexing every arXiv listing from scratch');
    const first = await indexWithEngine([file], db, log);
    await editEntries(file, first.summary.papers, 100);
    log('end to end: 100 entries edited, indexing again');
    const second = await indexWithEngine([file], db, log);
    return { first, second, editedEntries: 100 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where the user waits (issue 18): hover, related work, side pane, search per keystroke; cold and warm, at 10k and 75k papers. */
async function latencySection(): Promise<unknown> {
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : quick ? [10_000] : [10_000, 75_000];
  const results = [];
  for (const count of sizes) {
    log(`latency: ${count} papers`);
    results.push(await benchInteractiveLatency({ slice: arxivSlice, count, coldRounds: quick ? 2 : count > 20_000 ? 3 : 5, warmSamples: quick ? 10 : 30, idleMs: 5000, log }));
  }
  return results;
}

const runners: Record<Section, () => Promise<unknown>> = {
  encoding: encodingSection,
  search: searchSection,
  keywords: keywordsSection,
  topics: topicsSection,
  responsiveness: responsivenessSection,
  citations: citationsSection,
  endToEnd: endToEndSection,
  latency: latencySection,
};

// ---------------------------------------------------------------- orchestration

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  let flags: string[] = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags')) ?? '';
    flags = line.split(':')[1]?.trim().split(/\s+/).filter((f) => /^(avx2|fma|avx512f|avx512bw|avx512_vnni|avx512_bf16|amx\w*|avx_vnni)$/.test(f)) ?? [];
  } catch {
    // not Linux: flags unknown
  }
  const ortVersion = (JSON.parse(readFileSync(path.join(packageRoot(), 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    flags,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    onnxruntimeNode: ortVersion,
    platform: `${os.platform()}-${os.arch()}`,
  };
}

function runSection(section: Section, outFile: string): Promise<{ result: unknown; seconds: number; load: [number, number] }> {
  const started = Date.now();
  const loadBefore = os.loadavg()[0] ?? 0;
  const args = [__filename, '--section', section, '--out', outFile, ...(quick ? ['--quick'] : []), ...(values.sizes ? ['--sizes', values.sizes] : []), ...(values.nprobes ? ['--nprobes', values.nprobes] : []), ...(values['index-dir'] ? ['--index-dir', values['index-dir']] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench section ${section} failed (exit ${code})`));
      resolve({ result: JSON.parse(readFileSync(outFile, 'utf8')) as unknown, seconds: (Date.now() - started) / 1000, load: [loadBefore, os.loadavg()[0] ?? 0] });
    });
  });
}

async function orchestrate(): Promise<void> {
  const chosen = (values.only ? values.only.split(',') : SECTIONS) as Section[];
  for (const s of chosen) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}" (sections: ${SECTIONS.join(', ')})`);
  const resultsDir = path.join(packageRoot(), 'bench', 'results');
  const tmp = path.join(resultsDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const startedAt = new Date();
  log(`paper-atlas bench ${quick ? '--quick ' : ''}on ${os.cpus().length} cores; shared data: ${sharedDataDir()}`);
  const sections: Record<string, unknown> = {};
  for (const s of chosen) {
    log(`\n== ${s}`);
    const r = await runSection(s, path.join(tmp, `${s}.json`));
    sections[s] = { ...r, result: r.result };
    log(`== ${s}: ${r.seconds.toFixed(0)} s (load ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)})`);
  }
  const report = {
    date: startedAt.toISOString(),
    command: `npm run bench${quick || values.only ? ' --' : ''}${quick ? ' --quick' : ''}${values.only ? ` --only ${values.only}` : ''}`,
    machine: machine(),
    peaks: { fp32Gflops: FP32_PEAK_GFLOPS, int8Gops: INT8_PEAK_GOPS },
    totalSeconds: (Date.now() - startedAt.getTime()) / 1000,
    sections,
  };
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const markdown = renderMarkdown(report);
  writeFileSync(path.join(resultsDir, `${stamp}${quick ? '-quick' : ''}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(resultsDir, `latest${quick ? '-quick' : ''}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(resultsDir, `latest${quick ? '-quick' : ''}.md`), markdown);
  rmSync(tmp, { recursive: true, force: true });
  log(`\n${markdown}`);
  log(`written: bench/results/${stamp}${quick ? '-quick' : ''}.json, bench/results/latest${quick ? '-quick' : ''}.{json,md}`);
}

// ---------------------------------------------------------------- report

type Json = Record<string, unknown>;
const f = (x: unknown, digits = 1): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—');
const table = (header: string[], rows: string[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function renderMarkdown(report: Json): string {
  const m = report.machine as Json;
  const sections = report.sections as Record<string, { result: unknown; seconds: number; load: number[] }>;
  const out: string[] = [
    `Measured ${String(report.date).slice(0, 16).replace('T', ' ')} UTC with \`${String(report.command)}\` (${f(report.totalSeconds, 0)} s) on ${String(m.cpu)}, ${String(m.cores)} cores (${(m.flags as string[]).join(', ')}), ${String(m.memoryGb)} GiB, Node ${String(m.node)}, onnxruntime-node ${String(m.onnxruntimeNode)}, CPU only. Load average per section in brackets (the machine is shared).`,
  ];
  const load = (s: string): string => (sections[s] ? ` [load ${f(sections[s].load[0])} → ${f(sections[s].load[1])}]` : '');
  const skipped = (r: unknown): string | undefined => (r && typeof r === 'object' && 'skipped' in r ? String((r as Json).skipped) : undefined);

  const enc = sections.encoding?.result as { contenders: Json[]; ratios: Json[]; tokensPerText: number; ceilings?: Json[] } | undefined;
  if (enc && !skipped(enc)) {
    out.push(`\n**Encoding throughput** (arXiv abstracts, ≤ 256 tokens, mean ${f(enc.tokensPerText, 0)} tokens; 2 threads; median of alternating rounds)${load('encoding')}\n`);
    out.push(
      table(
        ['model', 'engine', 'abstracts/s', 'tokens/s', 'GFLOP/s (GOP/s int8)', '% of MatMul ceiling (fp32)', '% of datasheet peak'],
        enc.contenders.map((c) => [
          String(c.model),
          String(c.setting),
          f(c.abstractsPerSecond),
          f(c.tokensPerSecond, 0),
          f(c.gflops),
          typeof c.shareOfCeiling === 'number' ? f(100 * c.shareOfCeiling) : '—',
          f(c.percentOfPeak),
        ]),
      ),
    );
    if (enc.ceilings?.length) {
      out.push(`\n**This machine's ceiling** (fp32 MatMuls of each model's FFN shape, up and down projection chained 4 times in one graph so the JS copies stay out of the timing, in the same rounds as the encoders; median)\n`);
      out.push(
        table(
          ['model', 'MatMul', 'onnxruntime-node GFLOP/s', 'per round', 'numpy GFLOP/s (BLAS)'],
          enc.ceilings.map((c) => {
            const np = c.numpy as Json;
            return [
              String(c.model),
              String(c.shape),
              f(c.onnxruntimeGflops),
              (c.roundsGflops as number[]).map((g) => f(g, 0)).join(', '),
              'gflops' in np ? `${f(np.gflops)} (${String(np.blas)})` : `— (${String(np.skipped)})`,
            ];
          }),
        ),
      );
    }
    out.push('');
    out.push(table(['model', 'ratio', 'measured', 'goal'], enc.ratios.map((r) => [String(r.model), String(r.what), `${f(r.ratio, 2)}×`, `≥ ${f(r.goal, 1)}×`])));
  } else if (enc) out.push(`\nEncoding: skipped (${skipped(enc)})`);

  const search = sections.search?.result as Json[] | undefined;
  if (search && !skipped(search)) {
    out.push(`\n**Search** (vector queries = stored papers' vectors; hybrid = a paper title typed as the query, encoded + full text + fused)${load('search')}\n`);
    out.push(
      table(
        ['papers', 'index', 'build s', 'vector p50 ms', 'vector p95 ms', 'recall@10', 'flat p50 ms', 'flat p95 ms', 'hybrid p50 ms', 'hybrid p95 ms'],
        search.map((s) => [String(s.papers), String(s.index), f(s.buildSeconds, 0), f(s.vectorP50), f(s.vectorP95), f(s.recallAt10, 3), f(s.flatP50), f(s.flatP95), f(s.hybridP50), f(s.hybridP95)]),
      ),
    );
    out.push(`\n**Related work** (stored papers; shipped = vector neighbours + the paper's top tf·idf words as the full-text query, fused; before = the whole text as that query, RRF)\n`);
    out.push(
      table(
        ['papers', 'related p50 ms', 'related p95 ms', 'first call ms (word statistics)', 'before p50 ms', 'before p95 ms', 'papers timed'],
        search.map((s) => [String(s.papers), f(s.relatedP50), f(s.relatedP95), f(s.relatedFirstMs, 0), f(s.relatedWholeTextP50), f(s.relatedWholeTextP95), String(s.relatedQueries)]),
      ),
    );
  }

  const kw = sections.keywords?.result as Json | undefined;
  if (kw && !skipped(kw)) out.push(`\n**Keyword highlights** per abstract (${String(kw.abstracts)} arXiv abstracts, uncached; POS tagger + MLM${kw.similarity ? ' + phrase similarity' : ''}): p50 ${f(kw.p50Ms, 0)} ms, p95 ${f(kw.p95Ms, 0)} ms, max ${f(kw.maxMs, 0)} ms as free text; p50 ${f(kw.indexedP50Ms, 0)} ms, p95 ${f(kw.indexedP95Ms, 0)} ms for an indexed paper (stored vector reused)${load('keywords')}`);

  const topics = sections.topics?.result as Json[] | undefined;
  if (topics && !skipped(topics)) out.push(`\n**Clustering + labels + layout** (encoder vectors): ${topics.map((t) => `${String(t.papers)} papers → ${String(t.clusters)} clusters in ${f(t.seconds)} s`).join('; ')}${load('topics')}`);

  const resp = sections.responsiveness?.result as Json | undefined;
  if (resp && !skipped(resp)) {
    const summary = resp.summary as Json;
    out.push(
      `\n**Responsiveness** while the engine indexes ${String(summary.embedded)} abstracts: host event-loop lag p50 ${f(resp.lagP50Ms)} ms, p99 ${f(resp.lagP99Ms)} ms, max ${f(resp.lagMaxMs)} ms; peak RSS (host + engine process, summed) ${f(resp.peakRssMb, 0)} MB; ${f(resp.papersPerSecond, 0)} papers/s${load('responsiveness')}`,
    );
  }

  const cite = sections.citations?.result as Json | undefined;
  if (cite && !skipped(cite)) {
    const loads = (l: unknown): string => (Array.isArray(l) ? l.map((x) => f(x, 2)).join(' / ') : '—');
    out.push(
      `\n**Citation completion**, first items at ${String(cite.papers)} papers (trigger to items, as the provider works; VS Code's rendering not included)${load('citations')}: ` +
        `by meaning of the paragraph (\`\\cite{\` after two sentences of a held-out abstract; encoder + hybrid search + shared keyphrases, 30 items) p50 ${f(cite.meaningP50Ms)} ms, p95 ${f(cite.meaningP95Ms)} ms, max ${f(cite.meaningMaxMs)} ms, first call ${f(cite.meaningFirstMs)} ms (${String(cite.meaningQueries)} paragraphs); ` +
        `by typed prefix (key, author, title word) p50 ${f(cite.prefixP50Ms)} ms, p95 ${f(cite.prefixP95Ms)} ms, max ${f(cite.prefixMaxMs)} ms (${String(cite.prefixQueries)} prefixes; folding the library for it, once per library change, ${f(cite.prefixIndexMs, 0)} ms). ` +
        `Load average (1/5/15 min) before ${loads(cite.loadBefore)}, after ${loads(cite.loadAfter)}.`,
    );
  }

  const e2e = sections.endToEnd?.result as { first: Json; second: Json } | Json | undefined;
  if (e2e && !skipped(e2e)) {
    const { first, second } = e2e as { first: Json; second: Json };
    const phases = (r: Json): string =>
      Object.entries(r.phases as Record<string, number>)
        .map(([k, v]) => `${k} ${f(v, 1)} s`)
        .join(', ');
    out.push(`\n**End to end**${load('endToEnd')}\n`);
    out.push(
      table(
        ['run', 'papers embedded', 'time s', 'papers/s', 'lag p99 ms', 'peak RSS MB', 'disk MB', 'phases'],
        [
          ['first index, from scratch', String((first.summary as Json).embedded), f(first.seconds), f(first.papersPerSecond, 0), f(first.lagP99Ms), f(first.peakRssMb, 0), f(first.diskMb, 0), phases(first)],
          ['after editing 100 entries', String((second.summary as Json).embedded), f(second.seconds), f(second.papersPerSecond, 0), f(second.lagP99Ms), f(second.peakRssMb, 0), f(second.diskMb, 0), phases(second)],
        ],
      ),
    );
  }
  const latency = sections.latency?.result as Json[] | undefined;
  if (latency && !skipped(latency)) {
    const ops: [string, string][] = [['hover', 'hover on a citation key'], ['relatedWork', 'Show Related Work'], ['sidePane', 'Atlas selection → side pane shown'], ['sidePaneHeatMap', '… side pane complete (keyword heat-map in)'], ['keystroke', 'search, per keystroke']];
    out.push(`\n**Where the user waits** (engine in its own process; cold = first request after it starts and opens, sent at once or 5 s later; warm = later, each on a paper not asked before)${load('latency')}\n`);
    const rows: string[][] = [];
    for (const r of latency) {
      if (skipped(r)) continue;
      const cold = r.cold as Record<string, Json>;
      const warm = r.warm as Record<string, Json>;
      const idle = r.coldAfterIdle as Record<string, Json> | undefined;
      for (const [op, label] of ops) rows.push([String(r.papers), label, f(cold[op]?.p50Ms, 0), f(cold[op]?.p95Ms, 0), f(idle?.[op]?.p50Ms, 0), f(idle?.[op]?.p95Ms, 0), f(warm[op]?.p50Ms, 0), f(warm[op]?.p95Ms, 0)]);
      const rep = r.warmRepeatHover as Json;
      rows.push([String(r.papers), 'hover, same paper again', '—', '—', '—', '—', f(rep.p50Ms, 0), f(rep.p95Ms, 0)]);
      const open = r.openMs as Json;
      rows.push([String(r.papers), 'engine open (model load)', f(open.p50Ms, 0), f(open.p95Ms, 0), '—', '—', '—', '—']);
    }
    out.push(table(['papers', 'where', 'cold p50 ms', 'cold p95 ms', 'cold, 5 s after open, p50 ms', 'p95 ms', 'warm p50 ms', 'warm p95 ms'], rows));
  }
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  if (values.section) {
    const section = values.section as Section;
    const result = await runners[section]();
    writeFileSync(values.out ?? `${section}.json`, JSON.stringify(result));
    return;
  }
  await orchestrate();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);

