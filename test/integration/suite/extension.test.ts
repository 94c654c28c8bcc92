/**
 * Extension-host tests on the fixture workspace (test/fixtures/workspace): activation, indexing,
 * Problems, hovers, search, related work, the tree, the Atlas panel, the file watcher and recovery
 * from an engine crash. They run inside a real VS Code (code-server here, downloaded VS Code elsewhere).
 */
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/host/commands/commandTable';
import { readConfig } from '../../../src/host/config';
import type { PaperAtlasApi } from '../../../src/host/extension';
import type { IndexSummary } from '../../../src/shared/engineProtocol';
import { suite, test, waitFor } from './harness';

const EXTENSION_ID = 'paper-atlas.paper-atlas';
let api: PaperAtlasApi;

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

async function hoverText(file: string, needle: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder(), file)));
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} in ${file}`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset + 2));
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

suite('Paper Atlas', () => {
  test('activates within the time goal and returns its API', async () => {
    const ext = vscode.extensions.getExtension<PaperAtlasApi>(EXTENSION_ID);
    assert.ok(ext, 'extension is installed');
    api = ext.isActive ? ext.exports : await ext.activate();
    assert.ok(api, 'activate() returned the API');
    console.log(`    activation time: ${api.activationMs.toFixed(1)} ms`);
    assert.ok(api.activationMs < 500, `activation took ${api.activationMs} ms`);
  });

  test('registers every command of the table', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of Object.values(Commands)) assert.ok(all.has(c.id), c.id);
  });

  test('indexes the workspace library on first start', async () => {
    await waitFor('the first indexing run', () => (api.context.catalog.size >= 22 && api.context.indexing.state === 'ready') || undefined, 120_000);
    assert.ok(api.context.catalog.get('vaswani2017attention'), 'vaswani2017attention is indexed');
    assert.equal(api.context.indexing.state, 'ready');
    assert.ok(api.context.engine.info?.provider, 'the execution provider is known');
  }, 150_000);

  test('reports the malformed entry in Problems at its line', async () => {
    const uri = vscode.Uri.file(path.join(folder(), 'library.bib'));
    const diags = await waitFor('diagnostics for library.bib', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 ? d : undefined;
    });
    const broken = diags.find((d) => d.message.includes('broken2021'));
    assert.ok(broken, `a diagnostic names broken2021: ${diags.map((d) => d.message).join('; ')}`);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.match(doc.lineAt(broken.range.start.line).text, /broken2021/);
  });

  test('hovers on [@key], @key, [[@key]], \\cite{key}, DOIs and arXiv ids list related papers', async () => {
    for (const [file, needle] of [
      ['notes/retrieval.md', '@karpukhin2020dpr'],
      ['notes/retrieval.md', '@khattab2020colbert'],
      ['notes/retrieval.md', '@reimers2019sbert'],
      ['notes/retrieval.md', 'lewis2020rag}'],
      ['notes/retrieval.md', '10.18653/v1/2020.emnlp-main.550'],
      ['notes/retrieval.md', '2005.11401'],
    ] as const) {
      const text = await hoverText(file, needle);
      assert.match(text, /Related work/, `hover on ${needle}: ${text.slice(0, 200)}`);
      assert.match(text, /command:paperAtlas\.openInAtlas/, 'related papers are command links');
    }
    const retrieval = await hoverText('notes/retrieval.md', '@karpukhin2020dpr');
    assert.match(retrieval, /Dense Passage Retrieval/);
  });

  test('gives no hover for unknown keys or e-mail addresses', async () => {
    assert.doesNotMatch(await hoverText('notes/vision-and-rl.md', '@nobody1999'), /Related work/);
    assert.doesNotMatch(await hoverText('notes/language-models.md', '@example.org'), /Related work/);
  });

  test('hybrid search finds fixture papers', async () => {
    const client = await api.context.engine.get();
    const hits = await client.search({ query: 'dense passage retrieval for question answering', k: 5, mode: 'hybrid' });
    assert.ok(hits.some((h) => h.id === 'karpukhin2020dpr'), hits.map((h) => h.id).join(', '));
  });

  test('the Papers tree groups every paper', async () => {
    const groups = api.tree.getChildren();
    assert.ok(groups.length > 0, 'groups');
    const papers = groups.flatMap((g) => api.tree.getChildren(g));
    assert.equal(papers.length, api.context.catalog.size);
    const item = api.tree.getTreeItem(papers[0]!);
    assert.ok(typeof item.description === 'string' && item.description.includes('·'), `description ${String(item.description)}`);
    await vscode.commands.executeCommand(Commands.groupByYear.id);
    assert.ok(api.tree.getChildren().every((g) => g.kind === 'group' && /^(\d{4}|No year)$/.test(g.label)));
    await vscode.commands.executeCommand(Commands.groupByTopic.id);
  });

  test('go to source opens the entry line', async () => {
    await vscode.commands.executeCommand(Commands.goToSource.id, 'he2016resnet');
    const editor = await waitFor('an editor on library.bib', () => (vscode.window.activeTextEditor?.document.fileName.endsWith('library.bib') ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /he2016resnet/);
  });

  test('the Atlas panel draws every point', async () => {
    await vscode.commands.executeCommand(Commands.openAtlas.id);
    const rendered = await waitFor('the panel to report a rendered map', () => api.panel.lastRendered, 30_000);
    assert.equal(rendered.points, api.context.catalog.size);
    assert.ok(rendered.width > 100 && rendered.height > 100, `canvas ${rendered.width}×${rendered.height}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('the Atlas panel is served under the strict CSP', async () => {
    await vscode.commands.executeCommand(Commands.openAtlas.id);
    await waitFor('the panel to report a rendered map', () => api.panel.lastRendered, 30_000);
    const html = api.panel.lastHtml ?? '';
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'none'"], csp);
    assert.deepEqual(directives.get('connect-src'), ["'none'"], csp);
    const nonce = /<script nonce="([A-Za-z0-9]+)"/.exec(html)?.[1];
    assert.ok(nonce, 'the script carries a nonce');
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`], csp);
    assert.doesNotMatch(csp, /unsafe-|data:|\*(?!\.)|https?:(?!\/\/)/, csp);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('forged panel messages and path arguments never open a file that is not a paper source', async () => {
    const opened = (): string | undefined => vscode.window.activeTextEditor?.document.uri.fsPath;
    const notSource = path.join(folder(), 'not-a-library.txt');
    writeFileSync(notSource, 'a workspace file that no paper comes from\n');
    try {
      for (const id of ['/etc/passwd', notSource, path.join(folder(), 'library.bib'), '../../etc/passwd']) {
        assert.equal(await api.panel.receive({ type: 'action', action: 'goToSource', id }), 'refused', id);
        await vscode.commands.executeCommand(Commands.goToSource.id, id);
        await vscode.commands.executeCommand(Commands.goToSource.id, { kind: 'paper', paper: { id, sources: [{ file: id, line: 1 }] } });
        assert.notEqual(opened(), '/etc/passwd');
        assert.notEqual(opened(), notSource);
      }
      for (const forged of [{ type: 'openFile', path: '/etc/passwd' }, { type: 'action', action: 'open', id: '/etc/passwd' }, { type: 'action', action: 'goToSource', id: 42 }, 'goToSource', null]) {
        assert.equal(await api.panel.receive(forged), 'dropped', JSON.stringify(forged));
      }
      assert.notEqual(opened(), '/etc/passwd');
      // The same path with a real paper id does open the paper's source.
      assert.equal(await api.panel.receive({ type: 'action', action: 'goToSource', id: 'he2016resnet' }), 'handled');
      await waitFor('an editor on library.bib', () => opened()?.endsWith('library.bib') || undefined);
    } finally {
      rmSync(notSource, { force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test('re-indexes a library file that changes', async () => {
    const file = path.join(folder(), 'added.bib');
    writeFileSync(file, '@article{added2024,\n  title = {A Freshly Added Paper on Graph Neural Networks},\n  author = {Ada Lovelace},\n  year = {2024},\n  abstract = {Message passing over graphs.}\n}\n');
    try {
      await waitFor('the watcher to index added.bib', () => api.context.catalog.get('added2024'), 30_000);
    } finally {
      rmSync(file, { force: true });
    }
    await waitFor('the watcher to drop added.bib', () => (api.context.catalog.get('added2024') ? undefined : true), 30_000);
  });

  test('a long indexing run can be cancelled', async () => {
    await api.context.indexing.whenIdle();
    const file = path.join(folder(), 'big.bib');
    const topics = ['graph neural networks', 'speech recognition', 'protein folding', 'robot grasping', 'causal inference'];
    const entries = Array.from({ length: 3000 }, (_, i) => {
      const t = topics[i % topics.length]!;
      return `@article{big${i},\n  title = {Study ${i} of ${t}},\n  author = {Ann Author${i}},\n  year = {${2000 + (i % 24)}},\n  abstract = {We investigate ${t} with method number ${i} and report results on benchmark ${i % 17}.}\n}`;
    });
    writeFileSync(file, entries.join('\n\n'));
    let embedding = false;
    const sub = api.context.engine.onProgress((p) => {
      if (p.phase === 'embedding' && p.done > 0) embedding = true;
    });
    const before = api.context.catalog.size;
    try {
      const run = api.context.indexing.index('cancellation test');
      await waitFor('the embedding phase', () => embedding || undefined, 60_000, 20);
      api.context.indexing.cancel();
      assert.equal(await run, undefined, 'a cancelled run has no summary');
      assert.notEqual(api.context.indexing.state, 'error');
      // The next run finishes what the cancelled one started (it resumes from the rows already written).
      const resumed = await api.context.indexing.index('after the cancellation');
      assert.ok(resumed && resumed.papers >= before + 3000, `resumed run: ${JSON.stringify(resumed)}`);
    } finally {
      sub.dispose();
      rmSync(file, { force: true });
    }
    await api.context.indexing.whenIdle();
    await api.context.indexing.index('big.bib removed');
    assert.equal(api.context.catalog.get('big1'), undefined, 'the removed file left no papers behind');
    assert.equal(api.context.catalog.size, before);
  }, 120_000);

  test('settings are read through Config with the defaults of package.json', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
    const props = manifest.contributes.configuration.properties;
    const config = readConfig();
    assert.deepEqual(config.include, props['paperAtlas.include']?.default);
    assert.deepEqual(config.exclude, props['paperAtlas.exclude']?.default);
    assert.equal(config.batchSize, props['paperAtlas.batchSize']?.default);
    assert.equal(config.clusterCount, props['paperAtlas.clusterCount']?.default);
    assert.equal(config.hoversEnabled, true);
    assert.equal(config.citationLatexCommand, props['paperAtlas.citations.latexCommand']?.default);
    assert.equal(config.citationChecks, props['paperAtlas.citations.checks.enabled']?.default);
    assert.equal(config.citationUnusedEntries, props['paperAtlas.citations.checks.unusedEntries']?.default);
  });

  test('Rebuild Index clears the index and embeds everything again', async () => {
    const before = api.context.catalog.size;
    // A save just before the rebuild: its watcher run must not slip in between the clear and the
    // rebuild's own run (it did under load: the rebuild's run then found nothing to embed).
    const bib = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'more.bib');
    const text = Buffer.from(await vscode.workspace.fs.readFile(bib)).toString('utf8');
    await vscode.workspace.fs.writeFile(bib, Buffer.from(`${text}\n`));
    // The command answers with the rebuild's own run.
    const summary = await vscode.commands.executeCommand<IndexSummary | undefined>(Commands.rebuildIndex.id);
    assert.equal(summary?.added, before, 'every paper was embedded again');
    await api.context.indexing.whenIdle();
    assert.equal(api.context.catalog.size, before);
    await vscode.workspace.fs.writeFile(bib, Buffer.from(text));
    await api.context.indexing.whenIdle();
  }, 150_000);

  test('a missing model puts Paper Atlas in an error state without retrying on every hover', async () => {
    const config = vscode.workspace.getConfiguration('paperAtlas');
    const original = config.inspect<string>('encoderModel')?.workspaceValue;
    await config.update('encoderModel', 'no-such-model', vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the error state', () => (api.context.indexing.state === 'error' && api.context.engine.state === 'error') || undefined, 30_000);
      assert.match(api.context.engine.lastError ?? '', /no-such-model/);
      const started = Date.now();
      await assert.rejects(api.context.engine.get(), /could not open/);
      assert.ok(Date.now() - started < 200, 'a failed open is remembered, not retried per request');
    } finally {
      await config.update('encoderModel', original, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('recovery after the model setting is restored', () => (api.context.indexing.state === 'ready' && api.context.catalog.size > 0) || undefined, 60_000);
  }, 120_000);

  // The engine is a child process: a native crash (SIGSEGV, an abort) or a kill ends it alone. Each is
  // sent while a request is in flight; the extension host must live on, report the crash once with
  // its signal, and the next request must start a fresh engine and answer.
  for (const signal of ['SIGKILL', 'SIGSEGV'] as const) {
    test(`an engine killed by ${signal} mid-request: the host survives, the crash is reported once, the next request works`, async () => {
      await api.context.indexing.whenIdle();
      // A second crash in a row restarts after the back-off (2 s): wait for the engine to be up.
      const client = await waitFor('a running engine', () => api.context.engine.get().catch(() => undefined), 30_000);
      const pid = client.pid;
      assert.ok(pid !== undefined && pid !== process.pid, 'the engine runs in a process of its own');
      const crashes: string[] = [];
      const sub = api.context.engine.onDidCrash((reason) => crashes.push(reason));
      try {
        const inFlight = client.keywords({ text: 'Dense passage retrieval for open-domain question answering. '.repeat(200), k: 10 });
        process.kill(pid!, signal);
        await assert.rejects(inFlight, (e: Error) => e.name === 'EngineStoppedError' && e.message.includes(`killed by ${signal}`));
        await waitFor('the crash report', () => (crashes.length > 0 ? true : undefined), 10_000);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(crashes, [`killed by ${signal}`], 'reported once, with the signal');
        assert.equal(api.context.engine.state, 'error');
        assert.match(api.context.engine.lastError ?? '', new RegExp(`killed by ${signal}`));
        // Hovers keep answering (during a back-off from the catalogue alone).
        const started = Date.now();
        assert.match(await hoverText('notes/retrieval.md', '@karpukhin2020dpr'), /Dense Passage Retrieval/);
        assert.ok(Date.now() - started < 15_000, `the hover took ${Date.now() - started} ms`);
        const fresh = await waitFor('a fresh engine', () => api.context.engine.get().catch(() => undefined), 30_000);
        assert.notEqual(fresh.pid, pid);
        const hits = await fresh.search({ query: 'residual networks', k: 3 });
        assert.ok(hits.length > 0);
      } finally {
        sub.dispose();
      }
    }, 90_000);
  }

  test('a request to an engine that has died ends with an error instead of waiting', async () => {
    const client = await api.context.engine.get();
    process.kill(client.pid!, 'SIGKILL');
    await waitFor('the crash to be noticed', () => !client.alive || undefined, 10_000);
    const started = Date.now();
    await assert.rejects(client.search({ query: 'residual networks', k: 3 }));
    assert.ok(Date.now() - started < 2000, 'the dead client answered at once');
    // Two crashes in a row: the second restart waits (back-off), and says so instead of hanging.
    await assert.rejects(api.context.engine.get(), /restarts in \d+ s/);
    api.context.engine.restart();
    await waitFor('the engine after Restart Engine', async () => ((await api.context.engine.get()).alive ? true : undefined), 60_000);
    await api.context.indexing.whenIdle();
    assert.equal(api.context.indexing.state, 'ready');
  }, 90_000);
});
