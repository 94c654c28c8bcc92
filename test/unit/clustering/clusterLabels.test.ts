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

test('French and German clusters are labelled by their topics, not by their stop words', async () => {
  const { default: iso } = await import('stopwords-iso/stopwords-iso.json');
  const lists = iso as unknown as Record<string, string[]>;
  const french = [
    "Nous présentons un analyseur syntaxique pour la langue française. L'analyse syntaxique de la phrase repose sur une grammaire de dépendances et sur un corpus arboré.",
    "Cet article décrit un corpus arboré du français et les choix d'annotation de la grammaire de dépendances; l'analyse syntaxique est évaluée sur le corpus.",
    "Dans ce travail, la grammaire de dépendances est utilisée pour l'analyse syntaxique des phrases; nous comparons les résultats sur un corpus arboré.",
    "Une méthode d'analyse syntaxique pour le français: le corpus arboré sert à apprendre une grammaire de dépendances, et les erreurs de la méthode sont discutées.",
  ];
  const german = [
    'Wir stellen ein System zur maschinellen Übersetzung vor, das die Qualität der Übersetzung mit einem neuronalen Sprachmodell bewertet. Die Ergebnisse der Bewertung werden diskutiert.',
    'Die maschinelle Übersetzung von Fachtexten ist schwierig; wir untersuchen die Qualität der Übersetzung und die Rolle des Sprachmodells bei der Bewertung.',
    'In dieser Arbeit wird die Bewertung der maschinellen Übersetzung mit einem Sprachmodell beschrieben, und die Qualität der Übersetzung wird mit Menschen verglichen.',
    'Ein neuronales Sprachmodell für die maschinelle Übersetzung: wir messen die Qualität der Übersetzung und vergleichen die Bewertung mit der von Übersetzern.',
  ];
  const english = [
    'We study speech recognition with acoustic models trained on spoken language corpora.',
    'Acoustic models for speech recognition of spoken language in noisy rooms.',
    'Speech recognition errors of acoustic models on spoken language data.',
    'Spoken language understanding after speech recognition with acoustic models.',
  ];
  const texts = [...french, ...german, ...english];
  const labels = clusterLabels(texts, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 3);
  const fr = new Set(lists['fr']);
  const de = new Set(lists['de']);
  const words = (c: number): string[] => (labels[c]?.keywords ?? []).slice(0, 5).flatMap((k) => k.split(' '));
  assert.deepEqual(words(0).filter((w) => fr.has(w)), [], `French keywords: ${labels[0]?.keywords.join(', ')}`);
  assert.deepEqual(words(1).filter((w) => de.has(w)), [], `German keywords: ${labels[1]?.keywords.join(', ')}`);
  assert.ok(/syntaxique|arboré|grammaire|dépendances/.test(labels[0]?.label ?? ''), `French label: ${labels[0]?.label}`);
  assert.ok(/übersetzung|sprachmodell|qualität|bewertung/.test(labels[1]?.label ?? ''), `German label: ${labels[1]?.label}`);
  // English texts keep their labels (the broad stopwords-iso English list is not applied to them).
  assert.deepEqual(labels[2]?.label.split(' · ').sort(), ['acoustic models', 'speech recognition', 'spoken language']);
});

test('English titles are not taken for another language', async () => {
  const { detectLanguage } = await import('../../../src/core/clustering/languageStopWords');
  const words = (t: string): string[] => t.toLowerCase().match(/[a-z\u00c0-\u024f]+/g) ?? [];
  for (const t of ['Word Formation in Computational Linguistics', 'Attention Is All You Need', 'Die Hard: robust parsing of noisy text', 'An End-to-End Network Model for Reading Comprehension', 'La Jolla lab report on data sets']) {
    assert.equal(detectLanguage(words(t)), undefined, t);
  }
  assert.equal(detectLanguage(words('Un corpus français arboré : quelques interrogations sur la langue et les dépendances')), 'fr');
  assert.equal(detectLanguage(words('Die Qualität der maschinellen Übersetzung und die Bewertung mit einem Sprachmodell')), 'de');
});
