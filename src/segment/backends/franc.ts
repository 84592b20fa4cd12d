import { francAll } from 'franc-all';
import type { LangGuess, LidBackend } from './types.js';

/** franc-all (trigram ranks, out-of-place distance); restricted with `only` when given candidates. */
export class FrancBackend implements LidBackend {
  readonly name = 'franc';
  constructor(private readonly languages?: readonly string[]) {}
  detect(text: string, candidates?: readonly string[]): LangGuess[] {
    const only = (candidates ?? this.languages) as string[] | undefined;
    const r = francAll(text, { only, minLength: 3 });
    if (!r.length || r[0][0] === 'und') return [];
    return r.slice(0, 5).map(([lang, score]) => ({ lang, score }));
  }
}
