import { describe, expect, it } from 'vitest';
import { MIN_GROUPS, pseudoAuthors } from '../../src/evaluate/judge-groups.js';
import { LanguageJudge } from '../../src/evaluate/judge.js';
import { prng } from '../../src/evaluate/linear.js';

/**
 * Labelled texts from planted "speakers": each speaker talks about a subject of its own (a private
 * vocabulary) with some words shared by everyone. pseudoAuthors should put each speaker's texts
 * together, never mix labels, and be a pure function of its input.
 */
function speakers(seed: number, labels: string[], perLabel: number, perSpeaker: number) {
  const r = prng(seed);
  const word = () => Array.from({ length: 4 + Math.floor(r() * 5) }, () => 'abdefgiklmnoprstu'[Math.floor(r() * 17)]).join('');
  const common = Array.from({ length: 40 }, word);
  const texts: string[] = [];
  const ls: string[] = [];
  const who: string[] = [];
  for (const l of labels)
    for (let s = 0; s < perLabel / perSpeaker; s++) {
      const own = Array.from({ length: 12 }, word);
      for (let i = 0; i < perSpeaker; i++) {
        texts.push(Array.from({ length: 6 + Math.floor(r() * 6) }, () => (r() < 0.6 ? own : common)[Math.floor(r() * 12)]).join(' '));
        ls.push(l);
        who.push(`${l}/${s}`);
      }
    }
  return { texts, labels: ls, who };
}

describe('pseudo-authors (held-out fold of "other people" when no authors are given)', () => {
  it('recovers planted speakers, never crosses labels, is deterministic', () => {
    for (const seed of [1, 2]) {
      const d = speakers(seed, ['A', 'B'], 300, 50);
      const g = pseudoAuthors(d.texts, d.labels, { perGroup: 50 });
      expect(pseudoAuthors(d.texts, d.labels, { perGroup: 50 })).toEqual(g);
      expect(new Set(g).size).toBe(12);
      // a group holds one label only
      const labelOf = new Map<string, Set<string>>();
      g.forEach((x, i) => (labelOf.get(x) ?? labelOf.set(x, new Set()).get(x)!).add(d.labels[i]));
      for (const s of labelOf.values()) expect(s.size).toBe(1);
      // purity: the share of texts whose group's majority speaker is their own speaker
      const members = new Map<string, string[]>();
      g.forEach((x, i) => (members.get(x) ?? members.set(x, []).get(x)!).push(d.who[i]));
      let pure = 0;
      for (const ws of members.values()) {
        const c = new Map<string, number>();
        for (const w of ws) c.set(w, (c.get(w) ?? 0) + 1);
        pure += Math.max(...c.values());
      }
      expect(pure / d.texts.length, `seed ${seed}`).toBeGreaterThan(0.8);
    }
  });

  it('a label with too few texts for MIN_GROUPS groups stays ungrouped (one group per text)', () => {
    const d = speakers(3, ['A', 'B'], 100, 20);
    const g = pseudoAuthors(d.texts, d.labels, { perGroup: Math.ceil(100 / (MIN_GROUPS - 1)) });
    expect(new Set(g).size).toBe(d.texts.length);
  });

  it('the judge holds out whole pseudo-authors when asked and no groups are given', () => {
    // 2 × 900 texts: a held-out fold of ≥ 300, scored by one model (no cross-fitting)
    const d = speakers(4, ['A', 'B'], 900, 150);
    const j = LanguageJudge.train(d.texts, d.labels, { seed: 1, vectorizer: { bits: 12 }, heldOut: 'pseudo-authors', pseudoAuthorSize: 150 });
    expect(j.report!.heldOutGroups).toMatch(/^pseudo-authors/);
    const g = pseudoAuthors(d.texts, d.labels, { perGroup: 150 });
    // the held-out fold's size is a sum of whole groups' sizes
    const size = new Map<string, number>();
    for (const x of g) size.set(x, (size.get(x) ?? 0) + 1);
    const n = j.report!.calibration.n;
    const sizes = [...size.values()];
    // subset-sum over the group sizes reaches n exactly
    const reach = new Uint8Array(n + 1);
    reach[0] = 1;
    for (const s of sizes) for (let v = n; v >= s; v--) if (reach[v - s]) reach[v] = 1;
    expect(n).toBeGreaterThan(300);
    expect(n).toBeLessThan(d.texts.length / 2);
    expect(reach[n]).toBe(1);
    // the caller's groups win; without either, random texts (a small set: all of them, out of fold)
    const sub = [...d.texts.keys()].filter((i) => i % 6 === 0);
    const given = LanguageJudge.train(sub.map((i) => d.texts[i]), sub.map((i) => d.labels[i]), { seed: 1, vectorizer: { bits: 12 }, groups: sub.map((i) => d.who[i]), heldOut: 'pseudo-authors' });
    expect(given.report!.heldOutGroups).toMatch(/^caller's groups/);
    const plain = LanguageJudge.train(sub.map((i) => d.texts[i]), sub.map((i) => d.labels[i]), { seed: 1, vectorizer: { bits: 12 } });
    expect(plain.report!.heldOutGroups).toBe('random texts');
    expect(plain.report!.calibration.n).toBe(sub.length);
  });
});
