/**
 * "Select Model…" and "Download Model…". The list comes from the model manifest; downloads go through
 * the engine's model manager (src/engine/models/modelDownloader.ts: plain HTTP and hashing, no native code),
 * with a cancellable progress notification. Choosing a model writes the setting; the engine reopens
 * on the setting change and indexes into that model's own table.
 */
import * as vscode from 'vscode';
import { labelText, notificationText } from '../../core/displayText';
import { listModels, ModelDownloadError, pullModel, trustOnFirstUseNote, type ModelListing } from '../../engine/models/modelDownloader';
import type { AtlasContext } from '../atlasContext';
import { errorMessage } from '../atlasContext';
import { Commands } from '../commands/commandTable';
import { CONFIG_SECTION, readConfig } from '../config';

interface ModelPickItem extends vscode.QuickPickItem {
  model?: ModelListing;
}

function sizeLabel(bytes: number | undefined): string {
  return bytes === undefined ? '' : `${(bytes / 1024 / 1024).toFixed(bytes > 100 * 1024 * 1024 ? 0 : 1)} MB`;
}

/** The manifest's description, and the trust-on-first-use warning where the user chooses a download. */
function modelDetail(m: ModelListing, downloading = true): string | undefined {
  const trust = downloading ? trustOnFirstUseNote(m) : undefined;
  const parts = [m.description ? labelText(m.description) : undefined, trust ? `$(warning) ${labelText(trust)}` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function settingKey(task: ModelListing['task']): 'encoderModel' | 'mlmModel' {
  return task === 'encoder' ? 'encoderModel' : 'mlmModel';
}

async function useModel(model: ModelListing): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(settingKey(model.task), model.id, target);
  void vscode.window.showInformationMessage(`Paper Atlas now uses ${model.id} as its ${model.task === 'encoder' ? 'encoder' : 'keyword model'}.`);
}

export async function downloadModel(ctx: AtlasContext, id?: string): Promise<ModelListing | undefined> {
  let listing: ModelListing | undefined;
  if (id) listing = listModels().find((m) => m.id === id);
  else {
    const choices = listModels().filter((m) => m.status === 'not installed');
    if (choices.length === 0) {
      void vscode.window.showInformationMessage('Paper Atlas: every model of the manifest is already installed.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick<ModelPickItem>(
      choices.map((m) => ({ label: labelText(m.id), description: labelText(`${m.task} · ${m.dims} dims · ${m.licence}`), detail: modelDetail(m), model: m })),
      { title: 'Paper Atlas: Download Model', placeHolder: 'Model to download from its pinned revision' },
    );
    listing = picked?.model;
  }
  if (!listing) return undefined;
  const model = listing;
  const abort = new AbortController();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${model.id}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        const result = await pullModel(model.id, {
          signal: abort.signal,
          onProgress: (p) => {
            const pct = p.total ? Math.floor((100 * p.done) / p.total) : 0;
            progress.report({ message: notificationText(`${p.file} (${p.fileIndex + 1}/${p.fileCount})${p.total ? ` — ${sizeLabel(p.done)} of ${sizeLabel(p.total)}` : ''}`), increment: Math.max(0, pct - last) });
            last = Math.max(last, pct);
          },
        });
        ctx.log.info(`downloaded ${model.id} into ${result.dir} (${sizeLabel(result.bytesFetched)} fetched)`);
      },
    );
  } catch (e) {
    const kind = e instanceof ModelDownloadError ? e.kind : undefined;
    if (kind === 'aborted') return undefined;
    ctx.log.error(`download of ${model.id} failed: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(notificationText(`Paper Atlas: could not download ${model.id} — ${errorMessage(e)}`), 'Show Log').then((c) => {
      if (c === 'Show Log') ctx.log.show();
    });
    return undefined;
  }
  const installed = listModels().find((m) => m.id === model.id) ?? model;
  const use = await vscode.window.showInformationMessage(`Paper Atlas: ${model.id} is installed.`, `Use ${model.id}`);
  if (use) await useModel(installed);
  return installed;
}

export async function selectModel(ctx: AtlasContext): Promise<void> {
  const config = readConfig();
  const models = listModels();
  const items: ModelPickItem[] = [];
  for (const task of ['encoder', 'mlm'] as const) {
    items.push({ label: task === 'encoder' ? 'Encoders (search, related work, map)' : 'Keyword models (hovers, heat-map)', kind: vscode.QuickPickItemKind.Separator });
    for (const m of models.filter((x) => x.task === task)) {
      const current = (task === 'encoder' ? config.encoderModel : config.mlmModel) === m.id;
      items.push({
        label: `${current ? '$(check) ' : ''}${labelText(m.id)}`,
        description: labelText([m.status, `${m.dims} dims`, sizeLabel(m.sizeBytes), m.licence].filter(Boolean).join(' · ')),
        // Only a model still to be downloaded is trusted on first use; an installed one was checked already.
        detail: modelDetail(m, m.status === 'not installed'),
        model: m,
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Paper Atlas: Select Model', placeHolder: `Encoder: ${config.encoderModel} · keyword model: ${config.mlmModel}` });
  const model = picked?.model;
  if (!model) return;
  if (model.status === 'not installed') {
    const trust = trustOnFirstUseNote(model);
    const answer = await vscode.window.showInformationMessage(notificationText(`${model.id} is not installed. Download it now?${trust ? ` ${trust}` : ''}`), 'Download');
    if (answer === 'Download') await downloadModel(ctx, model.id);
    return;
  }
  await useModel(model);
}

export function registerModelCommands(ctx: AtlasContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.selectModel.id, () => selectModel(ctx)),
    vscode.commands.registerCommand(Commands.downloadModel.id, (id?: unknown) => downloadModel(ctx, typeof id === 'string' ? id : undefined)),
  );
}
