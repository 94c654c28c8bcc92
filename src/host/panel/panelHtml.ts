/**
 * The Atlas panel's HTML and its Content-Security-Policy, kept free of `vscode` so unit tests can
 * check the policy as it is rendered. The policy allows exactly what the panel needs and nothing
 * that reaches the network:
 * - scripts: only the bundle tagged with this render's nonce (no inline handlers, no eval);
 * - styles and fonts: only the extension's own files (media/atlas.css, dist/codicons) through the
 *   webview resource origin. @vscode-elements/elements (Lit) styles its components with constructable
 *   stylesheets (adoptedStyleSheets) and sets dynamic styles through the CSSOM (`.style`), neither of
 *   which CSP governs, so `style-src` needs no 'unsafe-inline' and no nonce;
 * - images: webview resources only (no data:, no remote hosts);
 * - connect/frame/worker/object/media: 'none' through default-src (connect-src spelled out too);
 * - base-uri and form-action, which default-src does not cover: 'none'.
 */
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64 without the characters that would need quoting in a CSP source. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** `cspSource` is `webview.cspSource`: the origin VS Code serves localResourceRoots from. */
export function panelCsp(cspSource: string, nonce: string): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(nonce)) throw new Error('panelCsp: the nonce must be at least 16 alphanumeric characters');
  // A source list cannot contain ';' or ',' (they would end the directive or the policy).
  if (cspSource.trim() === '' || /[;,"'<>]/.test(cspSource.replace(/'self'/g, ''))) throw new Error(`panelCsp: unexpected webview cspSource ${JSON.stringify(cspSource)}`);
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface PanelHtmlParts {
  cspSource: string;
  nonce: string;
  /** webview URIs (asWebviewUri) of dist/webview.js, media/atlas.css and dist/codicons/codicon.css */
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
}

export function panelHtml(p: PanelHtmlParts): string {
  // vscode-elements' icons find codicons by the link's id "vscode-codicon-stylesheet".
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(panelCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(p.codiconsUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${escapeAttr(p.styleUri)}">
<title>Atlas</title>
</head>
<body>
<div id="app"></div>
<script nonce="${p.nonce}" src="${escapeAttr(p.scriptUri)}"></script>
</body>
</html>`;
}

/**
 * localResourceRoots of the panel, relative to the extension folder. VS Code treats each root as a
 * folder (a resource must lie below it), so a single file cannot be a root: dist/ holds the webview
 * bundle and the codicons, media/ the stylesheet. Nothing of the workspace or the user's files.
 */
export const PANEL_RESOURCE_ROOTS: readonly (readonly string[])[] = [['dist'], ['media']];
