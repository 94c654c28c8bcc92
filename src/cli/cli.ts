/**
 * `paper-atlas`: the engine for scripts. Every command runs the engine in its worker, so this thread
 * only parses flags, draws progress and prints. Errors are one line on stderr and a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { EngineInfo, SearchHit, SearchMode, TopicMapResult } from '../shared/engineProtocol';
import { EngineClient } from '../engine/engineClient';
import { DEFAULT_ENCODER_ID } from '../engine/modelFolder';
import { isIndexFolder } from '../engine/indexMarker';
import { readSelectedModel } from '../engine/modelSelection';
import { runModelsCommand } from './modelsCommand';
import { runKeywordsCommand } from './keywordsCommand';
import { ProgressBar } from './progressBar';
import {
  parseClusterCount,
  parseSeed,
  runClustersCommand,
  runMapCommand,
  type TopicMapRequest,
  type TopicsCommandOptions,
} from './topicsCommand';

/** Sampling interval of the event-loop lag histogram. */
const LAG_SAMPLE_MS = 10;

const USAGE = `usage: paper-atlas <command> [options]

commands:
  index <paths…>        index library files, folders or globs (.bib .json .jsonl[.gz] .ris .txt .md)
  search <query>        hybrid search (--mode vector|fts|hybrid)
  related <id>          papers related to an indexed paper
  info                  index, model and execution provider
  diagnostics           problems found in library files (file:line: reason)
  keywords <id>         keyphrases of a paper by masked-LM surprise (or --text "…", or --batch FILE)
  clusters              topic clusters with labels (--clusters auto|N, --seed N, --recompute)
  map                   2-D map positions of every paper, by cluster
  models list|pull|use  bundled and downloadable models (pull is the only command that uses the network)

options:
  --db DIR              index folder (default ./.paper-atlas)
  --model ID            encoder model id or folder (default: the one chosen by "models use", else ${DEFAULT_ENCODER_ID})
  --providers LIST      execution providers in order of preference, e.g. cuda,cpu (default auto)
  --threads N           inference threads (default: all cores)
  --k N                 number of results (default 10)
  --mode MODE           search mode: hybrid (default), vector or fts
  --diversity L         MMR trade-off 0..1 (1 = plain relevance)
  --text TEXT           keywords of this text instead of an indexed paper
  --batch FILE          one query or id per line → JSON Lines, one line per input, in order
  --json                machine-readable output
  -h, --help            this text`;

class UsageError extends Error {}

const FLAGS = {
  db: { type: 'string' },
  model: { type: 'string' },
  providers: { type: 'string' },
  threads: { type: 'string' },
  k: { type: 'string' },
  mode: { type: 'string' },
  diversity: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'boolean' },
  text: { type: 'string' },
  clusters: { type: 'string' },
  seed: { type: 'string' },
  recompute: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return n;
}

function formatHits(hits: readonly SearchHit[]): string {
  return hits
    .map((h, i) => {
      const who = h.authors.length > 2 ? `${h.authors[0]} et al.` : h.authors.join(' & ');
      return `${String(i + 1).padStart(2)}. ${h.score.toFixed(4)}  ${h.title}\n    ${[who, h.year].filter(Boolean).join(' · ')}  [${h.id}]`;
    })
    .join('\n');
}

