/**
 * The citation checks' rules: the edit distance and closest keys for the quick fix, one paper under
 * two keys as the indexer merges it (real BibTeX parsing and mergePapers, so the paperIdentity rules
 * decide), unknown keys and two keys of one paper in a document, unused entries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bibEntryHeaders, bibProblems, boundedEditDistance, closestKeysBySpelling, documentProblems, libraryKeys, type CitedKey } from '../../../src/core/citations/citationChecks';
import { parseBibtexText } from '../../../src/core/ingest/bibtexParser';
import { mergePapers } from '../../../src/core/ingest/libraryReader';

test('edit distance counts a swap of neighbours as one typo and stops past the bound', () => {
  assert.equal(boundedEditDistance('attention', 'attention', 2), 0);
  assert.equal(boundedEditDistance('atention', 'attention', 2), 1);
  assert.equal(boundedEditDistance('attnetion', 'attention', 2), 1);
  assert.equal(boundedEditDistance('kitten', 'sitting', 5), 3);
  assert.equal(boundedEditDistance('kitten', 'sitting', 2), 3, 'past the bound: bound + 1');
  assert.equal(boundedEditDistance('a', 'abcdef', 2), 3);
  assert.equal(boundedEditDistance('', 'ab', 2), 2);
});

test('closest keys by spelling: typos, swaps and a key typed half-way; nothing for a far key', () => {
  const keys = ['vaswani2017attention', 'devlin2019bert', 'radford2019gpt2', 'radford2021clip', 'brown2020gpt3'];
  assert.deepEqual(closestKeysBySpelling('vaswani2017atention', keys), ['vaswani2017attention']);
  assert.deepEqual(closestKeysBySpelling('Vaswnai2017Attention', keys), ['vaswani2017attention']);
  assert.deepEqual(closestKeysBySpelling('radford2020gpt2', keys), ['radford2019gpt2']);
  assert.deepEqual(closestKeysBySpelling('radford', keys), ['radford2019gpt2', 'radford2021clip']);
  assert.deepEqual(closestKeysBySpelling('devlin2019bert', keys), [], 'the key itself is no fix');
  assert.deepEqual(closestKeysBySpelling('goodfellow2014gan', keys), []);
  assert.deepEqual(closestKeysBySpelling('', keys), []);
});

const libraryBib = `@article{he2016resnet,
  title = {Deep Residual Learning for Image Recognition},
  author = {Kaiming He and Xiangyu Zhang},
  year = {2016},
  doi = {10.1109/CVPR.2016.90}
}

@article{brown2020gpt3,
  title = {Language Models are Few-Shot Learners},
  author = {Tom Brown},
  year = {2020},
  eprint = {2005.14165}
}

@inproceedings{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Ashish Vaswani},
  year = {2017}
}

@article{smith2020a,
  title = {A Study of Graph Neural Networks for Chemistry},
  author = {Jane Smith},
  year = {2020},
  doi = {10.1000/one}
}

@string{jmlr = {Journal of Machine Learning Research}}
`;

const moreBib = `@article{He_2016_CVPR,
  title = {Deep residual learning for image recognition},
  author = {He, Kaiming},
  doi = {https://doi.org/10.1109/cvpr.2016.90}
}
@misc{brown2020language,
  title = {Language Models are Few-Shot Learners (preprint)},
  author = {Brown, Tom},
  url = {https://arxiv.org/abs/2005.14165v4}
}
@article{vaswani2017,
  title = {Attention is all you need},
  author = {Vaswani, Ashish},
  year = {2017}
}
@article{smith2020b,
  title = {A Study of Graph Neural Networks for Chemistry},
  author = {Jane Smith},
  year = {2020},
  doi = {10.1000/two}
}
`;

function indexedLibrary(): ReturnType<typeof libraryKeys> {
  // As the indexer does it: every file parsed, merged in path order by paperIdentity's rules.
  const merged = mergePapers([parseBibtexText(libraryBib, '/ws/library.bib'), parseBibtexText(moreBib, '/ws/more.bib')]).papers;
  const headers = [...bibEntryHeaders(libraryBib.split('\n'), '/ws/library.bib'), ...bibEntryHeaders(moreBib.split('\n'), '/ws/more.bib')];
  return libraryKeys(merged, headers);
}

test('one paper under two keys: same DOI, same arXiv id, same title; different DOIs stay two papers', () => {
  const lib = indexedLibrary();
  assert.deepEqual(
    lib.duplicates.map((g) => g.entries.map((e) => `${e.key}@${e.file.slice(4)}:${e.line}`)),
    [
      ['he2016resnet@library.bib:1', 'He_2016_CVPR@more.bib:1'],
      ['brown2020gpt3@library.bib:8', 'brown2020language@more.bib:6'],
      ['vaswani2017attention@library.bib:15', 'vaswani2017@more.bib:11'],
    ],
  );
  assert.deepEqual(lib.known.get('he_2016_cvpr'), { key: 'He_2016_CVPR', canonical: 'he2016resnet' });
  assert.deepEqual(lib.known.get('smith2020b'), { key: 'smith2020b', canonical: 'smith2020b' });
  assert.equal(lib.known.has('jmlr'), false, '@string is no entry');
  const problems = bibProblems(lib);
  assert.deepEqual(
    problems.map((p) => [p.kind, p.entry.key, p.first?.key]),
    [
      ['duplicateEntry', 'He_2016_CVPR', 'he2016resnet'],
      ['duplicateEntry', 'brown2020language', 'brown2020gpt3'],
      ['duplicateEntry', 'vaswani2017', 'vaswani2017attention'],
    ],
  );
});

const cite = (key: string, line: number, start = 0): CitedKey => ({ key, line, start, end: start + key.length });

test('a document: unknown keys, two keys of one paper (case-insensitive), the same key twice is fine', () => {
  const lib = indexedLibrary();
  const problems = documentProblems(
    [cite('he2016resnet', 0), cite('He2016ResNet', 1), cite('vaswani2017atention', 2), cite('he_2016_cvpr', 3, 5), cite('smith2020a', 4), cite('smith2020b', 4, 20)],
    lib,
  );
  assert.deepEqual(
    problems.map((p) => [p.kind, p.at.key, p.kind === 'samePaperTwoKeys' ? p.other.key : undefined]),
    [
      ['unknownKey', 'vaswani2017atention', undefined],
      ['samePaperTwoKeys', 'he_2016_cvpr', 'he2016resnet'],
    ],
  );
  assert.match(problems[1]?.message ?? '', /line 1\)/);
});

test('unused entries are reported only when the cited keys are given', () => {
  const lib = indexedLibrary();
  const cited = new Set(['he2016resnet', 'brown2020gpt3', 'vaswani2017attention', 'smith2020a', 'he_2016_cvpr', 'brown2020language', 'vaswani2017']);
  assert.deepEqual(
    bibProblems(lib, cited)
      .filter((p) => p.kind === 'unusedEntry')
      .map((p) => p.entry.key),
    ['smith2020b'],
  );
  assert.equal(bibProblems(lib).filter((p) => p.kind === 'unusedEntry').length, 0);
});
