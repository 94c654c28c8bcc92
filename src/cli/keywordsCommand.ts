/**
 * `paper-atlas keywords <id> | --text "…" | --batch FILE`: the keyphrases the masked LM finds most
 * surprising (see src/engine/keywords/keywordScorer.ts). The scoring happens in the engine worker; this only
 * parses the request and prints, through any `KeywordsSource` (EngineClient is one), so tests can
 * drive it without a model.
 */
import { terminalText } from '../core/displayText';
import type { KeywordSpan, KeywordsResult } from '../shared/engineProtocol';
import { answerBatch, type TextCommandOptions } from './batchInput';

export const KEYWORDS_USAGE = `usage: paper-atlas keywords <paper id> | --text "…" | --batch FILE [--k N] [--json]

  <paper id>     keyphrases of an indexed paper (its title + ". " + abstract)
  --text "…"     keyphrases of a text
  --batch FILE   one text per line → JSON Lines {"input", "keywords"} (or {"input", "error"}), in order
  --k N          number of keyphrases (default 10)
  --json         [{text, score, start, end}], best first; offsets index the scored text`;

export interface KeywordsSource {
  keywords(params: { id?: string; text?: string; k: number }): Promise<KeywordsResult>;
}

export type KeywordsCommandOptions = TextCommandOptions;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function formatKeywords(top: readonly KeywordSpan[]): string {
  if (top.length === 0) return 'no keyphrases';
  return top.map((s, i) => `${String(i + 1).padStart(2)}. ${s.score.toFixed(3).padStart(7)}  ${terminalText(s.text)}  [${s.start}–${s.end}]`).join('\n');
}

/** Returns the exit code: 0 done, 1 failed, 2 bad usage. Never throws. */
export async function runKeywordsCommand(args: readonly string[], source: KeywordsSource, opts: KeywordsCommandOptions): Promise<number> {
  // Usage problems are one line each (scripts read stderr line by line); the usage text is in --help.
  const sources = [args.length > 0, opts.text !== undefined, opts.batch !== undefined].filter(Boolean).length;
  if (sources !== 1) {
    opts.err('paper-atlas: keywords needs exactly one of: a paper id, --text, --batch (see paper-atlas keywords --help)');
    return 2;
  }
  if (args.length > 1) {
    opts.err(`paper-atlas: keywords takes one paper id, got ${args.length} (quote a text and pass it with --text)`);
    return 2;
  }
  if (opts.text !== undefined && opts.text.trim() === '') {
    opts.err('paper-atlas: --text is empty');
    return 2;
  }
  if (!Number.isInteger(opts.k) || opts.k < 1) {
    opts.err('paper-atlas: --k must be a whole number ≥ 1');
    return 2;
  }
  try {
    if (opts.batch !== undefined) return await answerBatch(opts.batch, opts, async (input) => ({ keywords: (await source.keywords({ text: input, k: opts.k })).top }));
    const result = await source.keywords(opts.text !== undefined ? { text: opts.text, k: opts.k } : { id: args[0]!, k: opts.k });
    opts.out(opts.json ? JSON.stringify(result.top) : formatKeywords(result.top));
    return 0;
  } catch (e) {
    opts.err(`paper-atlas: ${message(e)}`);
    return 1;
  }
}