function readBatch(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  } catch (e) {
    throw new UsageError(`cannot read --batch file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const known = ['index', 'search', 'related', 'info', 'diagnostics', 'clusters', 'map', 'keywords', 'models'];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}" (try --help)`);
  const k = positiveInt(values.k, 'k', 10);
  const mode = (values.mode ?? 'hybrid') as SearchMode;
  if (!['hybrid', 'vector', 'fts'].includes(mode)) throw new UsageError(`--mode must be hybrid, vector or fts, got "${values.mode}"`);
  const diversity = values.diversity === undefined ? undefined : Number(values.diversity);
  if (diversity !== undefined && !(diversity >= 0 && diversity <= 1)) throw new UsageError('--diversity must be between 0 and 1');
  if (command === 'index' && rest.length === 0) throw new UsageError('index needs at least one file, folder or glob');
  if ((command === 'search' || command === 'related') && rest.length === 0 && !values.batch) {
    throw new UsageError(`${command} needs a ${command === 'search' ? 'query' : 'paper id'} or --batch FILE`);
  }
  const dbDir = path.resolve(values.db ?? '.paper-atlas');
  let topics: TopicsCommandOptions;
  try {
    topics = {
      clusters: parseClusterCount(values.clusters),
      recompute: values.recompute ?? false,
      json: values.json ?? false,
      ...(values.seed !== undefined ? { seed: parseSeed(values.seed) } : {}),
    };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (command === 'models') {
    return runModelsCommand(rest, {
      dbDir,
      json: values.json ?? false,
      out: (s) => process.stdout.write(`${s}\n`),
      err: (s) => process.stderr.write(`${s}\n`),
    });
  }
  if (command !== 'index' && !isIndexFolder(dbDir)) throw new Error(`no index at ${dbDir}; run "paper-atlas index <paths>" first (or pass --db)`);

  const progress = new ProgressBar();
  const verbose = process.env.PAPER_ATLAS_VERBOSE === '1';
  const engine = EngineClient.start({
    onLog: (line) => {
      if (verbose) process.stderr.write(`${line}\n`);
    },
    onProgress: (p) => progress.update(p),
    onCrash: (reason) => {
      process.stderr.write(`paper-atlas: ${reason}\n`);
      process.exit(1);
    },
  });
  try {
    const info = await engine.open({
      dbDir,
      model: values.model ?? readSelectedModel(dbDir, 'encoder') ?? DEFAULT_ENCODER_ID,
      providers: (values.providers ?? 'auto').split(',').filter(Boolean),
      threads: positiveInt(values.threads, 'threads', 0),
      batchSize: 64,
    });
    return await run(command, rest, { engine, info, topics, values: { ...values, k, mode, diversity, providersExplicit: values.providers !== undefined }, progress });
  } finally {
    progress.finish();
    await engine.stop();
  }
}

interface RunContext {
  engine: EngineClient;
  topics: TopicsCommandOptions;
  info: EngineInfo;
  progress: ProgressBar;
  values: { json?: boolean; batch?: string; text?: string; k: number; mode: SearchMode; diversity: number | undefined; providersExplicit: boolean };
}

async function run(command: string, rest: string[], ctx: RunContext): Promise<number> {
  const { engine, info, values } = ctx;
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  const needsPapers = ['search', 'related', 'keywords', 'clusters', 'map'].includes(command) && !(command === 'keywords' && values.text !== undefined);
  if (needsPapers && info.papers === 0) {
    // Vectors are kept per model and weights: after a model switch or update the old table stays aside.
    const others = info.otherTables.length ? ` (the folder holds tables of other models or weights: ${info.otherTables.join(', ')})` : '';
    throw new Error(`no papers are indexed with ${info.model} at ${info.dbDir}${others}; run "paper-atlas index <paths>" to embed them`);
  }
  switch (command) {
    case 'index': {
      // A provider the user named explicitly deserves the reason it was not used; `auto` trying CUDA on a
      // machine without it is expected and stays in the verbose log.
      if (values.providersExplicit) {
        for (const a of info.providerAttempts.filter((x) => !x.ok)) process.stderr.write(`provider ${a.provider} unavailable: ${a.reason}\n`);
      }
      const lag = monitorEventLoopDelay({ resolution: LAG_SAMPLE_MS });
      lag.enable();
      const summary = await engine.index(rest);
      lag.disable();
      ctx.progress.finish();
      // The histogram records whole sampling intervals (an idle loop reads ~10 ms): the lag is what lies beyond.
      const lagP99Ms = Math.round(Math.max(0, lag.percentile(99) / 1e6 - LAG_SAMPLE_MS) * 10) / 10;
      const result = { ...summary, papersPerSecond: Math.round(summary.embedded / Math.max(summary.seconds, 1e-3)), eventLoopLagP99Ms: lagP99Ms };
      if (values.json) out(JSON.stringify(result));
      else
        out(
          `indexed ${summary.files} file(s) in ${summary.seconds.toFixed(1)}s on ${summary.provider} (${summary.model}): ` +
            `${summary.added} added, ${summary.updated} updated, ${summary.removed} removed, ${summary.unchanged} unchanged, ` +
            `${summary.skippedFiles} file(s) skipped, ${summary.diagnostics} diagnostic(s); ${summary.papers} papers in the index; ` +
            `${result.papersPerSecond} papers/s embedded; event-loop lag p99 ${lagP99Ms} ms`,
        );
      return 0;
    }
    case 'search':
    case 'related': {
      const ask = (input: string): Promise<SearchHit[]> =>
        command === 'search'
          ? engine.search({ query: input, k: values.k, mode: values.mode, ...(values.diversity !== undefined ? { diversity: values.diversity } : {}) })
          : engine.related({ id: input, k: values.k, ...(values.diversity !== undefined ? { diversity: values.diversity } : {}) });
      if (values.batch) {
        // One line per input, in order; a bad input is reported on its own line and the batch goes on.
        for (const input of readBatch(values.batch)) {
          try {
            out(JSON.stringify({ input, hits: await ask(input) }));
          } catch (e) {
            out(JSON.stringify({ input, error: errorText(e) }));
          }
        }
        return 0;
      }
      const hits = await ask(rest.join(' '));
      out(values.json ? JSON.stringify(hits) : hits.length ? formatHits(hits) : 'no results');
      return 0;
    }
    case 'info': {
      if (values.json) out(JSON.stringify(info));
      else
        out(
          [
            `index        ${info.dbDir}`,
            `papers       ${info.papers}`,
            `model        ${info.model} (${info.dims} dims) from ${info.modelDir}`,
            `provider     ${info.provider}${info.providerAttempts.filter((a) => !a.ok).map((a) => `; ${a.provider} unavailable: ${a.reason}`).join('')}`,
            `table        ${info.table}${info.otherTables.length ? ` (other models: ${info.otherTables.join(', ')})` : ''}`,
            `indices      full-text ${info.indices.fullText ? 'yes' : 'no'}, vector ${info.indices.vector ? 'ANN' : 'flat (exact)'}`,
            `diagnostics  ${info.diagnostics}`,
          ].join('\n'),
        );
      return 0;
    }
    case 'keywords':
      return runKeywordsCommand(rest, engine, {
        k: values.k,
        json: values.json ?? false,
        ...(values.text !== undefined ? { text: values.text } : {}),
        ...(values.batch !== undefined ? { batch: values.batch } : {}),
        out,
        err: (s) => process.stderr.write(`${s}\n`),
      });
    case 'clusters':
    case 'map': {
      const load = (request: TopicMapRequest): Promise<TopicMapResult> => engine.topicMap(request);
      return command === 'clusters' ? runClustersCommand(load, ctx.topics, out) : runMapCommand(load, ctx.topics, out);
    }
    case 'diagnostics': {
      const diagnostics = await engine.diagnostics();
      if (values.json) out(JSON.stringify(diagnostics));
      else for (const d of diagnostics) out(`${d.file}:${d.line}: ${d.severity}: ${d.message}`);
      return 0;
    }
  }
  return 2;
}

function errorText(e: unknown): string {
  if (e instanceof ResponseError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`paper-atlas: ${errorText(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
