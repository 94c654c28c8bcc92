/**
 * Part-of-speech tags for keyphrase candidates, from wink-nlp's English lite model (MIT, pure
 * JavaScript, ~1 ms per abstract). It runs where keywords are computed — the engine worker, the CLI
 * and the benchmarks — never on the VS Code host thread. The model (~4 MB of JavaScript, ~50 ms to
 * load and ~110 ms to set up) is imported on first use, not when the engine starts: most sessions
 * never ask for keywords.
 *
 * wink tokenises differently from BERT, so tags are returned per character range; the candidate
 * code (src/core/keywords/nounPhrases.ts) maps them onto its own words.
 */
import type { CharacterTag, PartOfSpeechTagger } from '../../core/keywords/nounPhrases';

let opening: Promise<PartOfSpeechTagger> | undefined;

/** The wink tagger: Universal POS tags of `text`'s tokens with their character ranges, in text order. */
export function openWinkTagger(): Promise<PartOfSpeechTagger> {
  opening ??= (async () => {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([import('wink-nlp'), import('wink-eng-lite-web-model')]);
    const nlp = winkNLP(model, ['pos']);
    return (text: string): CharacterTag[] => {
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
  })();
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}
