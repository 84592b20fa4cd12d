import { openSig, type PlanSetup, type SigPart } from './common.js';
import { readCounts } from './counts.js';
import { AuthorSplits } from './quotas.js';
import { before, readSamples, type Event } from './sample.js';

/** The small tables the write step decides from. */
export interface PlanTables {
  splits: AuthorSplits;
  samples: Map<number, { stop: Event | 'all' | null; maxRepeat: number; caps: Map<string, Event> }>;
}

export function planTables(s: PlanSetup): PlanTables {
  const samples: PlanTables['samples'] = new Map();
  for (const [l, x] of readSamples(s)) samples.set(s.localeNames.indexOf(l), { stop: x.stop, maxRepeat: x.maxRepeat, caps: new Map(x.caps.map((c) => [c.author, c.at])) });
  return { splits: AuthorSplits.read(s), samples };
}

/**
 * Per doc of one partition: how many times it is taken and its split, from its tie key
 * (`hash(seed, doc)`), its index, its author and the tables — the same columns the in-memory
 * plan writes per partition.
 */
export function docPlan(s: PlanSetup, part: SigPart, t: PlanTables): { times: Uint8Array; split: Uint8Array } {
  const c = readCounts(s, part);
  const times = new Uint8Array(part.n);
  const split = new Uint8Array(part.n);
  // every doc's split follows its author (dropped docs too, as the in-memory plan writes them)
  const f = openSig(part);
  let sig: Uint32Array;
  try {
    sig = f.read<Uint32Array>('author');
  } finally {
    f.close();
  }
  const ofAuthor = new Int16Array(c.authors.length).fill(-1);
  for (let k = 0; k < part.n; k++) {
    const a = sig[k];
    if (ofAuthor[a] < 0) ofAuthor[a] = t.splits.of(c.authors.get(a));
    split[k] = ofAuthor[a];
  }
  for (let k = 0; k < c.kLocal.length; k++) {
    const smp = t.samples.get(c.kLocale[k]);
    if (!smp || smp.stop === null) continue;
    const pos: Event = [0, c.kTie[k], part.start + c.kLocal[k]];
    let limit: Event | 'all' = smp.stop;
    const capAt = smp.caps.get(c.authors.get(c.kAuthor[k]));
    if (capAt && (limit === 'all' || before(capAt, limit) < 0)) limit = capAt;
    let n = 0;
    if (limit === 'all') n = smp.maxRepeat;
    else {
      // passes 1 .. limit's pass - 1 take it; limit's own pass if it comes at or before the limit
      n = limit[0] - 1 + (before([limit[0], pos[1], pos[2]], limit) <= 0 ? 1 : 0);
    }
    times[c.kLocal[k]] = n;
  }
  return { times, split };
}
