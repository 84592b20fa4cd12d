import { createRequire } from 'node:module';
import { toIso3 } from '../codes.js';
import type { LangGuess, LidBackend } from './types.js';

const require = createRequire(import.meta.url);

interface CldNative {
  detect(text: string, plain: boolean, hint: string, enc: string, tld: string, http: string, bestEffort: boolean): {
    reliable: boolean;
    languages: Array<{ code: string; percent: number; score: number }>;
  };
}

let native: CldNative | null | undefined;

/** The native CLD2 binding, or null when its build failed at install (it is an optional dependency). */
export function loadCld(): CldNative | null {
  if (native !== undefined) return native;
  try {
    native = require('cld/build/Release/cld') as CldNative;
  } catch {
    native = null;
  }
  return native;
}

/** CLD2 through its synchronous native call (the package's JS wrapper is async only). */
export class CldBackend implements LidBackend {
  readonly name = 'cld';
  private readonly cld: CldNative;
  constructor() {
    const c = loadCld();
    if (!c) throw new Error('the cld backend is not available: its native build failed at install (npm rebuild cld to retry)');
    this.cld = c;
  }
  detect(text: string, candidates?: readonly string[]): LangGuess[] {
    let r;
    try {
      r = this.cld.detect(text, true, '', '', '', '', true);
    } catch {
      return [];
    }
    const out: LangGuess[] = [];
    for (const l of r.languages) {
      const lang = toIso3(l.code);
      if (lang === 'und' || (candidates && !candidates.includes(lang))) continue;
      out.push({ lang, score: (l.percent / 100) * (r.reliable ? 1 : 0.5) });
    }
    return out;
  }
}
