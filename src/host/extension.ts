/**
 * Entry point of the extension host side. activate() stays short: it builds the shared context,
 * registers each feature and schedules the first indexing run for after activation (the engine
 * process, with its native modules, starts then, not here). It logs how long activation took and
 * reports its own failure, which VS Code would not show.
 */
import { moduleLoadStart } from './activationClock';
import * as vscode from 'vscode';
import { notificationText } from '../core/displayText';
import { affectsEngine, affectsLibrary, CONFIG_SECTION, readConfig } from './config';
import { errorMessage, type AtlasContext } from './atlasContext';
import { registerCitationChecks, type CitationChecker } from './citations/citationDiagnostics';
import { registerCitationCompletion } from './citations/citationCompletionProvider';
import { registerCitationLinks } from './citations/citationLinks';
import { registerCitationNavigation } from './citations/citationNavigation';
import { registerSuggestCitations } from './citations/suggestCitationsCommand';
import { Commands } from './commands/commandTable';
import { registerPaperActions } from './commands/paperActions';
import { EngineManager } from './engine/engineManager';
import { registerHover } from './hover/citationHoverProvider';
import { IndexingController } from './indexing/indexingController';
import { registerKeywordHighlights } from './keywords/keywordHighlights';
import { PaperCatalog } from './library/paperCatalog';
import { registerModelCommands } from './models/modelCommands';
import { registerAtlasPanel, type AtlasPanelController } from './panel/atlasPanelController';
import { registerRelatedWork } from './related/showRelatedWorkCommand';
import { registerSearch } from './search/searchPapersCommand';
import { registerPaperTree, type PaperTreeProvider } from './tree/paperTreeProvider';

/** What activate() returns: used by the integration tests, stable enough for other extensions. */
export interface PaperAtlasApi {
  readonly activationMs: number;
  readonly context: AtlasContext;
  readonly panel: AtlasPanelController;
  readonly tree: PaperTreeProvider;
  readonly citationChecks: CitationChecker;
}

let engine: EngineManager | undefined;

export function activate(context: vscode.ExtensionContext): PaperAtlasApi | undefined {
  const activateStart = performance.now();
  const log = vscode.window.createOutputChannel('Paper Atlas', { log: true });
  context.subscriptions.push(log);
  try {
    engine = new EngineManager(context, log);
    const catalog = new PaperCatalog(log);
    const indexing = new IndexingController(engine, catalog, log);
    const ctx: AtlasContext = { extension: context, log, engine, catalog, indexing };
    context.subscriptions.push(engine, catalog, indexing);

    const tree = registerPaperTree(ctx);
    const panel = registerAtlasPanel(ctx);
    const checks = registerCitationChecks(ctx);
    context.subscriptions.push(
      checks.disposable,
      tree.disposable,
      panel.disposable,
      registerPaperActions(ctx, tree.view),
      registerSearch(ctx),
      registerRelatedWork(ctx, tree.view),
      registerHover(ctx),
      registerCitationCompletion(ctx),
      registerCitationNavigation(ctx),
      registerCitationLinks(ctx),
      registerSuggestCitations(ctx),
      registerModelCommands(ctx),
      registerKeywordHighlights(ctx),
      vscode.commands.registerCommand(Commands.showLog.id, () => log.show()),
      vscode.commands.registerCommand(Commands.reindexLibrary.id, () => indexing.index('reindex command', { notifyAfterMs: 0 })),
      vscode.commands.registerCommand(Commands.rebuildIndex.id, () => indexing.rebuild()),
      vscode.workspace.onDidChangeConfiguration((e) => void onConfigurationChanged(ctx, e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => startIndexing(ctx)),
    );
    if (vscode.workspace.isTrusted) setTimeout(() => startIndexing(ctx), 0);
    else log.info('workspace is not trusted: Paper Atlas does not index it until it is');

    const activationMs = performance.now() - moduleLoadStart;
    log.info(
      `activated in ${activationMs.toFixed(1)} ms (module load ${(activateStart - moduleLoadStart).toFixed(1)} ms, activate() ${(performance.now() - activateStart).toFixed(1)} ms); goal ≤ 200 ms`,
    );
    return { activationMs, context: ctx, panel: panel.controller, tree: tree.provider, citationChecks: checks.checker };
  } catch (e) {
    log.error(`activation failed: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(notificationText(`Paper Atlas failed to start: ${errorMessage(e)}`), 'Show Log').then((choice) => {
      if (choice === 'Show Log') log.show();
    });
    return undefined;
  }
}

function startIndexing(ctx: AtlasContext): void {
  ctx.indexing.watch();
  void ctx.indexing.index('startup');
}

async function onConfigurationChanged(ctx: AtlasContext, e: vscode.ConfigurationChangeEvent): Promise<void> {
  if (!e.affectsConfiguration(CONFIG_SECTION)) return;
  if (affectsEngine(e)) {
    ctx.log.info('engine settings changed: restarting the engine');
    await ctx.engine.stop();
    ctx.catalog.clear();
    void ctx.indexing.index('settings changed');
  } else if (affectsLibrary(e)) {
    ctx.indexing.watch();
    void ctx.indexing.index('library globs changed');
  } else if (e.affectsConfiguration(`${CONFIG_SECTION}.clusterCount`) && ctx.engine.state === 'ready') {
    const client = await ctx.engine.get();
    await ctx.catalog.refreshTopicMap(client, readConfig().clusterCount);
  }
}

/** Stops the engine by message; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  await engine?.stop();
  engine = undefined;
}
