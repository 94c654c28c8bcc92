/**
 * Hovers on citations of indexed papers in Markdown (and LaTeX/plain text): title, authors, year, top
 * keywords and a few related papers as command links. Unknown keys get no hover. The provider reads
 * the catalogue synchronously and asks the engine (another process) only for related papers and
 * keywords, with a time limit, honouring cancellation (a hover that is cancelled or out of time
 * cancels its engine request too, so the engine drops it); it never throws.
 */
import * as vscode from 'vscode';
import { CancellationTokenSource as RpcCancellationTokenSource } from 'vscode-jsonrpc/node';
import type { SearchHit } from '../../shared/engineProtocol';
import { readConfig } from '../config';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import type { CatalogPaper } from '../library/paperCatalog';
import { paperDescription } from '../tree/paperTreeProvider';
import { citationAt } from './citationScanner';
import { HOVER_COMMANDS, hoverMarkdown } from './hoverMarkdown';

const ENGINE_TIMEOUT_MS = 2500;
const RELATED = 4;

/** Resolves with undefined when the token is cancelled or the time is up, instead of waiting. */
export function raceCancellation<T>(work: Promise<T>, token: vscode.CancellationToken, timeoutMs: number): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    const sub = token.onCancellationRequested(() => resolve(undefined));
    work.then(
      (v) => resolve(v),
      () => resolve(undefined),
    ).finally(() => {
      clearTimeout(timer);
      sub.dispose();
    });
  });
}

/** raceCancellation for an engine request: when the hover stops waiting, the engine stops working on it. */
async function engineRace<T>(send: (cancel: RpcCancellationTokenSource) => Promise<T>, token: vscode.CancellationToken): Promise<T | undefined> {
  const cancel = new RpcCancellationTokenSource();
  try {
    return await raceCancellation(send(cancel), token, ENGINE_TIMEOUT_MS);
  } finally {
    // A request that already answered is not affected; one still running is cancelled in the engine.
    cancel.cancel();
    cancel.dispose();
  }
}

export class CitationHoverProvider implements vscode.HoverProvider {
  constructor(private readonly ctx: AtlasContext) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    try {
      if (!readConfig().hoversEnabled || this.ctx.catalog.size === 0) return undefined;
      const line = document.lineAt(position.line).text;
      if (line.length > 10_000) return undefined;
      const citation = citationAt(line, position.character);
      if (!citation) return undefined;
      const paper = citation.kind === 'key' ? this.ctx.catalog.get(citation.text) : this.ctx.catalog.byDoiOrArxiv(citation.text);
      if (!paper) return undefined;
      const range = new vscode.Range(position.line, citation.start, position.line, citation.end);
      // One after the other: the engine runs the masked LM on its own thread, so a keywords request sent
      // beside related() held related's reply behind a (cold: seconds-long) MLM run until the hover gave up.
      const related = await this.related(paper.id, token);
      const keywords = await this.keywords(paper, token);
      if (token.isCancellationRequested) return undefined;
      return new vscode.Hover(this.render(paper, related, keywords), range);
    } catch (e) {
      this.ctx.log.warn(`hover failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async related(id: string, token: vscode.CancellationToken): Promise<SearchHit[] | undefined> {
    return engineRace((cancel) => this.ctx.engine.get().then((c) => c.related({ id, k: RELATED }, cancel)), token);
  }

  private async keywords(paper: CatalogPaper, token: vscode.CancellationToken): Promise<string[]> {
    const result = await engineRace((cancel) => this.ctx.engine.get().then((c) => c.keywords({ id: paper.id, k: 5 }, cancel)), token);
    const fromModel = result?.top.map((s) => s.text) ?? [];
    return fromModel.length > 0 ? fromModel : paper.keywords.slice(0, 5);
  }

  private render(paper: CatalogPaper, related: SearchHit[] | undefined, keywords: string[]): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: HOVER_COMMANDS };
    md.supportHtml = false;
    const topic = this.ctx.catalog.topic(paper.id)?.label;
    md.appendMarkdown(
      hoverMarkdown({
        paper,
        ...(topic ? { topic } : {}),
        keywords,
        related: related?.slice(0, RELATED).map((hit) => {
          const p = this.ctx.catalog.get(hit.id);
          return { id: hit.id, title: hit.title, description: p ? paperDescription(p) : '' };
        }),
      }),
    );
    return md;
  }
}

export function registerHover(ctx: AtlasContext): vscode.Disposable {
  const selector: vscode.DocumentSelector = [
    { language: 'markdown' },
    { language: 'latex' },
    { language: 'tex' },
    { language: 'plaintext' },
  ];
  return vscode.languages.registerHoverProvider(selector, new CitationHoverProvider(ctx));
}
