/**
 * The citation hover with hostile papers (issue 11.11): titles, authors, venues, topics, keywords and
 * ids carrying `$( ) [ ] " ' < > \` and backticks. The hover's Markdown is parsed with a CommonMark
 * parser; it must hold exactly the links the hover means (Open in Atlas, Go to source, one pair per
 * related paper), each with its own paper id as argument, and show paper text as text: no extra link,
 * no theme icon the text spelled, no HTML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { HOVER_COMMANDS, hoverMarkdown, type HoverContent } from '../../../src/host/hover/hoverMarkdown';

interface Token {
  type: string;
  content: string;
  attrGet(name: string): string | null;
  children: Token[] | null;
}
// markdown-it ships without types and is installed with @vscode/vsce (a devDependency).
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => { render(src: string): string; parse(src: string, env: object): Token[] };
const md = new MarkdownIt({ html: false, linkify: true });

const HOSTILE = `$(verified) "Quoted" 'single' [bracket](command:workbench.action.quit) (paren) <b>x</b> back\\slash \`tick\` *star* _under_ https://evil.test`;

function content(): HoverContent {
  return {
    paper: { id: 'smith)2020"$(x)', title: `Main ${HOSTILE}`, authors: ['$(shield) Ada "The" Lovelace', "O'Brien <o@b.c>"], year: 2020, venue: `Venue ${HOSTILE}` },
    topic: `topic $(flame) [t](https://evil.test)`,
    keywords: ['`code` span', '$(zap)', 'a]b(c'],
    related: [
      { id: 'rel)1', title: `Related ${HOSTILE}`, description: "O'Brien et al. · 2021" },
      { id: 'rel "2" $(x)', title: 'Short "quoted" title', description: '[desc](command:x)' },
    ],
  };
}

function links(tokens: Token[]): { href: string; title: string | null }[] {
  const found: { href: string; title: string | null }[] = [];
  for (const t of tokens) {
    if (t.type === 'link_open') found.push({ href: t.attrGet('href') ?? '', title: t.attrGet('title') });
    if (t.children) found.push(...links(t.children));
  }
  return found;
}

/** Theme icons VS Code would render in the HTML: `$(name)` not preceded by a backslash. */
function icons(html: string): string[] {
  return [...html.matchAll(/(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g)].filter((m) => !m[1]).map((m) => m[2]!);
}

test('hover: exactly the intended command links, each with its own paper id, and no icon or HTML from paper text', () => {
  const c = content();
  const source = hoverMarkdown(c);
  const html = md.render(source);
  const found = links(md.parse(source, {}));
  const expected = [
    ['paperAtlas.openInAtlas', c.paper.id],
    ['paperAtlas.goToSource', c.paper.id],
    ...c.related!.flatMap((r) => [
      ['paperAtlas.openInAtlas', r.id],
      ['paperAtlas.goToSource', r.id],
    ]),
  ];
  assert.deepEqual(
    found.map((l) => {
      const [command, query] = l.href.replace(/^command:/, '').split('?');
      return [command, (JSON.parse(decodeURIComponent(query ?? '')) as string[])[0]];
    }),
    expected,
    source,
  );
  for (const l of found) assert.ok(HOVER_COMMANDS.some((id) => l.href.startsWith(`command:${id}?`)));
  // The related links' titles name the whole paper title, quotes and all.
  assert.equal(found[2]?.title?.replace(/\\(\$\()/g, '$1'), `${c.related![0]!.title} — open in Atlas`);
  assert.equal(found[4]?.title, 'Short "quoted" title — open in Atlas');
  // Only the hover's own icons render.
  assert.deepEqual(icons(html), ['tag', 'symbol-keyword', 'globe', 'go-to-file', 'go-to-file', 'go-to-file']);
  assert.doesNotMatch(html, /<(?!\/?(?:p|strong|em|ul|li|a)[ >])[a-z]/i, 'no HTML element from paper text');
  assert.doesNotMatch(html, /<code>/, 'keywords are not code spans (icons would render inside them)');
  assert.match(html, /Main \\\$\(verified\) &quot;Quoted&quot; 'single' \[bracket\]\(command:workbench\.action\.quit\) \(paren\) &lt;b&gt;x&lt;\/b&gt; back\\slash `tick` \*star\* _under_ https:\/\/evil\.test/);
});

test('hover without related work says so, and an empty author list reads "Unknown authors"', () => {
  const source = hoverMarkdown({ paper: { id: 'a', title: 'T', authors: [] }, keywords: [], related: undefined });
  assert.match(source, /Unknown authors/);
  assert.match(source, /Related work is not available right now/);
  assert.equal(links(md.parse(source, {})).length, 2);
});
