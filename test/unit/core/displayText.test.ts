/**
 * Untrusted text on every surface (issue 11, items 10–12): what a library file can smuggle into a
 * notification, a quick pick, a Markdown hover or a terminal must stay text. The Markdown checks parse
 * the produced string with a CommonMark parser (markdown-it) and then apply VS Code's theme-icon
 * pass to the rendered HTML, the way VS Code's renderMarkdown does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { labelText, markdownLink, markdownText, notificationText, plainText, terminalText, uriComponent } from '../../../src/core/displayText';

/** The characters issue 11.11 names, plus the ones that start Markdown blocks, entities and URLs. */
const HOSTILE = ['$(verified)', '$(', ')', '[', ']', '"', "'", '<', '>', '\\', '`', '*', '_', '#', '&amp;', '|', '!', '~', ':', 'https://x.test', 'www.x.test'];

interface InlineToken {
  type: string;
  content: string;
  attrGet(name: string): string | null;
}
interface MarkdownParser {
  renderInline(src: string): string;
  parseInline(src: string, env: object): { children: InlineToken[] | null }[];
}
// A CommonMark parser to check the produced Markdown against: markdown-it, which ships without types
// and is installed with @vscode/vsce (a devDependency), so it is loaded untyped.
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => MarkdownParser;
const md = new MarkdownIt({ html: false, linkify: true });

/** VS Code renders `$(name)` in the HTML marked produced, unless the `$` is escaped by a backslash. */
function themeIcons(html: string): string[] {
  return [...html.matchAll(/(\\)?\$\(([a-z0-9-]+(?:~[a-z]+)?)\)/gi)].filter((m) => !m[1]).map((m) => m[2]!);
}

/** What the user reads: HTML entities decoded and VS Code's escaped icons shown as `$(name)`. */
function shownText(html: string): string {
  return html
    .replace(/\\(\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\))/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

test('plainText/terminalText remove escape sequences, C0/C1 controls and bidi overrides, and keep the words', () => {
  const cases: [string, string][] = [
    ['Evil\x1b[2J\x1b[1;1H Title', 'Evil Title'],
    ['\x1b]0;pwned\x07Smith', 'Smith'],
    ['\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['a\x9b31mb\x9dtitle\x9cc', 'abc'],
    ['\x1bPq#0;2;0;0;0\x1b\\sixel', 'sixel'],
    ['file\u202Etxt.exe', 'filetxt.exe'],
    ['\u2066iso\u2069late', 'isolate'],
    ['bell\x07 and nul\x00 and del\x7f', 'bell and nul and del'],
    ['two\nlines\r\nand\u2028more', 'two lines and more'],
    ['Ünïcödé — ☃ 数学 עברית', 'Ünïcödé — ☃ 数学 עברית'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(plainText(input), expected, JSON.stringify(input));
    assert.equal(terminalText(input), expected, JSON.stringify(input));
  }
  assert.equal(terminalText('a\nb', { multiline: true }), 'a\nb');
});

test('plainText: no control character survives any input, printable text is untouched, and it is linear', () => {
  const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\n]/;
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const out = plainText(s);
      assert.doesNotMatch(out, control);
      assert.equal(plainText(out), out, 'idempotent');
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...' abcXYZ09.,;:!?()[]{}$"\'<>\\`'.split('')) }), (s) => assert.equal(plainText(s), s)));
  // A quadratic regex shows at this size: 200,000 spaces or ESC bytes must stay well under a second.
  for (const big of [' '.repeat(200_000), '\x1b'.repeat(200_000), '\x1b]'.repeat(100_000), ']('.repeat(100_000)]) {
    const started = process.hrtime.bigint();
    notificationText(big);
    markdownText(big);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000, `slow on ${JSON.stringify(big.slice(0, 4))}…`);
  }
});

