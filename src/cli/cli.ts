/**
 * `paper-atlas`: the engine for scripts. Every command runs the engine in its own process, so this one
 * only parses flags, draws progress and prints. Errors are one line on stderr and a non-zero exit.
 */
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Command, CommanderError, Option } from 'commander';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { ClusterCountOption } from '../core/clustering/topicMapModel';
import { terminalText } from '../core/displayText';
import type { EngineInfo, SearchHit, SearchMode, TopicMapResult } from '../shared/engineProtocol';
import { EngineClient } from '../engine/client/engineClient';
import { DEFAULT_ENCODER_ID } from '../engine/models/modelFolder';
import { isIndexFolder } from '../engine/client/indexMarker';
import { readSelectedModel } from '../engine/models/modelSelection';
import { BATCH_MAX_BYTES, BatchInputError, batchLines, readBatchText } from './batchInput';
import { runModelsCommand } from './modelsCommand';
import { CITE_USAGE, runCiteCommand } from './citeCommand';
import { KEYWORDS_USAGE, runKeywordsCommand } from './keywordsCommand';
import { ProgressBar } from './progressBar';
import {
  MAX_CLUSTERS,
  parseClusterCount,
  parseSeed,
  runClustersCommand,
  runMapCommand,
  type TopicMapRequest,
  type TopicsCommandOptions,
} from './topicsCommand';

/** Sampling interval of the event-loop lag histogram. */
const LAG_SAMPLE_MS = 10;

/** More results than this is no longer a ranking anyone reads; MMR re-ranking costs k × 4k, so it gets less. */
export const MAX_K = 1000;
export const MAX_K_DIVERSE = 200;
/** Texts and queries on the command line: a search query or a `--text` for keywords. */
export const MAX_TEXT_CHARS = 32_768;
/** onnxruntime with 100,000 threads hangs; more threads than cores only adds contention. */
export const maxThreads = (): number => Math.max(1, os.availableParallelism()) * 4;

class UsageError extends Error {}

/** A whole number in [min, max], digits only: `''`, `1e3`, `0x10`, ` 7` and `-1` are refused. */
function wholeNumber(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

function fraction(value: string): number {
  const n = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 1)) throw new UsageError(`--diversity must be a number between 0 and 1, got "${value}"`);
  return n;
}

function nonEmpty(name: string, maxChars = 4096): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new UsageError(`--${name} is empty`);
    if (value.length > maxChars) throw new UsageError(`--${name} has ${value.length} characters; at most ${maxChars} are allowed`);
    return value;
  };
}

function providerList(value: string): string[] {
  const list = value.split(',').map((p) => p.trim());
  if (list.length === 0 || list.some((p) => !/^[a-z][a-z0-9_-]{0,31}$/i.test(p))) {
    throw new UsageError(`--providers must be a comma-separated list such as cuda,cpu or auto, got "${value}"`);
  }
  return list;
}

function searchMode(value: string): SearchMode {
  if (value !== 'hybrid' && value !== 'vector' && value !== 'fts') throw new UsageError(`--mode must be hybrid, vector or fts, got "${value}"`);
  return value;
}

interface CliOptions {
  db: string;
  model?: string;
  providers?: string[];
  threads?: number;
  k?: number;
  mode: SearchMode;
  diversity?: number;
  batch?: string;
  json?: boolean;
  text?: string;
  clusters: ClusterCountOption;
  seed?: number;
  recompute?: boolean;
}

interface Invocation {
  command: string;
  args: string[];
}

/**
 * The command line as commander sees it: every flag is a program option (accepted before or after the
 * command, as before) with a parser that bounds it, and every command declares its arguments, so
 * counts, unknown flags and unknown commands are refused by construction. Parsing only records
 * what to run; `main` runs it.
 */
