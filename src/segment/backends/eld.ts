import { toIso3 } from '../codes.js';
import type { LangGuess, LidBackend } from './types.js';

interface Eld {
  load(name?: string): Promise<boolean>;
  detect(text: string): { language: string; getScores(): { [l: string]: number } };
}

/** eld (n-gram detector, ISO 639-1 codes; no ga/mt/lb). Needs `await EldBackend.create()`: its model loads asynchronously. */
export class EldBackend implements LidBackend {
  readonly name = 'eld';
  private constructor(private readonly eld: Eld) {}
  static async create(size = 'medium'): Promise<EldBackend> {
    const mod = (await import('eld')) as unknown as { eld: Eld };
    await mod.eld.load(size);
    return new EldBackend(mod.eld);
  }
  detect(text: string, candidates?: readonly string[]): LangGuess[] {
    const r = this.eld.detect(text);
    const scores = Object.entries(r.getScores())
      .map(([l, s]) => ({ lang: toIso3(l), score: s }))
      .filter((g) => g.lang !== 'und' && (!candidates || candidates.includes(g.lang)))
      .sort((a, b) => b.score - a.score);
    return scores.slice(0, 5);
  }
}
