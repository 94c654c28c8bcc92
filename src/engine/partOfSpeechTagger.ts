/**
 * Part-of-speech tags for keyphrase candidates, from wink-nlp's English lite model (MIT, pure
 * JavaScript, ~1 ms per abstract). It runs where keywords are computed — the engine worker, the CLI
 * and the benchmarks — never on the VS Code host thread. The model (~4 MB of JavaScript) loads on
 * the first call.
 *
 * wink tokenises differently from BERT, so tags are returned per character range; the candidate
 * code (src/core/keywords/nounPhrases.ts) maps them onto its own words.
 */
import winkNLP from 'wink-nlp';
import winkModel from 'wink-eng-lite-web-model';
import type { CharacterTag, PartOfSpeechTagger } from '../core/keywords/nounPhrases';

let nlp: ReturnType<typeof winkNLP> | undefined;

/** Universal POS tags of `text`'s tokens with their character ranges, in text order. */
export const winkPartOfSpeech: PartOfSpeechTagger = (text: string): CharacterTag[] => {
  nlp ??= winkNLP(winkModel, ['pos']);
  const doc = nlp.readDoc(text);
  const values = doc.tokens().out(nlp.its.value) as string[];
  const tags = doc.tokens().out(nlp.its.pos) as string[];
  const out: CharacterTag[] = [];
  let at = 0;
  values.forEach((value, i) => {
    // wink keeps token text verbatim, so each token is found at or after the previous one.
    const start = text.indexOf(value, at);
    if (start < 0) return;
    at = start + value.length;
    out.push({ start, end: at, pos: tags[i] ?? 'X' });
  });
  return out;
};
