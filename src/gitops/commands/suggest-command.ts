import { distance } from 'fastest-levenshtein';
import { commandNames, type CommandName } from '../../policies/types.js';

/**
 * The command a misspelt verb most likely meant: at most two edits away (one for the short
 * verbs, where two edits reach almost anything; two swapped neighbours count as one), or a
 * prefix of at least three letters.
 */
export function suggestCommand(verb: string): CommandName | undefined {
  const word = verb.toLowerCase();
  const prefixed = commandNames.filter((name) => word.length >= 3 && name.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: CommandName; edits: number } | undefined;
  for (const name of commandNames) {
    const edits = swapsNeighbours(word, name) ? 1 : distance(word, name);
    const allowed = name.length <= 4 ? 1 : 2;
    if (edits <= allowed && (best === undefined || edits < best.edits)) best = { name, edits };
  }
  return best?.name;
}

/** `hlep` for `help`: the same letters with two neighbours swapped (Levenshtein counts it as two edits). */
function swapsNeighbours(word: string, name: string): boolean {
  if (word.length !== name.length) return false;
  const differ = Array.from({ length: word.length }, (_, index) => index).filter((index) => word[index] !== name[index]);
  const [first, second] = differ;
  return differ.length === 2 && first !== undefined && second === first + 1 && word[first] === name[second] && word[second] === name[first];
}
