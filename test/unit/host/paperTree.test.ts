import assert from 'node:assert/strict';
import { test } from 'node:test';
import './fakeVscodeTree';
import type { CatalogPaper, PaperCatalog } from '../../../src/host/library/paperCatalog';
import { PaperTreeProvider, type GroupNode, type PaperNode } from '../../../src/host/tree/paperTreeProvider';

function paper(id: string, year?: number): CatalogPaper {
  return { id, title: `Paper ${id}`, authors: ['Ann Zhou', 'Bo Waibel'], ...(year !== undefined ? { year } : {}), keywords: [], abstractStart: 'We study things.', sources: [{ file: '/workspace/library.bib', line: 1 }] };
}

function catalog(papers: CatalogPaper[], withTopics = false): PaperCatalog {
  const topic = { id: 3, label: 'active learning · annotation', size: papers.length, keywords: [] };
  return {
    size: papers.length,
    topicMap: withTopics ? {} : undefined,
    all: () => papers.values(),
    topic: () => (withTopics ? topic : undefined),
  } as unknown as PaperCatalog;
}

test('the tooltip shows the citation key as written, without Markdown escapes', () => {
  const tree = new PaperTreeProvider(catalog([paper('zhou-waibel-2021-active', 2021), paper('odd`key_1', 2020)]), 'year');
  const tips = tree
    .getChildren()
    .flatMap((g) => tree.getChildren(g))
    .map((n) => (tree.getTreeItem(n).tooltip as { value: string }).value);
  const zhou = tips.find((t) => t.includes('zhou'));
  assert.ok(zhou?.endsWith('`zhou-waibel-2021-active`'), zhou);
  assert.ok(!zhou?.split('\n').pop()?.includes('\\'), 'no backslash in the code span');
  // A key with a backtick still renders as one code span.
  assert.ok(tips.some((t) => t.endsWith('``odd`key_1``')), tips.join('\n'));
});

test('year groups run from the newest year down, with "No year" last', () => {
  const tree = new PaperTreeProvider(catalog([paper('a', 2019), paper('b'), paper('c', 2023), paper('d', 1998), paper('e', 2023)]), 'year');
  assert.deepEqual(
    tree.getChildren().map((g) => (g as GroupNode).label),
    ['2023', '2019', '1998', 'No year'],
  );
});

test('topic groups have a topic-like icon, not the code-namespace braces', () => {
  const tree = new PaperTreeProvider(catalog([paper('a', 2020), paper('b', 2021)], true), 'topic');
  const [group] = tree.getChildren();
  assert.ok(group && group.kind === 'group');
  assert.equal((tree.getTreeItem(group).iconPath as { id: string }).id, 'tag');
  const [first] = tree.getChildren(group) as PaperNode[];
  assert.equal((tree.getTreeItem(first!).iconPath as { id: string }).id, 'book');
});
