/**
 * What every feature's `register…` function receives: the extension context, the log, the engine
 * (started lazily) and the catalogue of indexed papers. Features talk to each other only through it.
 */
import type * as vscode from 'vscode';
import type { EngineManager } from './engine/engineManager';
import type { PaperCatalog } from './library/paperCatalog';
import type { IndexingController } from './indexing/indexingController';

export interface AtlasContext {
  extension: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  engine: EngineManager;
  catalog: PaperCatalog;
  indexing: IndexingController;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
