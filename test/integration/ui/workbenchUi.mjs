// UI tests: drive the code-server workbench with playwright-core like a user would, and take the
// screenshots of the README (tree, palette search, hover, Atlas panel dark and light). Each step
// checks what a user would see; a screenshot that is nearly blank fails its step.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Process id of this checkout's newest engine process (dist/engine.js forked with --paper-atlas-engine):
 * the UI window's. An earlier window's extension host (the host tests) may still run with its own.
 */
function newestEnginePid() {
  const engine = path.join(root, 'dist', 'engine.js');
  let newest;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.includes(engine) || !args.includes('--paper-atlas-engine')) continue;
      // Fields after the command name: state is the 1st, the start time (clock ticks since boot) the 20th.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (fields[0] === 'Z') continue;
      const started = Number(fields[19]);
      if (!newest || started > newest.started) newest = { pid: Number(entry), started };
    } catch {
      // the process ended while we looked
    }
  }
  return newest?.pid;
}

// Slow, shared machines load the workbench in ~30 s: PAPER_ATLAS_UI_TIMEOUT_MS raises every wait.
const DEFAULT_TIMEOUT = Number(process.env.PAPER_ATLAS_UI_TIMEOUT_MS) || 30_000;

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A quick-pick row whose label is exactly `label` (not merely containing it). */
export function pickRow(page, label) {
  return page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }) })
    .first();
}

async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  // The palette can open and close again at once (focus still in a webview that is being restored,
  // a dialog closing): its input is then inert or hidden. Open it again rather than wait 30 s.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  const row = pickRow(page, title);
  await row.waitFor();
  await row.click();
}

/** Screenshot that fails when the picture is (nearly) one colour. */
export async function shot(page, file, clip) {
  const buf = await page.screenshot({ path: file, ...(clip ? { clip } : {}) });
  if (buf.length < 15_000) throw new Error(`${path.basename(file)} looks blank (${buf.length} bytes)`);
  return buf.length;
}

