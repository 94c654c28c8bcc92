// Papers from fields other than machine learning, for the keyphrase screenshots (issue 15 asks for
// three abstracts from different fields; the fixture library is all machine learning). They are read
// at test time from ../shared/data, never copied into the repository: the first psychiatry record of
// the RIS systematic-review export (CC BY 4.0) and the first astrophysics listing of the arXiv file
// (CC0), written into the test workspace as one RIS file, which the product indexes like any library.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const MIN_ABSTRACT = 700;

function firstRisRecordWithAbstract(file) {
  for (const record of readFileSync(file, 'utf8').split(/^ER {2}-.*$/m)) {
    const abstract = /^AB {2}- (.*)$/m.exec(record)?.[1] ?? '';
    const title = /^TI {2}- (.*)$/m.exec(record)?.[1] ?? '';
    if (title && abstract.length >= MIN_ABSTRACT) return `${record.trim()}\nER  - \n`;
  }
  return undefined;
}

function firstArxivListing(file, primaryCategory) {
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (String(r.categories?.[0] ?? '').startsWith(primaryCategory) && String(r.abstract ?? '').length >= MIN_ABSTRACT) return r;
  }
  return undefined;
}

const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim();

/**
 * Writes `other-fields.ris` into the workspace. Returns the papers it holds ({ title, field }), or
 * undefined (with the reason) when the shared data is not there.
 */
export function writeOtherFields(workspace, sharedData) {
  const ris = path.join(sharedData, 'ris', 'schoot-lgmm-ptsd-included-1.ris');
  const arxiv = path.join(sharedData, 'arxiv', 'arxiv-listings.jsonl.gz');
  if (!existsSync(ris) || !existsSync(arxiv)) return { papers: undefined, reason: `${sharedData} has no ris/ or arxiv/ data` };
  const psychiatry = firstRisRecordWithAbstract(ris);
  const astro = firstArxivListing(arxiv, 'astro-ph');
  if (!psychiatry || !astro) return { papers: undefined, reason: 'no psychiatry or astrophysics record with an abstract' };
  const astroRis = [
    'TY  - JOUR',
    `TI  - ${oneLine(astro.title)}`,
    ...(astro.authors ?? []).slice(0, 5).map((a) => `AU  - ${oneLine(a)}`),
    `PY  - 20${String(astro.id).slice(0, 2)}`,
    `UR  - https://arxiv.org/abs/${astro.id}`,
    `AB  - ${oneLine(astro.abstract)}`,
    'ER  - ',
    '',
  ].join('\n');
  writeFileSync(path.join(workspace, 'other-fields.ris'), `${psychiatry}\n${astroRis}`);
  return {
    papers: [
      { title: oneLine(/^TI {2}- (.*)$/m.exec(psychiatry)[1]), field: 'psychiatry' },
      { title: oneLine(astro.title), field: 'astrophysics' },
    ],
  };
}