function buildProgram(onCommand: (invocation: Invocation) => void): Command {
  const program = new Command('paper-atlas')
    .description('The Paper Atlas engine for scripts: index library files, search them, find related papers, keywords and topics.')
    .usage('<command> [options]')
    .exitOverride()
    // commander's own error text (and the help it prints after some errors) is replaced by one line in main.
    .configureOutput({ writeOut: (s) => void process.stdout.write(s), writeErr: () => undefined, outputError: () => undefined })
    .configureHelp({ showGlobalOptions: true })
    .helpCommand(false)
    .option('--db <dir>', 'index folder', nonEmpty('db'), '.paper-atlas')
    .option('--model <id>', `encoder model id or folder (default: the one chosen by "models use", else ${DEFAULT_ENCODER_ID})`, nonEmpty('model'))
    .option('--providers <list>', 'execution providers in order of preference, e.g. cuda,cpu (default auto)', providerList)
    .option('--threads <n>', `inference threads, 1 to ${maxThreads()} (default: all cores)`, wholeNumber('threads', 1, maxThreads()))
    .option('--k <n>', `number of results, 1 to ${MAX_K} (${MAX_K_DIVERSE} with --diversity; default 10)`, wholeNumber('k', 1, MAX_K))
    .addOption(new Option('--mode <mode>', 'search mode: hybrid, vector or fts').argParser(searchMode).default('hybrid'))
    .option('--diversity <l>', 'MMR trade-off 0..1 (1 = plain relevance)', fraction)
    .option('--text <text>', 'the text for cite, or for keywords instead of an indexed paper', nonEmpty('text', MAX_TEXT_CHARS))
    .option('--batch <file>', `one query or id per line → JSON Lines, one line per input, in order (a regular file, at most ${BATCH_MAX_BYTES / 1024 / 1024} MiB)`, nonEmpty('batch'))
    .option('--clusters <n>', `topic clusters: auto or 1 to ${MAX_CLUSTERS}`, parseCluster, 'auto')
    .option('--seed <n>', 'seed of the topic map (0 to 4294967295)', parseSeedOption)
    .option('--recompute', 'lay the topic map out afresh')
    .option('--json', 'machine-readable output');
  const on = (command: string) => (...args: unknown[]): void => {
    // commander passes declared arguments first, then options and the command itself.
    const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
    onCommand({ command, args: positional });
  };
  program.command('index').description('index library files, folders or globs (.bib .json .jsonl[.gz] .ris .txt .md)').argument('<paths...>').action(on('index'));
  program.command('search').description('hybrid search (--mode vector|fts|hybrid)').argument('[query...]').action(on('search'));
  program.command('related').description('papers related to an indexed paper').argument('[id...]').action(on('related'));
  program.command('info').description('index, model and execution provider').action(on('info'));
  program.command('diagnostics').description('problems found in library files (file:line: reason)').action(on('diagnostics'));
  program
    .command('keywords')
    .description('keyphrases of a paper by masked-LM surprise (or --text "…", or --batch FILE)')
    .argument('[id...]')
    .addHelpText('after', `\n${KEYWORDS_USAGE}`)
    .action(on('keywords'));
  program
    .command('cite')
    .description('papers that support a text, with the keyphrases they share (--text "…" or --batch FILE)')
    .addHelpText('after', `\n${CITE_USAGE}`)
    .action(on('cite'));
  program.command('clusters').description('topic clusters with labels (--clusters auto|N, --seed N, --recompute)').action(on('clusters'));
  program.command('map').description('2-D map positions of every paper, by cluster').action(on('map'));
  // The action sees `models` alone or with an unknown command, so both get a one-line error.
  const models = program
    .command('models')
    .description('bundled and downloadable models (pull is the only command that uses the network)')
    .argument('[command]')
    .action(on('models'));
  models.command('list').description('models Paper Atlas knows: bundled, installed, or available to pull').action(on('models list'));
  models.command('pull').description('download a model into the model cache (the only command that uses the network)').argument('<id>').action(on('models pull'));
  models.command('use').description('make a bundled or installed model the default for this index (--db)').argument('<id>').action(on('models use'));
  return program;
}

