/**
 * The Atlas panel's defences, without VS Code: the CSP as rendered into its HTML, the validation of
 * every message the webview sends, and the allow-list of files "go to source" may open.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sourceToOpen, type SourceCatalog } from '../../../src/host/commands/sourceAllowlist';
import { makeNonce, PANEL_RESOURCE_ROOTS, panelCsp, panelHtml } from '../../../src/host/panel/panelHtml';
import { checkPanelToHost, parsePanelToHost } from '../../../src/shared/panelProtocol';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

test('the panel CSP allows only the nonce script and the webview resource origin, and no network', () => {
  const nonce = makeNonce();
  const csp = directives(panelCsp(CSP_SOURCE, nonce));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  for (const d of ['style-src', 'font-src', 'img-src']) assert.deepEqual(csp.get(d), [CSP_SOURCE], d);
  for (const d of ['connect-src', 'base-uri', 'form-action']) assert.deepEqual(csp.get(d), ["'none'"], d);
  // Nothing else is allowed: every other fetch directive falls back to default-src 'none'.
  assert.deepEqual([...csp.keys()].sort(), ['base-uri', 'connect-src', 'default-src', 'font-src', 'form-action', 'img-src', 'script-src', 'style-src']);
  const all = [...csp.values()].flat();
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "'strict-dynamic'", 'data:', 'blob:', 'http:', 'https:', '*']) assert.ok(!all.includes(bad), bad);
});

test('nonces are fresh, long and CSP-safe; a bad nonce or cspSource is refused', () => {
  const a = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(a, makeNonce());
  assert.throws(() => panelCsp(CSP_SOURCE, 'short'));
  assert.throws(() => panelCsp(CSP_SOURCE, "abc'; script-src *"));
  assert.throws(() => panelCsp(`${CSP_SOURCE}; script-src 'unsafe-inline'`, a));
  assert.throws(() => panelCsp('', a));
});

test('the panel HTML carries the CSP first, one nonce script and no inline code or style', () => {
  const nonce = makeNonce();
  const html = panelHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/atlas.css',
    codiconsUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicons/codicon.css?a="b"',
  });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'a CSP meta element');
  assert.equal(meta[1], panelCsp(CSP_SOURCE, nonce));
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'), 'the policy precedes every resource');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![1]!, new RegExp(`nonce="${nonce}"`));
  assert.equal(scripts[0]![2], '', 'no inline script body');
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or event handler');
  assert.match(html, /codicon\.css\?a=&quot;b&quot;/, 'attribute values are escaped');
});

test('the panel may load only dist/ and media/ of the extension', () => {
  assert.deepEqual(
    PANEL_RESOURCE_ROOTS.map((p) => p.join('/')),
    ['dist', 'media'],
  );
});

test('well-formed panel messages pass validation', () => {
  assert.deepEqual(parsePanelToHost({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parsePanelToHost({ type: 'select', id: 'vaswani2017' }), { type: 'select', id: 'vaswani2017' });
  assert.deepEqual(parsePanelToHost({ type: 'action', action: 'goToSource', id: 'he2016' }), { type: 'action', action: 'goToSource', id: 'he2016' });
  assert.deepEqual(parsePanelToHost({ type: 'rendered', points: 22, width: 800, height: 600 }), { type: 'rendered', points: 22, width: 800, height: 600 });
  // Extra keys are not carried into what the host acts on.
  assert.deepEqual(parsePanelToHost({ type: 'select', id: 'x', path: '/etc/passwd' }), { type: 'select', id: 'x' });
});

test('unknown or malformed panel messages are dropped with a reason', () => {
  const bad: unknown[] = [
    undefined,
    null,
    'ready',
    42,
    ['ready'],
    {},
    { type: 'openFile', path: '/etc/passwd' },
    { type: 'action', action: 'openFile', id: 'x' },
    { type: 'action', action: 'goToSource' },
    { type: 'action', action: 'goToSource', id: '' },
    { type: 'action', action: 'goToSource', id: 'x'.repeat(513) },
    { type: 'action', action: 'goToSource', id: { toString: () => 'x' } },
    { type: 'select', id: 7 },
    { type: 'rendered', points: Number.NaN, width: 1, height: 1 },
    { type: 'rendered', points: 1, width: Number.POSITIVE_INFINITY, height: 1 },
    { type: 'rendered', points: -1, width: 1, height: 1 },
    { type: 'READY' },
  ];
  for (const data of bad) {
    assert.equal(parsePanelToHost(data), undefined, JSON.stringify(data) ?? String(data));
    const checked = checkPanelToHost(data);
    assert.ok(!checked.ok && checked.reason.length > 0 && checked.reason.length < 300, String(JSON.stringify(data)));
  }
  const r = checkPanelToHost({ type: 'x'.repeat(1000) });
  assert.ok(!r.ok && r.reason.length < 300, 'a long type is not copied into the log whole');
  const at = checkPanelToHost({ type: 'action', action: 'goToSource', id: 5 });
  assert.ok(!at.ok && /"action" message at id/.test(at.reason), !at.ok ? at.reason : '');
});

function catalog(papers: Record<string, { file: string; line: number }[]>): SourceCatalog {
  const files = new Set(Object.values(papers).flatMap((s) => s.map((x) => x.file)));
  return {
    get: (id) => (papers[id] ? { id, sources: papers[id] } : undefined),
    isSourceFile: (f) => files.has(f),
  };
}

test('go to source opens the source file of an indexed paper, at its line', () => {
  const c = catalog({ he2016: [{ file: '/ws/library.bib', line: 12 }] });
  assert.deepEqual(sourceToOpen('he2016', c), { ok: true, id: 'he2016', file: '/ws/library.bib', line: 12 });
  assert.deepEqual(sourceToOpen({ kind: 'paper', paper: { id: 'he2016' } }, c), { ok: true, id: 'he2016', file: '/ws/library.bib', line: 12 });
  const noLine = catalog({ x: [{ file: '/ws/notes.md', line: 0 }] });
  assert.equal((sourceToOpen('x', noLine) as { line: number }).line, 1);
});

test('go to source refuses paths, unknown ids, forged tree nodes and sources outside the index', () => {
  const c = catalog({ he2016: [{ file: '/ws/library.bib', line: 12 }] });
  for (const arg of ['/etc/passwd', '/ws/library.bib', '/ws/secrets.env', '../library.bib', 'file:///etc/passwd', '', undefined, null, 42, { path: '/etc/passwd' }, { kind: 'paper', paper: { id: '/etc/passwd' } }]) {
    const d = sourceToOpen(arg, c);
    assert.equal(d.ok, false, JSON.stringify(arg) ?? String(arg));
  }
  // A tree node's own `sources` are never read: only its id, looked up in the catalogue.
  const forged = { kind: 'paper', paper: { id: 'he2016', sources: [{ file: '/etc/passwd', line: 1 }] } };
  assert.deepEqual(sourceToOpen(forged, c), { ok: true, id: 'he2016', file: '/ws/library.bib', line: 12 });
  // A catalogue entry whose source is not a known source file (or not a normalised absolute path) is refused.
  const odd: SourceCatalog = { get: (id) => ({ id, sources: [{ file: '/etc/passwd', line: 1 }] }), isSourceFile: () => false };
  assert.equal(sourceToOpen('any', odd).ok, false);
  const relative: SourceCatalog = { get: (id) => ({ id, sources: [{ file: 'library.bib', line: 1 }] }), isSourceFile: () => true };
  assert.equal(sourceToOpen('any', relative).ok, false);
  const dotted: SourceCatalog = { get: (id) => ({ id, sources: [{ file: '/ws/../etc/passwd', line: 1 }] }), isSourceFile: () => true };
  assert.equal(sourceToOpen('any', dotted).ok, false);
  const none = catalog({ lonely: [] });
  assert.equal(sourceToOpen('lonely', none).ok, false);
});
