/**
 * `paper-atlas cite --text "…" | --batch FILE`: the indexed papers that support a text, each with
 * the keyphrases it shares with the text (src/core/citations/citationSuggestions.ts). Like
 * `keywords`, it talks to any `CitationSource` (EngineClient is one), so tests drive it without a model.
 */
import { suggestCitations, type CitationSource, type CitationSuggestion } from '../core/citations/citationSuggestions';
import { terminalText } from '../core/displayText';
import { answerBatch, type TextCommandOptions } from './batchInput';

export const CITE_USAGE = `usage: paper-atlas cite --text "…" | --batch FILE [--k N] [--json]

  --text "…"     papers that support this text (hybrid: meaning and shared words)
  --batch FILE   one paragraph per line → JSON Lines {"input", "hits": [{id, title, score, reason}]}
                 (or {"input", "error"}), one line per input, in order
  --k N          number of papers (default 10)
  --json         [{id, title, score, reason}], best first; reason = keyphrases shared with the text`;

export type CiteCommandOptions = TextCommandOptions;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Human output: titles, ids and reasons come from library files, so control characters are stripped. */
export function formatCitations(hits: readonly CitationSuggestion[]): string {
  if (hits.length === 0) return 'no results';
  return hits
    .map((h, i) => {
      const reason = h.reason ? `\n    shared: ${terminalText(h.reason)}` : '';
      return `${String(i + 1).padStart(2)}. ${h.score.toFixed(4)}  ${terminalText(h.title)}  [${terminalText(h.id)}]${reason}`;
    })
    .join('\n');
}

/** Returns the exit code: 0 done, 1 failed, 2 bad usage. Never throws. */
export async function runCiteCommand(args: readonly string[], source: CitationSource, opts: CiteCommandOptions): Promise<number> {
  if (args.length > 0) {
    opts.err('paper-atlas: cite takes no arguments; pass the text with --text "…" or a file with --batch FILE');
    return 2;
  }
  if ((opts.text === undefined) === (opts.batch === undefined)) {
    opts.err('paper-atlas: cite needs exactly one of: --text, --batch (see paper-atlas cite --help)');
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
    if (opts.batch !== undefined) return await answerBatch(opts.batch, opts, async (input) => ({ hits: await suggestCitations(source, input, opts.k) }));
    const hits = await suggestCitations(source, opts.text!, opts.k);
    opts.out(opts.json ? JSON.stringify(hits) : formatCitations(hits));
    return 0;
  } catch (e) {
    opts.err(`paper-atlas: ${message(e)}`);
    return 1;
  }
}
