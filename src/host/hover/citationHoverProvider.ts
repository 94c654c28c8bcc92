/**
 * Hovers on citations of indexed papers in Markdown (and LaTeX/plain text): title, authors, year, top
 * keywords and a few related papers as command links. Unknown keys get no hover. The provider reads
 * the catalogue synchronously and waits on the engine (another process) only for related papers it
 * has not shown for this version of the library, with a time limit, honouring cancellation (a hover
 * that is cancelled or out of time cancels its engine request too, so the engine drops it); keywords
 * come from a cache (hoverEngineData.ts). It never throws.
 */
import * as vscode from 'vscode';
import type { SearchHit } from '../../shared/engineProtocol';
import { foldNestedPhrases } from '../../shared/keyphraseChips';
import { readConfig } from '../config';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import type { CatalogPaper } from '../library/paperCatalog';
import { paperDescription } from '../tree/paperTreeProvider';
import { citationAt } from './citationScanner';
import { HOVER_KEYWORDS, HOVER_RELATED, HoverKeywordCache, HoverRelatedCache, hoverEngineData } from './hoverEngineData';
import { HOVER_COMMANDS, hoverMarkdown } from './hoverMarkdown';

const ENGINE_TIMEOUT_MS = 2500;

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

export class CitationHoverProvider implements vscode.HoverProvider {
  /** The model's keywords of papers hovered before (see hoverEngineData.ts). */
  private readonly keywordCache = new HoverKeywordCache();
  /** Related papers of papers hovered before, for the library as it is now. */
  private readonly relatedCache = new HoverRelatedCache();

  constructor(private readonly ctx: AtlasContext) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    try {
      const config = readConfig();
      if (!config.hoversEnabled || this.ctx.catalog.size === 0) return undefined;
      const line = document.lineAt(position.line).text;
      if (line.length > 10_000) return undefined;
      const citation = citationAt(line, position.character);
      if (!citation) return undefined;
      const paper = citation.kind === 'key' ? this.ctx.catalog.get(citation.text) : this.ctx.catalog.byDoiOrArxiv(citation.text);
      if (!paper) return undefined;
      const range = new vscode.Range(position.line, citation.start, position.line, citation.end);
      // The hover waits for related papers only; the masked LM's keywords come from a cache or arrive
      // for the next hover (a cold MLM run took seconds). When the hover is cancelled or out of time,
      // its engine request is cancelled too.
      const stop = new vscode.CancellationTokenSource();
      const sub = token.onCancellationRequested(() => stop.cancel());
      let data;
      try {
        data = await raceCancellation(
          this.ctx.engine.get().then((client) => hoverEngineData(client, paper, config.mlmModel, { keywords: this.keywordCache, related: { cache: this.relatedCache, libraryVersion: this.ctx.catalog.version } }, stop.token)),
          token,
          ENGINE_TIMEOUT_MS,
        );
      } finally {
        // Out of time too: a related request still running is cancelled in the engine (one that answered is not affected).
        stop.cancel();
        sub.dispose();
        stop.dispose();
      }
      if (token.isCancellationRequested) return undefined;
      const keywords = data?.keywords ?? foldNestedPhrases(paper.keywords, HOVER_KEYWORDS);
      return new vscode.Hover(this.render(paper, data?.related, keywords), range);
    } catch (e) {
      this.ctx.log.warn(`hover failed: ${errorMessage(e)}`);
      return undefined;
    }
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
        related: related?.slice(0, HOVER_RELATED).map((hit) => {
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