async function webviewFrame(page, selector, timeoutMs = DEFAULT_TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        // frame navigating
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview frame with ${selector}`);
}

export async function mouseOverText(page, text) {
  const box = await page.evaluate((needle) => {
    const root = document.querySelector('.monaco-editor .view-lines');
    if (!root) return undefined;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.indexOf(needle);
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i + 1);
      r.setEnd(n, i + Math.min(needle.length, 6));
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    return undefined;
  }, text);
  if (!box) throw new Error(`"${text}" is not visible in the editor`);
  await page.mouse.move(box.x - 40, box.y + 30);
  await page.mouse.move(box.x, box.y, { steps: 4 });
  return box;
}

/** Where the editor's (first) cursor is drawn, or undefined when none is visible. */
function cursorBox(page) {
  return page.evaluate(() => {
    const c = document.querySelector('.monaco-editor.focused .cursors-layer .cursor');
    if (!c) return undefined;
    const b = c.getBoundingClientRect();
    return b.height > 0 ? { x: b.x, y: b.y + b.height / 2 } : undefined;
  });
}

/**
 * Clicks into the text and checks that the editor's cursor landed there. A click right after a file
 * opens can miss (CI once left the cursor at Ln 1, Col 1 while the editor was still settling), so it
 * is tried again; failing that, the error says so instead of blaming the hover.
 */
export async function placeCursorOn(page, text) {
  for (let attempt = 1; ; attempt++) {
    const box = await mouseOverText(page, text);
    await page.mouse.down();
    await page.mouse.up();
    const cursor = await cursorBox(page);
    if (cursor && Math.abs(cursor.y - box.y) < 8 && Math.abs(cursor.x - box.x) < 60) return;
    if (attempt === 5) throw new Error(`a click on "${text}" did not put the cursor there (cursor at ${cursor ? `${cursor.x.toFixed(0)},${cursor.y.toFixed(0)}` : 'none'}, text at ${box.x.toFixed(0)},${box.y.toFixed(0)})`);
    await page.waitForTimeout(300);
  }
}

/**
 * Puts the cursor on the key, then times (in the page) from the Enter that runs "Show or Focus Hover"
 * in the command palette to a visible hover with the paper's title and related work. (Ctrl+K Ctrl+I
 * did not reach the editor in headless code-server.) Closing the palette is inside the figure.
 */
export async function timedHover(page, key, title) {
  await page.keyboard.press('Escape');
  await placeCursorOn(page, key);
  await page.mouse.move(5, 400); // no mouse hover: the keyboard one is timed
  await page.keyboard.press('Escape');
  await page.waitForTimeout(150);
  await page.evaluate((needle) => {
    const visible = (el) => !el.classList.contains('hidden') && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const shown = () => [...document.querySelectorAll('.monaco-hover')].some((el) => visible(el) && el.textContent.includes(needle) && el.textContent.includes('Related work'));
    window.__atlasHoverMs = new Promise((resolve, reject) => {
      if (shown()) return reject(new Error('a hover was already showing'));
      let start;
      const onKey = (e) => {
        if (e.key === 'Enter' && start === undefined) start = performance.now();
      };
      document.addEventListener('keydown', onKey, true);
      const done = (v) => {
        observer.disconnect();
        document.removeEventListener('keydown', onKey, true);
        clearTimeout(timer);
        resolve(v);
      };
      const observer = new MutationObserver(() => {
        if (start !== undefined && shown()) done(performance.now() - start);
      });
      observer.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
      const timer = setTimeout(() => done(undefined), 5000);
    });
  }, title);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Show or Focus Hover');
  await pickRow(page, 'Show or Focus Hover').waitFor();
  await page.keyboard.press('Enter');
  const ms = await page.evaluate(() => window.__atlasHoverMs);
  if (ms === undefined) throw new Error(`no hover with "${title}" and related work within 5 s of Show Hover on ${key}`);
  return ms;
}

/** Picks a colour theme the way a user does (Preferences: Color Theme), so the workbench applies it at once. */
async function setTheme(page, theme) {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(theme);
  const row = pickRow(page, theme);
  await row.waitFor();
  await row.click();
}

export async function runUiTests({ browser, url, emptyUrl, shots, otherFields, log }) {
  const results = [];
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(DEFAULT_TIMEOUT);
  // PAPER_ATLAS_UI_ONLY (a regular expression) runs only the steps whose names match it.
  const only = process.env.PAPER_ATLAS_UI_ONLY ? new RegExp(process.env.PAPER_ATLAS_UI_ONLY, 'i') : undefined;
  const step = async (name, fn) => {
    if (only && !only.test(name)) return;
    const started = Date.now();
    try {
      await fn();
      results.push({ name, ok: true });
      log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      results.push({ name, ok: false, error: e instanceof Error ? e.message : String(e) });
      log(`  ✘ ${name}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
      await page.screenshot({ path: path.join(shots, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    }
  };
  // The Atlas webview runs under a strict CSP: any refusal (inline style, eval, remote load) is a bug.
  const cspViolations = [];
  page.on('console', (m) => {
    const t = m.text();
    if (/Content.Security.Policy|Refused to (load|apply|execute|evaluate|connect)/i.test(t) && /webview|atlas|vscode-resource|vscode-cdn/i.test(`${t} ${m.location()?.url ?? ''}`)) cspViolations.push(t.slice(0, 300));
  });
  const uiStarted = Date.now();
  if (emptyUrl) {
    await step('welcome view when nothing is indexed (activation on opening the view)', async () => {
      await page.goto(emptyUrl);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar .action-item a[aria-label^="Paper Atlas"], .activitybar .action-item[aria-label^="Paper Atlas"]').first().click();
      await page.locator('.part.sidebar .welcome-view-content', { hasText: 'No papers indexed yet' }).waitFor({ timeout: 60_000 });
      await page.locator('.part.sidebar .welcome-view-content a, .part.sidebar .welcome-view-content .monaco-button', { hasText: 'Update Index' }).first().waitFor();
      await shot(page, path.join(shots, 'welcome.png'));
    });
  }
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  await step('status bar shows the paper count', async () => {
    await page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ papers/ }).first().waitFor({ timeout: 90_000 });
  });

  await step('Papers tree shows groups and papers', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Paper Atlas"], .activitybar .action-item[aria-label^="Paper Atlas"]').first().click();
    const rows = page.locator('.part.sidebar .monaco-list-row');
    await rows.first().waitFor();
    // Widen the side bar (drag its sash) so titles and descriptions are readable in the screenshot.
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const x = sidebar.x + sidebar.width + 1;
      await page.mouse.move(x, sidebar.y + 300);
      await page.mouse.down();
      await page.mouse.move(x + 300, sidebar.y + 300, { steps: 8 });
      await page.mouse.up();
    }
    const groupLabel = await rows.first().innerText();
    await rows.first().click();
    await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').first().waitFor();
    const count = await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').count();
    if (count < 2) throw new Error(`expanded group "${groupLabel}" shows ${count} papers`);
    // Open a second group too, then show one paper's tooltip (title, authors, year, abstract start).
    const second = page.locator('.part.sidebar .monaco-list-row[aria-level="1"]').nth(1);
    if (await second.count()) await second.click();
    await page.waitForTimeout(300);
    await page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').nth(2).hover();
    await page.waitForTimeout(1500);
    await shot(page, path.join(shots, 'tree.png'));
  });

  await step('palette search returns fixture papers', async () => {
    await runCommand(page, 'Paper Atlas: Search Papers…');
    await page.locator('.quick-input-widget input').fill('dense retrieval for question answering');
    // Titles carry invisible word joiners (see engineOrderLabel.ts): find the row by its key.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'karpukhin2020dpr' }).first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'search.png'));
    await page.keyboard.press('Escape');
  });

  // VS Code's QuickPick moves items whose label contains the typed text to the top. For "transformer"
  // the engine ranks "Attention Is All You Need" (no such label) above BERT's "…Bidirectional
  // Transformers…" (one), so the rows must keep the engine's order: the scores the engine gave, in its
  // descending order. (The query must be one the engine ranks that way; the check below says so if not.)
  await step('Search Papers… shows the engine ranking unchanged', async () => {
    const query = 'transformer';
    await runCommand(page, 'Paper Atlas: Search Papers…');
    await page.locator('.quick-input-widget input').fill(query);
    const rowsLocator = page.locator('.quick-input-list .monaco-list-row');
    await rowsLocator.nth(4).waitFor();
    await page.waitForTimeout(500); // the debounced search may still replace the items once
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('.quick-input-list .monaco-list-row')]
        .map((r) => ({ index: Number(r.getAttribute('data-index')), label: (r.querySelector('.label-name')?.textContent ?? '').replace(/\u2060/g, ''), text: r.textContent ?? '' }))
        .sort((a, b) => a.index - b.index),
    );
    const shown = rows.map((r) => ({ title: r.label.trim(), score: Number(/score (\d+(?:\.\d+)?)/.exec(r.text)?.[1]) }));
    if (shown.length < 5 || shown.some((r) => !Number.isFinite(r.score))) throw new Error(`rows: ${JSON.stringify(shown)}`);
    const engineOrder = [...shown].sort((a, b) => b.score - a.score);
    const titles = (xs) => xs.map((r) => `${r.score.toFixed(3)} ${r.title}`).join(' | ');
    if (titles(shown) !== titles(engineOrder)) throw new Error(`shown order differs from the engine ranking:\n  shown:  ${titles(shown)}\n  engine: ${titles(engineOrder)}`);
    // The query must be one VS Code would re-sort: a label containing it below one that does not.
    const contains = shown.map((r) => r.title.toLowerCase().includes(query));
    if (!contains.some((c, i) => c && contains.slice(0, i).some((d) => !d))) throw new Error(`"${query}" does not exercise the re-sort: ${titles(shown)}`);
    await shot(page, path.join(shots, 'search-order.png'));
    await page.keyboard.press('Escape');
  });

  await step('hover on a citation key lists related papers', async () => {
    await page.keyboard.press('Control+B'); // hide the side bar: room for the editor (and later the map)
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('retrieval.md');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'retrieval.md' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'karpukhin2020dpr' }).waitFor();
    await mouseOverText(page, 'karpukhin2020dpr');
    const hover = page.locator('.monaco-hover', { hasText: 'Related work' });
    await hover.first().waitFor({ timeout: 15_000 });
    const text = await hover.first().innerText();
    if (!text.includes('Dense Passage Retrieval')) throw new Error(`hover text: ${text.slice(0, 200)}`);
    // The hover must list related papers, not only say that it could not get them.
    if (/not available/.test(text) || !/Related work\s*\n+\s*\S/.test(text)) throw new Error(`hover has no related papers: ${text.slice(0, 400)}`);
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'hover.png'));
    await page.mouse.move(5, 400);
  });

  // Issue 18: hover p95 ≤ 100 ms warm. The fixture workspace has 22 papers, so this number says what
  // VS Code, the extension host and the engine process add end to end; the 10k and 75k figures come
  // from `npm run bench -- --only latency`. It fails only above 3× the goal (300 ms), so a loaded
  // machine does not make it flake, and prints what it measured either way.
  await step('hover latency on citation keys, warm (goal p95 ≤ 100 ms; fails above 300 ms)', async () => {
    const keys = [
      ['karpukhin2020dpr', 'Dense Passage Retrieval'],
      ['robertson2009bm25', 'Probabilistic Relevance Framework'],
      ['khattab2020colbert', 'Efficient and Effective Passage Search'],
      ['reimers2019sbert', 'Sentence Embeddings using Siamese'],
      ['lewis2020rag', 'Retrieval-Augmented Generation'],
    ];
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('retrieval.md');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'retrieval.md' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'karpukhin2020dpr' }).waitFor();
    await page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ papers/ }).first().waitFor({ timeout: 90_000 });
    // The first hover of each key (its related list and keywords not yet cached) is not a warm sample.
    const first = [];
    for (const [key, title] of keys) first.push(await timedHover(page, key, title));
    const warm = [];
    for (let round = 0; round < 4; round++) for (const [key, title] of keys) warm.push(await timedHover(page, key, title));
    const sorted = [...warm].sort((a, b) => a - b);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    log(`    hover latency (22-paper fixture, real VS Code): first hover per key ${first.map((v) => v.toFixed(0)).join(', ')} ms; warm p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms over ${warm.length} hovers`);
    if (pct(95) > 300) throw new Error(`hover p95 warm ${pct(95).toFixed(0)} ms is above 3× the 100 ms goal`);
    await page.keyboard.press('Escape');
  });

  await step('Show Related Work on the citation under the cursor', async () => {
    await page.keyboard.press('Escape');
    await placeCursorOn(page, 'karpukhin2020dpr');
    await runCommand(page, 'Paper Atlas: Show Related Work');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Related to Dense Passage Retrieval' }).waitFor();
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor();
    const first = await rows.first().innerText();
    if (first.includes('Dense Passage Retrieval for Open-Domain')) throw new Error('related work lists the paper itself first');
    await page.keyboard.press('Escape');
  });

  // Cursor in the prose of a paragraph with four citations: the keys must not be highlighted, the
  // keyword list must stay readable after the paragraph.
  await step('Show Keyword Highlights skips citations and shows the keyword list', async () => {
    await page.keyboard.press('Escape');
    await placeCursorOn(page, 'ColBERT');
    await runCommand(page, 'Paper Atlas: Show Keyword Highlights');
    const deadline = Date.now() + 30_000;
    let found;
    while (Date.now() < deadline) {
      found = await page.evaluate(() => {
        const summary = [...document.querySelectorAll('.monaco-editor .view-lines span')]
          .map((e) => getComputedStyle(e, '::after').content)
          .find((c) => c && c.includes('keywords:'));
        const marks = [...document.querySelectorAll('.monaco-editor .view-overlays [class*="ced-"]')].map((e) => e.getBoundingClientRect());
        // Where the citation keys are drawn.
        const keys = [];
        const root = document.querySelector('.monaco-editor .view-lines');
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          for (const key of ['khattab2020colbert', 'reimers2019sbert', 'lewis2020rag']) {
            const i = n.textContent.indexOf(key);
            if (i < 0) continue;
            const r = document.createRange();
            r.setStart(n, i);
            r.setEnd(n, i + key.length);
            const b = r.getBoundingClientRect();
            keys.push({ key, left: b.left, right: b.right, top: b.top, bottom: b.bottom });
          }
        }
        const overlapping = keys.filter((k) => marks.some((m) => m.left < k.right - 1 && m.right > k.left + 1 && m.top < k.bottom - 1 && m.bottom > k.top + 1)).map((k) => k.key);
        return { summary, marks: marks.length, keys: keys.length, overlapping };
      });
      if (found.summary && found.marks > 0) break;
      await page.waitForTimeout(300);
    }
    if (!found?.summary) throw new Error(`no keyword list after the paragraph: ${JSON.stringify(found)}`);
    if (found.keys === 0) throw new Error('the citation keys are not visible');
    if (found.overlapping.length > 0) throw new Error(`citation keys highlighted: ${found.overlapping.join(', ')}`);
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'keyword-highlights.png'));
  });

  // Completion after \cite{ in a sentence about diffusion: the diffusion papers come first, each
  // with authors · year, and the reason ("shared: …") in the details pane.
  await step('citation completion lists the papers of the sentence first', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('draft.tex');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'draft.tex' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'cheaper' }).waitFor();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':6');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft'); // between the braces of \cite{}
    const rows = page.locator('.suggest-widget .monaco-list-row');
    // Ask again if the widget does not come: a key press can land while the editor is still taking
    // the focus back from the palette (seen once after the hover-latency step).
    // The later attempts go through the palette's "Trigger Suggest": in one fresh-clone run Ctrl+Space
    // reached the editor (the cursor was between the braces) three times and no widget came.
    for (let attempt = 1; ; attempt++) {
      if (attempt === 1) await page.keyboard.press('Control+Space');
      else await runCommand(page, 'Trigger Suggest');
      try {
        await rows.first().waitFor({ timeout: 8_000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    // The details pane (documentation with the abstract) opens with a second Ctrl+Space when closed.
    if (!(await page.locator('.suggest-details-container .suggest-details').isVisible().catch(() => false))) await page.keyboard.press('Control+Space');
    await page.waitForTimeout(500);
    const labels = await rows.evaluateAll((els) => els.sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'))).map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
    const top = labels.slice(0, 2).join(' | ');
    if (!/ho2020ddpm/.test(top) || !/rombach2022ldm/.test(top)) throw new Error(`the first two items are not the diffusion papers: ${labels.slice(0, 5).join(' | ')}`);
    await shot(page, path.join(shots, 'citation-completion.png'));
    await page.keyboard.press('Escape');
  });

  await step('an unknown citation key is a problem with a quick fix', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Home'); // scroll back to the lines' start
    await page.locator('.monaco-editor .view-lines', { hasText: 'vaswani2017atention' }).waitFor();
    await mouseOverText(page, 'vaswani2017atention');
    const hover = page.locator('.monaco-hover', { hasText: 'is not in the library' });
    await hover.first().waitFor({ timeout: 20_000 });
    await page.mouse.down();
    await page.mouse.up();
    // Ctrl+. pressed while the hover still holds focus can open nothing (seen once on a loaded machine):
    // the hover is closed first, and the key tried again if no widget comes.
    await page.keyboard.press('Escape');
    const fix = page.locator('.action-widget', { hasText: 'Change to "vaswani2017attention"' });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await fix.first().waitFor({ timeout: 7000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'citation-quick-fix.png'));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'is not in the library' }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'citation-problems.png'));
    await page.keyboard.press('Control+J'); // close the panel again
  });

  let frame;
  await step('Atlas panel draws the map and shows a selected paper', async () => {
    // Run alone (PAPER_ATLAS_UI_ONLY), the commands may not be in the palette yet: wait for the paper count.
    await page.locator('.statusbar-item', { hasText: /\d+ papers/ }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Paper Atlas: Open Atlas');
    frame = await webviewFrame(page, 'canvas#atlas-map');
    const deadline = Date.now() + DEFAULT_TIMEOUT;
    let drawn = { colours: 0 };
    while (Date.now() < deadline) {
      drawn = await frame.evaluate(() => {
        const c = document.querySelector('canvas#atlas-map');
        if (!c || c.width === 0) return { colours: 0, width: c?.width ?? -1 };
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 4) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return { colours: colours.size, width: c.width, height: c.height };
      });
      if (drawn.colours > 8) break;
      await page.waitForTimeout(250);
    }
    if (drawn.colours <= 8) throw new Error(`the map canvas looks blank: ${JSON.stringify(drawn)} (frame ${frame.url()})`);
    await frame.locator('#filter').click();
    await page.keyboard.type('retrieval');
    await frame.locator('.match').first().waitFor();
    await frame.locator('.match', { hasText: 'Dense Passage' }).first().click();
    await frame.locator('#paper-title', { hasText: 'Dense Passage Retrieval' }).waitFor();
    await frame.locator('.related-item').first().waitFor();
    const abstract = (await frame.locator('.abstract').first().innerText()).trim();
    if (abstract.startsWith('Dense Passage Retrieval')) throw new Error(`the abstract repeats the title: ${abstract.slice(0, 80)}`);
    // A new selection starts at its title even when the side pane was scrolled down.
    await frame.evaluate(() => {
      const side = document.querySelector('aside.side');
      side.style.maxHeight = '300px'; // make sure it can scroll in a tall window
      side.scrollTop = side.scrollHeight;
    });
    await frame.locator('.related-item').first().click();
    await frame.waitForFunction(() => !document.querySelector('#paper-title')?.textContent?.includes('Dense Passage Retrieval'));
    const scrollTop = await frame.evaluate(() => document.querySelector('aside.side').scrollTop);
    await frame.evaluate(() => (document.querySelector('aside.side').style.maxHeight = ''));
    if (scrollTop !== 0) throw new Error(`the side pane kept the old scroll position (${scrollTop})`);
    await frame.locator('#filter').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('retrieval');
    await frame.locator('.match', { hasText: 'Dense Passage' }).first().click();
    await frame.locator('#paper-title', { hasText: 'Dense Passage Retrieval' }).waitFor();
    // The heat-map may follow the pane in a second message: it must arrive and replace "Scoring keywords…".
    await frame.locator('.abstract mark.heat').first().waitFor({ timeout: 30_000 });
    if ((await frame.locator('.side .pending').count()) > 0) throw new Error('the side pane still says "Scoring keywords…" after its heat-map arrived');
    // Clear the filter again so the screenshot shows every cluster in colour around the selection.
    await frame.locator('#filter').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await frame.locator('#match-count', { hasText: /^[\d,]+ papers$/ }).waitFor();
    await page.mouse.move(700, 600);
    await page.waitForTimeout(500);
    await shot(page, path.join(shots, 'atlas-dark.png'));
    // Issue 18's side pane, timed in the page from the click on a related paper to the pane's DOM: shown = the
    // new title with its related work, complete = "Scoring keywords…" gone (the heat-map is in). Printed, not judged.
    const shown = [];
    const complete = [];
    for (let i = 0; i < 8; i++) {
      const timed = await frame.evaluate(
        (nth) =>
          new Promise((resolve) => {
            const side = document.querySelector('aside.side');
            const old = document.querySelector('#paper-title')?.textContent;
            const t0 = performance.now();
            let shownMs;
            const done = (completeMs) => {
              observer.disconnect();
              resolve({ shownMs, completeMs });
            };
            const observer = new MutationObserver(() => {
              if (shownMs === undefined && document.querySelector('#paper-title')?.textContent !== old && document.querySelector('.related-item')) shownMs = performance.now() - t0;
              if (shownMs !== undefined && !side.querySelector('.pending')) done(performance.now() - t0);
            });
            observer.observe(side, { childList: true, subtree: true });
            setTimeout(() => done(undefined), 30_000);
            document.querySelectorAll('.related-item')[nth].click();
          }),
        i % 3,
      );
      if (timed.shownMs === undefined || timed.completeMs === undefined) throw new Error(`side pane after a click on related paper ${i % 3}: ${JSON.stringify(timed)} within 30 s`);
      shown.push(Math.round(timed.shownMs));
      complete.push(Math.round(timed.completeMs));
    }
    const figures = (v) => v.map(String).join(', ');
    log(`    Atlas selection → side pane (22-paper fixture, real VS Code): shown ${figures(shown)} ms; complete with the heat-map ${figures(complete)} ms`);
  });

  // Three abstracts of different fields (machine learning from the fixture; psychiatry and astrophysics
  // from ../shared/data, see otherFields.mjs), each in another theme: the heat-map tints only content
  // words (at most ~15% of the words) and the chips are whole, distinct phrases.
  await step('Keyphrases: heat-map and chips on three abstracts, dark, light and high-contrast', async () => {
    if (!frame) {
      // Run alone (PAPER_ATLAS_UI_ONLY), this step can come before the extension's commands are in
      // the palette: wait for the status bar's paper count first.
      await page.locator('.statusbar-item', { hasText: /\d+ papers/ }).first().waitFor({ timeout: 60_000 });
      await runCommand(page, 'Paper Atlas: Open Atlas');
      frame = await webviewFrame(page, 'canvas#atlas-map');
    }
    const never = new Set(['the', 'a', 'an', 'of', 'and', 'or', 'but', 'we', 'is', 'are', 'to', 'in', 'on', 'for', 'with', 'by', 'this', 'that', 'which', 'also', 'however', 'besides', 'eventually', 'significantly', 'very']);
    const cases = [['retrieval', 'Dense Passage Retrieval', 'Dark Modern', 'keyphrases-retrieval-dark.png']];
    const [psychiatry, astrophysics] = otherFields ?? [];
    if (psychiatry && astrophysics) {
      // The filter is the title's first words; the list row is found by the title's start.
      const filterFor = (title) => title.split(/\s+/).slice(0, 3).join(' ').replace(/[:.,]$/, '');
      cases.push([filterFor(psychiatry.title), psychiatry.title.slice(0, 40), 'Light Modern', 'keyphrases-psychiatry-light.png']);
      cases.push([filterFor(astrophysics.title), astrophysics.title.slice(0, 40), 'Dark High Contrast', 'keyphrases-astrophysics-high-contrast.png']);
    } else {
      log('    no papers of other fields (../shared/data absent): the three abstracts are all machine learning');
      cases.push(['diffusion', 'Denoising Diffusion', 'Light Modern', 'keyphrases-diffusion-light.png']);
      cases.push(['reinforcement', 'Human-level Control', 'Dark High Contrast', 'keyphrases-rl-high-contrast.png']);
    }
    try {
      for (const [filter, title, theme, file] of cases) {
        await setTheme(page, theme);
        await page.waitForTimeout(600);
        // fill(), not typed keys: right after a theme change the first typed key was sometimes lost.
        await frame.locator('#filter input').fill(filter);
        await frame.locator('.match', { hasText: title }).first().click();
        await frame.locator('#paper-title', { hasText: title }).waitFor();
        await frame.locator('.abstract mark.heat').first().waitFor({ timeout: 60_000 });
        const seen = await frame.evaluate(() => {
          const p = document.querySelector('.abstract p[aria-hidden="true"]');
          const words = (p?.textContent ?? '').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
          const marks = [...document.querySelectorAll('.abstract mark.heat')].map((m) => m.textContent ?? '');
          const chips = [...document.querySelectorAll('.chips vscode-badge')].map((c) => c.textContent ?? '');
          return { words, marks, chips };
        });
        if (seen.marks.length > Math.ceil(0.15 * seen.words) + 1) throw new Error(`${title}: ${seen.marks.length} of ${seen.words} words tinted`);
        const bad = seen.marks.filter((m) => never.has(m.toLowerCase()));
        if (bad.length > 0) throw new Error(`${title}: function words tinted: ${bad.join(', ')}`);
        const lower = seen.chips.map((c) => c.toLowerCase());
        if (seen.chips.length === 0 || new Set(lower).size !== lower.length) throw new Error(`${title}: chips ${JSON.stringify(seen.chips)}`);
        log(`    ${title}: ${seen.marks.length}/${seen.words} words tinted; chips ${seen.chips.join(' · ')}`);
        await page.mouse.move(700, 600);
        await page.waitForTimeout(500);
        await shot(page, path.join(shots, file));
      }
    } finally {
      // Leave the panel as the later steps expect it: Dense Passage Retrieval selected (the reload
      // step checks that the selection is restored), no filter, the dark theme.
      await frame.locator('#filter').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('retrieval');
      await frame.locator('.match', { hasText: 'Dense Passage Retrieval' }).first().click();
      await frame.locator('#paper-title', { hasText: 'Dense Passage Retrieval' }).waitFor();
      await frame.locator('#filter').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await setTheme(page, 'Dark Modern');
    }
  });

  await step('Atlas panel follows the light theme', async () => {
    if (!frame) throw new Error('no Atlas panel');
    await setTheme(page, 'Light Modern');
    const deadline = Date.now() + 15_000;
    while (!(await frame.evaluate(() => document.body.classList.contains('vscode-light')))) {
      if (Date.now() > deadline) throw new Error('the panel did not switch to the light theme');
      await page.waitForTimeout(200);
    }
    await page.waitForTimeout(800);
    await shot(page, path.join(shots, 'atlas-light.png'));
    await setTheme(page, 'Dark Modern');
  });

  await step('Atlas panel is restored with its selection after a reload', async () => {
    await page.waitForTimeout(1500); // let the webview state (selection) be saved
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    frame = await webviewFrame(page, 'canvas#atlas-map', 60_000);
    await frame.locator('#paper-title', { hasText: 'Dense Passage Retrieval' }).waitFor({ timeout: 60_000 });
  });

  await step('Atlas map works from the keyboard', async () => {
    if (!frame) throw new Error('no Atlas panel');
    await frame.locator('canvas#atlas-map').focus();
    for (const key of ['0', '+', 'ArrowLeft', 'ArrowRight', '-', '0']) await page.keyboard.press(key);
    const before = await frame.locator('#paper-title').innerText();
    await page.keyboard.press('Enter'); // selects the paper nearest the centre
    const deadline = Date.now() + 15_000;
    let title = before;
    while (Date.now() < deadline) {
      title = await frame.locator('#paper-title').innerText().catch(() => before);
      if (title && title !== before) break;
      await page.waitForTimeout(200);
    }
    if (!title || title === before) throw new Error(`Enter on the map did not select another paper (still "${before}")`);
    // The side pane's actions are reachable with Tab.
    await frame.locator('.actions vscode-button').first().focus();
    const focused = await frame.evaluate(() => document.activeElement?.tagName.toLowerCase());
    if (focused !== 'vscode-button') throw new Error(`focus is on ${focused}`);
  });

  await step('Atlas map stays smooth with 100k points', async () => {
    if (!frame) throw new Error('no Atlas panel');
    // A synthetic 100k-point map (40 clusters) sent the way the host sends one, then zoom and pan.
    const points = 100_000;
    await frame.locator('#filter').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await frame.evaluate((n) => {
      const k = 40;
      const msg = { type: 'map', ids: [], titles: [], years: [], x: [], y: [], cluster: [], clusters: [] };
      let seed = 7;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let c = 0; c < k; c++) msg.clusters.push({ id: c, label: `topic ${c}`, size: n / k, keywords: [] });
      for (let i = 0; i < n; i++) {
        const c = i % k;
        const a = rnd() * 2 * Math.PI;
        const r = Math.sqrt(-2 * Math.log(rnd() + 1e-9)) * 1.2;
        msg.ids.push(`p${i}`);
        msg.titles.push(`Synthetic paper ${i} on topic ${c}`);
        msg.years.push(2000 + (i % 25));
        msg.x.push(12 * Math.cos((c * 2.4) % 6.28) * Math.sqrt(c + 1) + r * Math.cos(a));
        msg.y.push(12 * Math.sin((c * 2.4) % 6.28) * Math.sqrt(c + 1) + r * Math.sin(a));
        msg.cluster.push(c);
      }
      window.postMessage(msg, '*');
    }, points);
    await frame.locator('#match-count', { hasText: '100,000' }).waitFor();
    const legendItems = await frame.locator('.legend .legend-item').count();
    if (legendItems !== 40) throw new Error(`the legend lists ${legendItems} of 40 topics`);
    const box = await frame.locator('canvas#atlas-map').boundingBox();
    const times = [];
    for (let i = 0; i < 8; i++) {
      await frame.locator('canvas#atlas-map').dispatchEvent('wheel', { deltaY: i < 4 ? -120 : 120, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 });
      await page.waitForTimeout(120);
      times.push(Number(await frame.evaluate(() => document.body.dataset.paintMs)));
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    log(`    100k points: paint median ${median} ms, max ${times[times.length - 1]} ms (software canvas, headless chromium)`);
    await shot(page, path.join(shots, 'atlas-100k.png'));
    if (!(median < 100)) throw new Error(`paint median ${median} ms at ${points} points`);
  });

  await step('Atlas filter lists every match, page by page', async () => {
    if (!frame) throw new Error('no Atlas panel');
    await frame.locator('#filter').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('topic 12');
    await frame.locator('#match-count', { hasText: /^[\d,]+ of 100,000 match$/ }).waitFor();
    const matched = Number((await frame.locator('#match-count').innerText()).split(' ')[0].replace(/,/g, ''));
    if (!(matched > 100)) throw new Error(`only ${matched} matches`);
    const first = await frame.locator('.matches .match:not(.more-button)').count();
    await frame.locator('.matches .more-button').click();
    const second = await frame.locator('.matches .match:not(.more-button)').count();
    if (!(first === 50 && second === 100)) throw new Error(`listed ${first}, then ${second} matches`);
    await page.waitForTimeout(300);
    await shot(page, path.join(shots, 'atlas-matches.png'));
    await frame.locator('#filter').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
  });

  await step('Atlas fits a rebuilt map instead of keeping the old view', async () => {
    if (!frame) throw new Error('no Atlas panel');
    // Zoom into a corner, then receive a map laid out elsewhere (as after Rebuild Index).
    const box = await frame.locator('canvas#atlas-map').boundingBox();
    for (let i = 0; i < 6; i++) await frame.locator('canvas#atlas-map').dispatchEvent('wheel', { deltaY: -240, clientX: box.x + 20, clientY: box.y + 20 });
    await frame.evaluate(() => {
      const n = 3000;
      const k = 25;
      const msg = { type: 'map', ids: [], titles: [], years: [], x: [], y: [], cluster: [], clusters: [] };
      for (let c = 0; c < k; c++) msg.clusters.push({ id: c, label: `rebuilt topic ${c}`, size: n / k, keywords: [] });
      for (let i = 0; i < n; i++) {
        const c = i % k;
        msg.ids.push(`r${i}`);
        msg.titles.push(`Rebuilt paper ${i}`);
        msg.years.push(2020);
        msg.x.push(500 + (c % 5) * 10 + Math.cos(i) * 2);
        msg.y.push(-800 + Math.floor(c / 5) * 10 + Math.sin(i) * 2);
        msg.cluster.push(c);
      }
      window.postMessage(msg, '*');
    });
    await frame.locator('#match-count', { hasText: /^3,000 papers$/ }).waitFor();
    await page.waitForTimeout(500);
    const coloured = await frame.evaluate(() => {
      const c = document.querySelector('canvas#atlas-map');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const bg = [d[0], d[1], d[2]];
      let painted = 0;
      for (let i = 0; i < d.length; i += 16) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 60) painted++;
      return painted / (d.length / 16);
    });
    await shot(page, path.join(shots, 'atlas-rebuilt.png'));
    if (coloured < 0.01) throw new Error(`after the new map only ${(coloured * 100).toFixed(2)}% of the canvas shows points`);
    const legendItems = await frame.locator('.legend .legend-item').count();
    if (legendItems !== 25) throw new Error(`the legend lists ${legendItems} of 25 topics`);
  });

  // A native crash of the engine (here SIGSEGV, sent while a search is on its way): the window lives
  // on, the user sees one notification that names the crash and offers Restart Engine, and after it
  // searching works again. Linux only (it finds the engine process in /proc).
  await step('an engine killed by SIGSEGV mid-search: one notification with Restart Engine, then search works', async () => {
    if (process.platform !== 'linux') throw new Error(`this step finds the engine in /proc; this is ${process.platform}`);
    await page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ papers/ }).first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Paper Atlas: Search Papers…');
    await page.locator('.quick-input-widget input').fill('dense retrieval for question answering');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'karpukhin2020dpr' }).first().waitFor();
    const pid = newestEnginePid();
    if (pid === undefined) throw new Error('no engine process of this checkout runs');
    // The next keystrokes send a search; the engine dies under it.
    await page.locator('.quick-input-widget input').fill('residual networks for image recognition');
    process.kill(pid, 'SIGSEGV');
    await page.waitForTimeout(500);
    await page.keyboard.press('Escape');
    // A toast may be hidden at once in a headless window: the notification centre lists every one.
    const message = 'Paper Atlas engine stopped unexpectedly (killed by SIGSEGV). It restarts on next use.';
    const item = page.locator('.notifications-center .notification-list-item', { hasText: message });
    // Open the centre once and watch it: running the command again while the centre holds the focus
    // left the palette half-open (its input never became editable) in one CI run.
    await runCommand(page, 'Notifications: Show Notifications');
    const centre = page.locator('.notifications-center');
    const deadline = Date.now() + 30_000;
    while ((await item.count()) === 0) {
      if (Date.now() > deadline) {
        const shown = await page.locator('.notifications-center .notification-list-item').allTextContents();
        throw new Error(`no notification "${message}"; the centre lists: ${JSON.stringify(shown)}`);
      }
      await page.waitForTimeout(500);
      if (!(await centre.isVisible())) {
        await page.keyboard.press('Escape');
        await runCommand(page, 'Notifications: Show Notifications');
      }
    }
    await page.waitForTimeout(1000);
    const count = await page.locator('.notifications-center .notification-list-item', { hasText: 'Paper Atlas engine stopped unexpectedly' }).count();
    if (count !== 1) throw new Error(`${count} crash notifications`);
    await shot(page, path.join(shots, 'engine-crash.png'));
    await item.first().locator('.monaco-button', { hasText: 'Restart Engine' }).click();
    await item.first().waitFor({ state: 'detached' });
    await runCommand(page, 'Paper Atlas: Search Papers…');
    await page.locator('.quick-input-widget input').fill('residual networks for image recognition');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'he2016resnet' }).first().waitFor({ timeout: 90_000 });
    await page.keyboard.press('Escape');
    const after = newestEnginePid();
    if (after === undefined || after === pid) throw new Error(`the newest engine process after the restart is ${after ?? 'none'} (the killed one was ${pid})`);
  });

  await step('the Atlas webview logged no CSP violation', async () => {
    if (cspViolations.length > 0) throw new Error(`CSP violations:\n${cspViolations.join('\n')}`);
  });

  // After the check above: these probes cause violations on purpose. Each must be refused by the
  // policy itself (a securitypolicyviolation event naming the directive), not by a network failure.
  await step('the Atlas webview CSP blocks network, eval, inline scripts and remote images', async () => {
    if (!frame) throw new Error('no Atlas panel');
    const r = await frame.evaluate(async () => {
      const remote = 'http://192.0.2.1'; // TEST-NET-1: never a real host
      const seen = new Set();
      const onViolation = (e) => seen.add(e.effectiveDirective);
      document.addEventListener('securitypolicyviolation', onViolation);
      const within = (p, ms) => Promise.race([p, new Promise((res) => setTimeout(() => res('timeout'), ms))]);
      const fetched = await within(fetch(`${remote}/x`).then(() => 'loaded', () => 'blocked'), 3000);
      // Not eval() right here: code that playwright evaluates through DevTools may eval despite the
      // CSP (Runtime.callFunctionOn allows it). A string timer compiles later, as page code.
      window.__atlasEvalRan = false;
      setTimeout('window.__atlasEvalRan = true', 0);
      window.__atlasInlineRan = false;
      const script = document.createElement('script');
      script.textContent = 'window.__atlasInlineRan = true';
      document.head.append(script);
      const img = new Image();
      const image = await within(new Promise((res) => { img.onload = () => res('loaded'); img.onerror = () => res('blocked'); img.src = `${remote}/x.png`; }), 3000);
      await new Promise((res) => setTimeout(res, 300));
      document.removeEventListener('securitypolicyviolation', onViolation);
      return { fetched, evaluated: window.__atlasEvalRan ? 'ran' : 'blocked', inline: window.__atlasInlineRan, image, seen: [...seen].sort() };
    });
    const problems = [];
    if (r.fetched !== 'blocked') problems.push(`fetch: ${r.fetched}`);
    if (r.evaluated !== 'blocked') problems.push('a string timer (eval) ran');
    if (r.inline !== false) problems.push('an inline script ran');
    if (r.image !== 'blocked') problems.push(`remote image: ${r.image}`);
    for (const d of ['connect-src', 'img-src']) if (!r.seen.includes(d)) problems.push(`no ${d} violation`);
    if (!r.seen.some((d) => d.startsWith('script-src'))) problems.push('no script-src violation');
    if (problems.length > 0) throw new Error(`${problems.join('; ')} (violations: ${r.seen.join(', ')})`);
  });

  await page.close().catch(() => undefined);
  log(`UI tests: ${results.filter((r) => r.ok).length}/${results.length} passed in ${((Date.now() - uiStarted) / 1000).toFixed(1)} s`);
  return results;
}