test('notificationText: a file name cannot become a live link in a notification', () => {
  const name = '[Cancel indexing](command:workbench.extensions.installExtension?%5B%22evil.ext%22%5D).bib';
  const shown = notificationText(`reading file 1 of 2 — ${name}`);
  // VS Code's linked-text parser (vs/base/common/linkedText.ts).
  const linkedText = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  assert.equal([...shown.matchAll(linkedText)].length, 0, shown);
  for (const link of ['[x](https://evil.test)', '[x](file:///etc/passwd)', "[x](command:a 'title')"]) assert.equal([...notificationText(link).matchAll(linkedText)].length, 0, link);
  assert.equal(shown.replace(/\u200b/g, ''), `reading file 1 of 2 — ${name}`, 'the text reads the same');
});

test('labelText: $(icon) in a title, author or id shows as text in quick picks', () => {
  assert.equal(labelText('$(verified) Trusted paper'), '\\$(verified) Trusted paper');
  assert.equal(labelText('$(sync~spin) and \\$(x)'), '\\$(sync~spin) and \\\\$(x)');
  assert.equal(labelText('costs $(5 apples) and $x'), 'costs $(5 apples) and $x', 'no icon syntax, no escape');
  // VS Code's parseLabelWithIcons: an escaped `\$(` is literal text.
  const icons = (label: string): string[] => [...label.matchAll(/(\\)?\$\(([a-z0-9-]+(?:~[a-z]+)?)\)/gi)].filter((m) => !m[1]).map((m) => m[2]!);
  fc.assert(fc.property(fc.array(fc.constantFrom(...HOSTILE, 'a', ' ')).map((a) => a.join('')), (s) => assert.deepEqual(icons(labelText(s)), [])));
});

test('markdownText: hostile titles render as exactly their text, with no link, icon, emphasis or HTML', () => {
  const titles = [
    '$(verified) Verified by the authors',
    'A "quoted" title with \'single\' quotes',
    'Brackets [x](command:paperAtlas.openInAtlas?%5B%22x%22%5D) and (parens)',
    '<img src=x onerror=alert(1)> <b>bold</b>',
    'Back\\slash and `code` and *stars* and _under_',
    '# Heading? - list? 1. numbered? > quote?',
    'See https://evil.test and www.evil.test',
    'Entity &lt; &#36;(verified) &amp;',
    ...HOSTILE,
  ];
  for (const title of titles) {
    const html = md.renderInline(markdownText(title));
    assert.deepEqual(themeIcons(html), [], `no icon: ${title} → ${html}`);
    assert.doesNotMatch(html, /<(?!\/?p>)[a-z]/i, `no element: ${title} → ${html}`);
    const text = shownText(html);
    assert.equal(text, title, 'shows exactly the title');
  }
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...HOSTILE, 'a', ' ', 'é')).map((a) => a.join('')), (s) => {
      const html = md.renderInline(markdownText(s));
      assert.deepEqual(themeIcons(html), []);
      assert.doesNotMatch(html, /<a /);
    }),
    { numRuns: 500 },
  );
});

test('uriComponent and markdownLink: an id with ) " or spaces keeps its link whole and its argument exact', () => {
  const ids = ['smith)2020', 'a"b', "o'brien(1999)", 'x y', 'a]b[c', '$(verified)', 'back\\slash', 'per%cent'];
  for (const id of ids) {
    const uri = `command:paperAtlas.openInAtlas?${uriComponent(JSON.stringify([id]))}`;
    const title = `${id} — "open" it`;
    const source = `- ${markdownLink(markdownText(id), uri, title)} after`;
    const tokens = md.parseInline(source, {})[0]!.children!;
    const links = tokens.filter((t) => t.type === 'link_open');
    assert.equal(links.length, 1, source);
    const href = links[0]!.attrGet('href')!;
    assert.deepEqual(JSON.parse(decodeURIComponent(href.slice(href.indexOf('?') + 1))), [id], `argument of ${source}`);
    assert.equal(shownText(links[0]!.attrGet('title')!), title, `title of ${source}`);
    assert.ok(tokens.some((t) => t.type === 'text' && t.content.endsWith(' after')), 'the text after the link is outside it');
  }
  assert.throws(() => markdownLink('x', 'command:a b'), /not an encoded URI/);
});
