/** Stand-alone entry for the encoding section alone: node dist-test/bench/encoding/runEncoding.js [--n 2000] [--rounds 3] */
import { parseArgs } from 'node:util';
import { readArxivListings } from '../heldOutData';
import { benchModels } from './benchModels';
import { benchEncodingThroughput } from './encodingThroughput';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, model: { type: 'string' } } });
async function main(): Promise<void> {
  const listings = readArxivListings();
  if (!listings) return;
  const texts = listings.slice(0, Number(values.n)).map((p) => `${p.title}. ${p.abstract}`);
  const models = benchModels(console.log).filter((m) => !values.model || m.dir.includes(values.model));
  const r = await benchEncodingThroughput(models, texts, { rounds: Number(values.rounds), threads: 2, log: console.log });
  console.log(JSON.stringify(r, null, 1));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
