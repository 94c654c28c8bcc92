/**
 * English function words that may not start or end a candidate keyphrase. The list is the usual
 * SMART/NLTK core plus words that abstracts use as glue ("propose", "paper", "using"): without
 * them the MLM happily ranks "we propose" as surprising in a text about something else.
 */
const FUNCTION_WORDS = `a about above after again against all almost also although always am among an and another any
are around as at be because been before being below between both but by can cannot could did do does doing done
down during each either else enough etc even ever every few for from further had has have having he her here hers
herself him himself his how however i if in into is it its itself just least less let like many may me might more
most much must my myself neither no nor not now of off often on once one only or other others otherwise our ours
ourselves out over own per perhaps quite rather same several shall she should since so some such than that the
their theirs them themselves then there thereby therefore these they this those though through thus to together
too towards under until up upon us very via was we well were what whatever when where whether which while who
whom whose why will with within without would yet you your yours yourself yourselves e g eg ie i.e. e.g. et al`;

const ABSTRACT_GLUE = `paper papers article propose proposed proposes present presented presents show shows shown showed
use used uses using based new novel given provide provides provided obtain obtained obtains find found
respectively significantly recently able allow allows allowed make makes made demonstrate demonstrates
demonstrated investigate investigated investigates consider considered considers introduce introduced
introduces describe described describes discuss discussed discusses report reported reports achieve achieves
achieved aim aims`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${FUNCTION_WORDS} ${ABSTRACT_GLUE}`.split(/\s+/).filter(Boolean));

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}
