import { createHmac } from 'node:crypto';

/**
 * Conflicting copies of one id (README, "Conflicting copies"). Exports carry edits and deletions
 * as later records of the same id, in the same file or another. When any record of an id is
 * excluded for visibility, kind or deletion — the facts that say the post must not be used at all —
 * no record of that id is kept: the filter's main pass collects each partition's such ids inline
 * (`ConflictCollector`, conflict-collector.ts) into its ids file (ids-file.ts), the merge pass merges them, and the gate's last rule
 * (`conflict`) excludes every other record of them as `conflict:<fact>` when a partition that kept
 * one is filtered again against them (filter-stage.ts). Facts about one
 * record (minor, age, country, date, flagged, objection by author) do not propagate: another copy
 * is judged on its own, and an objection already reaches every record of the author.
 *
 * Ids are held as 53-bit keyed hashes (seeded from the run's secret) of the id as the gate reads
 * it (trimmed) in Unicode NFC; three sorted arrays, one per fact. A hash collision can only
 * exclude more, never keep more.
 */

/** The facts that propagate, in the order the gate checks them (a set holding several names the first). */
export const PROPAGATING = ['visibility', 'kind', 'deleted', 'private_message', 'chat_not_allowed', 'deleted:conversation'] as const;
export type Fact = (typeof PROPAGATING)[number];
const REASONS = PROPAGATING.map((f) => `conflict:${f}`);
// the last three are facts of a conversation (keyed by `conversationKey`), from any of its turns (README, "Chats")

/** The string a conversation id is hashed as: apart from every doc id. */
export const conversationKey = (id: string) => '\u0001conversation\u0001' + id;

/** The keyed 53-bit hash of an id (`String(id).trim()` as the gate reads it), NFC-normalised. */
export class IdHasher {
  private readonly k1: number;
  private readonly k2: number;
  constructor(secret: string) {
    const k = createHmac('sha256', secret).update('id-conflicts').digest();
    this.k1 = k.readInt32LE(0);
    this.k2 = k.readInt32LE(4);
  }

  hash(id: string): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 128) return this.hashNfc(id.normalize('NFC'));
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, id.length);
  }

  /** The hash of the id in `b[s, e)` (its UTF-8 bytes, no escapes): for ASCII, bytes are the char codes. */
  hashBytes(b: Buffer, s: number, e: number): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c >= 128) return this.hash(b.toString('utf8', s, e));
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, e - s);
  }

  private hashNfc(s: string): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, s.length);
  }

  private finish(h1: number, h2: number, n: number): number {
    h1 = fmix(h1 ^ n ^ h2);
    h2 = fmix((h2 + h1) | 0);
    return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The ids one partition (input file) holds that a record excludes for a propagating fact. */
export class IdConflictsPart {
  readonly byFact: number[][] = PROPAGATING.map(() => []);
  /** (conversation hash, person author hash) pairs of chat turns: a conversation with two authors holds another person */
  readonly pairs: number[] = [];
  add(fact: Fact, h: number): void {
    this.byFact[PROPAGATING.indexOf(fact)].push(h);
  }
}

/**
 * The conversations whose person turns have more than one author, over every partition's pairs:
 * memory grows with the number of conversations (README, "Chats").
 */
export function groupConversations(parts: readonly IdConflictsPart[]): IdConflictsPart {
  const first = new Map<number, number>();
  const out = new IdConflictsPart();
  for (const p of parts)
    for (let i = 0; i < p.pairs.length; i += 2) {
      const c = p.pairs[i];
      const a = p.pairs[i + 1];
      const prev = first.get(c);
      if (prev === undefined) first.set(c, a);
      else if (prev !== a && prev !== -1) {
        first.set(c, -1);
        out.add('private_message', c);
      }
    }
  return out;
}

/**
 * The merged set of every partition's conflicting ids, looked up by the gate's `conflict` rule: an
 * open-addressing table (keys in a Float64Array, the fact's index in a Uint8Array, at most half
 * full), so a lookup is a probe or two.
 */
export class IdConflicts {
  private readonly keys: Float64Array;
  private readonly facts: Uint8Array;
  private readonly mask: number;
  readonly size: number;
  constructor(
    readonly hasher: IdHasher,
    parts: IdConflictsPart[],
  ) {
    const n = parts.reduce((t, p) => t + p.byFact.reduce((u, a) => u + a.length, 0), 0);
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.facts = new Uint8Array(cap);
    this.mask = cap - 1;
    let size = 0;
    for (const p of parts)
      p.byFact.forEach((hs, j) => {
        for (const h of hs) {
          let i = this.slot(h);
          while (this.keys[i] !== -1 && this.keys[i] !== h) i = (i + 1) & this.mask;
          if (this.keys[i] === -1) {
            this.keys[i] = h;
            this.facts[i] = j;
            size++;
          } else if (j < this.facts[i]) this.facts[i] = j; // the first fact in the gate's order names it
        }
      });
    this.size = size;
  }

  private slot(h: number): number {
    return (h % 4_294_967_296) & this.mask;
  }

  /** The index in PROPAGATING of a hash's fact, or -1. */
  factIndex(h: number): number {
    let i = this.slot(h);
    for (;;) {
      const k = this.keys[i];
      if (k === h) return this.facts[i];
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** `conflict:<fact>` for a hash, or undefined. */
  reasonOf(h: number): string | undefined {
    const j = this.factIndex(h);
    return j < 0 || j >= 3 ? undefined : REASONS[j];
  }

  /** The part of this set that `kept` (hashes) meets, or undefined when it meets none. */
  hits(kept: Float64Array): IdConflictsPart | undefined {
    if (this.size === 0) return undefined;
    let part: IdConflictsPart | undefined;
    for (const h of kept) {
      const j = this.factIndex(h);
      if (j >= 0) (part ??= new IdConflictsPart()).add(PROPAGATING[j], h);
    }
    return part;
  }

  /** The reason another record of conversation `id` gives to exclude all its turns, else undefined. */
  conversationReason(id: string): string | undefined {
    if (this.size === 0) return undefined;
    const j = this.factIndex(this.hasher.hash(conversationKey(id)));
    return j >= 3 ? PROPAGATING[j] : undefined;
  }

  /** `conflict:<fact>` when some record of `id` (the doc id) is excluded for a propagating fact, else undefined. */
  reason(id: string): string | undefined {
    return this.size === 0 ? undefined : this.reasonOf(this.hasher.hash(id));
  }

  /** A digest of the set (no ids: a hash of keyed hashes), for completion fingerprints. */
  digest(): string {
    const order = [...this.keys.keys()].filter((i) => this.keys[i] !== -1).sort((a, b) => this.keys[a] - this.keys[b]);
    const h = createHmac('sha256', 'id-conflicts');
    for (const i of order) h.update(`${this.keys[i]}:${this.facts[i]};`);
    return h.digest('hex');
  }
}