function parseCluster(value: string): ClusterCountOption {
  try {
    return parseClusterCount(value);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
}

function parseSeedOption(value: string): number | undefined {
  try {
    return parseSeed(value);
  } catch (e) {
    throw new UsageError(errorText(e));
  }
}

/** commander's own errors, in this CLI's words: one line, no "error:" prefix, a pointer to --help. */
function commanderMessage(e: CommanderError): string {
  const text = e.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ');
  const unknownCommand = /^unknown command '(.*)'/.exec(text);
  if (unknownCommand) return `unknown command "${unknownCommand[1]}" (try --help)`;
  if (e.code === 'commander.unknownOption') return `${text.charAt(0).toUpperCase()}${text.slice(1)} (try --help)`;
  return `${text} (try --help)`;
}

function formatHits(hits: readonly SearchHit[]): string {
  return hits
    .map((h, i) => {
      const who = h.authors.length > 2 ? `${h.authors[0]} et al.` : h.authors.join(' & ');
      return `${String(i + 1).padStart(2)}. ${h.score.toFixed(4)}  ${terminalText(h.title)}\n    ${terminalText([who, h.year].filter(Boolean).join(' · '))}  [${terminalText(h.id)}]`;
    })
    .join('\n');
}

/** Whether stdout is still read: `paper-atlas map --json | head` closes it early, and that is no error. */
let stdoutClosed = false;

function out(s: string): boolean {
  if (stdoutClosed) return false;
  return process.stdout.write(`${s}\n`);
}

function err(s: string): void {
  process.stderr.write(`${terminalText(s)}\n`);
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation | undefined;
  const program = buildProgram((i) => {
    invocation = i;
  });
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help
      if (e.code === 'commander.help') throw new UsageError('missing command (try --help)');
      throw new UsageError(commanderMessage(e));
    }
    throw e;
  }
  if (!invocation) throw new UsageError('missing command (try --help)');
  const { command, args: rest } = invocation;
  if (command === 'models') {
    throw new UsageError(rest[0] === undefined ? 'models needs a command: list, pull or use' : `unknown models command "${rest[0]}" (try paper-atlas models --help)`);
  }
  const values = program.opts<CliOptions>();
  if (values.diversity !== undefined && values.k !== undefined && values.k > MAX_K_DIVERSE) {
    throw new UsageError(`--k must be at most ${MAX_K_DIVERSE} with --diversity, got ${values.k}`);
  }
  const k = values.k ?? 10;
  const dbDir = path.resolve(values.db);
  if (command === 'search' && !values.batch) {
    const query = rest.join(' ');
    if (query.trim() === '') throw new UsageError('search needs a query (a non-empty text) or --batch FILE');
    if (query.length > MAX_TEXT_CHARS) throw new UsageError(`the search query has ${query.length} characters; at most ${MAX_TEXT_CHARS} are allowed`);
  }
  if (command === 'related' && rest.length === 0 && !values.batch) throw new UsageError('related needs a paper id or --batch FILE');
  // Read a batch before the engine starts: a bad file is a usage error, not a half-done run.
  const batch = values.batch !== undefined && (command === 'search' || command === 'related') ? readBatch(values.batch) : undefined;
  const topics: TopicsCommandOptions = {
    clusters: values.clusters,
    recompute: values.recompute ?? false,
    json: values.json ?? false,
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
  };
  if (command.startsWith('models ')) {
    return runModelsCommand([command.slice('models '.length), ...rest], { dbDir, json: values.json ?? false, out, err });
  }
  if (command !== 'index' && !isIndexFolder(dbDir)) throw new Error(`no index at ${dbDir}; run "paper-atlas index <paths>" first (or pass --db)`);

  const progress = new ProgressBar();
  const verbose = process.env.PAPER_ATLAS_VERBOSE === '1';
  const engine = EngineClient.start({
    onLog: (line) => {
      if (verbose) err(line);
    },
    onProgress: (p) => progress.update(p),
    onCrash: (reason) => {
      err(`paper-atlas: the engine stopped unexpectedly (${reason})`);
      process.exit(1);
    },
  });
  try {
    const info = await engine.open({
      dbDir,
      model: values.model ?? readSelectedModel(dbDir, 'encoder') ?? DEFAULT_ENCODER_ID,
      providers: values.providers ?? ['auto'],
      threads: values.threads ?? 0,
      batchSize: 64,
    });
    const runValues = {
      k,
      mode: values.mode,
      diversity: values.diversity,
      providersExplicit: values.providers !== undefined,
      ...(values.json !== undefined ? { json: values.json } : {}),
      ...(values.text !== undefined ? { text: values.text } : {}),
      ...(values.batch !== undefined ? { batch: values.batch } : {}),
    };
    return await run(command, rest, { engine, info, topics, values: runValues, progress, ...(batch ? { batch } : {}) });
  } finally {
    progress.finish();
    await engine.stop();
  }
}

