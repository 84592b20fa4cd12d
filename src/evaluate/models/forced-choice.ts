import { keyDigest } from '../../hash.js';
import type { ChoiceItem } from '../build.js';

/**
 * The generation-based form of the choice tasks, for models that give no log-probabilities of a
 * prompt: the alternatives are listed under letters in an order shuffled per item (seeded by its
 * id, so the gold is not always "A"), and the model's answer is read strictly.
 */
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A permutation of 0..n-1 from the item id: displayed position → index into `choices`. */
export function optionOrder(id: string, n: number): number[] {
  const h = keyDigest('forced-choice', id);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = h.readUInt16BE((2 * i) % 30) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export function forcedChoicePrompt(item: Pick<ChoiceItem, 'id' | 'task' | 'context' | 'contextPreamble' | 'choices'>): { prompt: string; order: number[] } {
  if (item.choices.length > LETTERS.length) throw new Error(`item ${item.id}: more than ${LETTERS.length} choices`);
  const order = optionOrder(item.id, item.choices.length);
  const options = order.map((c, k) => `${LETTERS[k]}. ${item.choices[c].trim()}`).join('\n');
  const head =
    item.task === 'variety-choice'
      ? `${(item.contextPreamble ?? '').trim()}${item.context ? `\n${item.context}` : ''}\n\nWhich of these is the post as it was written there?`
      : `${item.context}\n\nWhich of these completes the text above?`;
  return { prompt: `${head}\n${options}\nAnswer with the letter only.`, order };
}

/**
 * The displayed position the answer names, or null. Accepted: the letter alone, optionally in
 * brackets or bold and followed by `.`, `)` or `:`; or the letter with `.`/`)`/`:` followed by
 * exactly that option's text. Anything else (another letter than offered, two letters, prose,
 * "A or B") is unparseable.
 */
export function parseChoiceAnswer(answer: string, options: string[]): number | null {
  const a = answer.trim().replace(/^\*\*(.*)\*\*$/s, '$1').trim();
  let m = /^[([]?([A-Z])[)\]]?[.):]?$/.exec(a);
  if (!m) {
    m = /^([A-Z])[.):]\s+(.+)$/s.exec(a);
    if (m) {
      const k = LETTERS.indexOf(m[1]);
      return k < options.length && m[2].trim() === options[k].trim() ? k : null;
    }
    return null;
  }
  const k = LETTERS.indexOf(m[1]);
  return k < options.length ? k : null;
}
