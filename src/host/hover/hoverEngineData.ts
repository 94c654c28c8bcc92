/**
 * What a citation hover asks the engine for: related papers and keywords. No `vscode` here, so the
 * bench (bench/latency/interactiveLatency.ts) times exactly what the provider waits for.
 */
import type { CancellationToken } from 'vscode-jsonrpc/node';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { KeywordsResult, SearchHit } from '../../shared/engineProtocol';

export const HOVER_RELATED = 4;
export const HOVER_KEYWORDS = 5;

/** The two engine requests a hover makes (EngineClient satisfies it). */
export interface HoverEngine {
  related(params: { id: string; k: number }, cancel?: CancellationTokenSource): Promise<SearchHit[]>;
  keywords(params: { id: string; k: number }, cancel?: CancellationTokenSource): Promise<KeywordsResult>;
}

/** Placeholder until the hover keeps keywords across hovers. */
export class HoverKeywordCache {
  clear(): void {}
}

export interface HoverEngineData {
  related: SearchHit[] | undefined;
  keywords: string[] | undefined;
}

/** Today's hover: related, then keywords, one after the other (see citationHoverProvider.ts). */
export async function hoverEngineData(engine: HoverEngine, id: string, _cache: HoverKeywordCache, token: CancellationToken): Promise<HoverEngineData> {
  const cancel = new CancellationTokenSource();
  const sub = token.onCancellationRequested(() => cancel.cancel());
  try {
    const related = await engine.related({ id, k: HOVER_RELATED }, cancel);
    const keywords = (await engine.keywords({ id, k: HOVER_KEYWORDS }, cancel)).top.map((s) => s.text);
    return { related, keywords };
  } finally {
    sub.dispose();
    cancel.dispose();
  }
}