function readBatch(file: string): string[] {
  try {
    return batchLines(readBatchText(file));
  } catch (e) {
    throw new UsageError(e instanceof BatchInputError ? e.message : `cannot read --batch file ${file}: ${errorText(e)}`);
  }
}

interface RunContext {
  engine: EngineClient;
  topics: TopicsCommandOptions;
  info: EngineInfo;
  progress: ProgressBar;
  /** The lines of --batch, read and checked before the engine started. */
  batch?: string[];
  values: { json?: boolean; batch?: string; text?: string; k: number; mode: SearchMode; diversity: number | undefined; providersExplicit: boolean };
}

async function run(command: string, rest: string[], ctx: RunContext): Promise<number> {
  const { engine, info, values } = ctx;
  const needsPapers = ['search', 'related', 'cite', 'keywords', 'clusters', 'map'].includes(command) && !(command === 'keywords' && values.text !== undefined);
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
        for (const a of info.providerAttempts.filter((x) => !x.ok)) err(`provider ${a.provider} unavailable: ${a.reason}`);
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
      if (ctx.batch) {
        // One line per input, in order; a bad input is reported on its own line and the batch goes on.
        for (const input of ctx.batch) {
          if (stdoutClosed) break;
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
          terminalText(
            [
            `index        ${info.dbDir}`,
            `papers       ${info.papers}`,
            `model        ${info.model} (${info.dims} dims) from ${info.modelDir}`,
            `provider     ${info.provider}${info.providerAttempts.filter((a) => !a.ok).map((a) => `; ${a.provider} unavailable: ${a.reason}`).join('')}`,
            `table        ${info.table}${info.otherTables.length ? ` (other models: ${info.otherTables.join(', ')})` : ''}`,
            `indices      full-text ${info.indices.fullText ? 'yes' : 'no'}, vector ${info.indices.vector ? 'ANN' : 'flat (exact)'}`,
            `diagnostics  ${info.diagnostics}`,
            ].join('\n'),
            { multiline: true },
          ),
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
        err,
        stopped: () => stdoutClosed,
      });
    case 'cite':
      return runCiteCommand(rest, engine, {
        k: values.k,
        json: values.json ?? false,
        ...(values.text !== undefined ? { text: values.text } : {}),
        ...(values.batch !== undefined ? { batch: values.batch } : {}),
        out,
        err,
        stopped: () => stdoutClosed,
      });
    case 'clusters':
    case 'map': {
      const load = (request: TopicMapRequest): Promise<TopicMapResult> => engine.topicMap(request);
      return command === 'clusters' ? runClustersCommand(load, ctx.topics, out) : runMapCommand(load, ctx.topics, out);
    }
    case 'diagnostics': {
      const diagnostics = await engine.diagnostics();
      if (values.json) out(JSON.stringify(diagnostics));
      else for (const d of diagnostics) out(terminalText(`${d.file}:${d.line}: ${d.severity}: ${d.message}`));
      return 0;
    }
  }
  return 2;
}

function errorText(e: unknown): string {
  if (e instanceof ResponseError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

// A reader that stops early (`| head`) closes the pipe: later writes fail with EPIPE, which is the
// reader's choice, not an error. Without a listener Node would throw it with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutClosed = true;
  else err(`paper-atlas: cannot write the output: ${e.message}`);
});
process.stderr.on('error', () => undefined);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = stdoutClosed ? 0 : code;
  },
  (e: unknown) => {
    err(`paper-atlas: ${errorText(e)}`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
