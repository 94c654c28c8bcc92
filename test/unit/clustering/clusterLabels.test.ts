import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterLabels, textPhrases } from '../../../src/core/clustering/clusterLabels';

test('phrases are unigrams and bigrams that never cross stop words or punctuation', () => {
  assert.deepEqual(textPhrases('We propose diffusion models for image editing.'), [
    'diffusion',
    'models',
    'diffusion models',
    'image',
    'editing',
    'image editing',
  ]);
  assert.deepEqual(textPhrases('Text-to-image, 3D scenes (2024)'), ['text-to-image', '3d', 'scenes', '3d scenes']);
});

test('c-TF-IDF labels carry the planted topic words, not the shared boilerplate', () => {
  const shared = 'We propose a novel approach and show strong results on standard benchmarks.';
  const topics = [
    ['graph neural networks', 'message passing', 'node classification'],
    ['protein folding', 'molecular dynamics', 'binding affinity'],
    ['speech recognition', 'acoustic models', 'spoken language'],
  ];
  const texts: string[] = [];
  const assignments: number[] = [];
  topics.forEach(([p, q, r], c) => {
    for (let i = 0; i < 6; i++) {
      texts.push(`${i % 2 ? p : q} for benchmarks. ${shared} Our ${p} method uses ${q} for ${r}, with strong results.`);
      assignments.push(c);
    }
  });
  const labels = clusterLabels(texts, assignments, 3);
  topics.forEach((planted, c) => {
    const { label, keywords } = labels[c] ?? { label: '', keywords: [] };
    assert.deepEqual(label.split(' · ').sort(), [...planted].sort(), `label "${label}" is its three planted phrases`);
    // "graph neural networks" is a trigram: it comes from chaining "graph neural" + "neural networks".
    for (const p of planted) assert.ok(keywords.includes(p), `keywords ${keywords.join(', ')}`);
    for (const boiler of ['propose', 'novel', 'results', 'benchmarks', 'strong']) assert.ok(!label.includes(boiler), `${boiler} in ${label}`);
  });
});

test('a bigram replaces the unigram it contains, and plurals do not repeat', () => {
  const texts = Array.from({ length: 4 }, () => 'diffusion models. diffusion model. diffusion models and image editing. image editing.');
  texts.push('graph theory. graph theory.', 'graph theory.', 'graph theory.');
  const [first] = clusterLabels(texts, [0, 0, 0, 0, 1, 1, 1], 2);
  const words = first?.keywords ?? [];
  assert.ok(words.includes('diffusion models'));
  assert.ok(!words.includes('diffusion model') && !words.includes('diffusion'), words.join(', '));
});

test('two bigrams chain into a trigram only when the papers write it', () => {
  const texts = [
    'latent reasoning for planning. reasoning models at scale.',
    'latent reasoning in transformers. reasoning models and tools.',
    'latent reasoning again. reasoning models again.',
    'protein design. protein design.',
    'protein design.',
    'protein design.',
  ];
  const [first] = clusterLabels(texts, [0, 0, 0, 1, 1, 1], 2);
  assert.ok(!(first?.keywords ?? []).includes('latent reasoning models'), (first?.keywords ?? []).join(', '));
  assert.ok((first?.keywords ?? []).includes('latent reasoning') && (first?.keywords ?? []).includes('reasoning models'));
});
