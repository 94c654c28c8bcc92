/**
 * A long engine session, as the extension host keeps one: started through EngineClient (the path the
 * host and the CLI share), then for `seconds` it indexes one more library file per round (incremental
 * indexing with new papers), searches, finds related papers and computes keywords. Writes nothing
 * itself, so whatever is written outside the index folder comes from the engine. Run by
 * test/soak/longSessionEgress.soak.ts under strace:
 *   node engineSession.js <dbDir> <seconds> <file.bib>...
 * Prints one JSON line: { engineSeconds, rounds, searches, keywordRuns, papers }.
 */
import { EngineClient } from '../../../src/engine/client/engineClient';
import { DEFAULT_ENCODER_ID } from '../../../src/engine/models/modelFolder';

async function main(): Promise<void> {
  const [dbDir, secondsArg, ...files] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  if (!dbDir || !(seconds > 0) || files.length === 0) throw new Error('usage: engineSession <dbDir> <seconds> <file.bib>...');
  const started = Date.now();
  const engine = EngineClient.start({
    onCrash: (reason) => {
      process.stderr.write(`engine crashed: ${reason}\n`);
      process.exit(1);
    },
  });
  let rounds = 0;
  let searches = 0;
  let keywordRuns = 0;
  let papers = 0;
  try {
    await engine.open({ dbDir, model: DEFAULT_ENCODER_ID, providers: ['cpu'], threads: 0, batchSize: 64 });
    while (Date.now() - started < seconds * 1000) {
      const upTo = Math.min(files.length, rounds + 1);
      const summary = await engine.index(files.slice(0, upTo));
      papers = summary.papers;
      const hits = await engine.search({ query: `study ${rounds} of attention and protein folding`, k: 10 });
      searches++;
      await engine.search({ query: 'segmentation', k: 5, mode: 'fts' });
      searches++;
      const first = hits[0];
      if (first) await engine.related({ id: first.id, k: 5 });
      await engine.keywords({ text: `sparse attention for protein folding, round ${rounds}`, k: 5 });
      keywordRuns++;
      if (first) {
        await engine.keywords({ id: first.id, k: 5 });
        keywordRuns++;
      }
      rounds++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await engine.stop();
  }
  process.stdout.write(`${JSON.stringify({ engineSeconds: (Date.now() - started) / 1000, rounds, searches, keywordRuns, papers })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
