/** Per-country counts in the eligibility funnel. */
export interface CountryCounts {
  read: number;
  kept: number;
  excluded: number;
}

/**
 * The eligibility funnel. Counts reconcile exactly:
 * `read = kept + malformed + Σ excluded[reason]`.
 */
export interface Funnel {
  read: number;
  malformed: number;
  kept: number;
  excluded: { [reason: string]: number };
  byCountry: { [country: string]: CountryCounts };
  /** chat turns among the records (README, "Chats"): read = kept + excluded (assistant turns among them); absent when there are none */
  chats?: { read: number; kept: number; excluded: number; assistant: number };
}

export const emptyFunnel = (): Funnel => ({ read: 0, malformed: 0, kept: 0, excluded: {}, byCountry: {} });

/** Add `b` into `a` (for merging partitions). */
export function addFunnel(a: Funnel, b: Funnel): Funnel {
  a.read += b.read;
  a.malformed += b.malformed;
  a.kept += b.kept;
  for (const [k, v] of Object.entries(b.excluded)) a.excluded[k] = (a.excluded[k] ?? 0) + v;
  if (b.chats) {
    const t = (a.chats ??= { read: 0, kept: 0, excluded: 0, assistant: 0 });
    t.read += b.chats.read;
    t.kept += b.chats.kept;
    t.excluded += b.chats.excluded;
    t.assistant += b.chats.assistant;
  }
  for (const [c, v] of Object.entries(b.byCountry)) {
    const t = (a.byCountry[c] ??= { read: 0, kept: 0, excluded: 0 });
    t.read += v.read;
    t.kept += v.kept;
    t.excluded += v.excluded;
  }
  return a;
}

/** Sort object keys so merged stats serialise identically whatever the partition order. */
export function sortKeys<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

export function normaliseFunnel(f: Funnel): Funnel {
  const byCountry = sortKeys(f.byCountry);
  return { read: f.read, malformed: f.malformed, kept: f.kept, excluded: sortKeys(f.excluded), byCountry, ...(f.chats ? { chats: f.chats } : {}) };
}

/** The funnel as a plain-text table for the terminal. */
export function funnelTable(f: Funnel): string {
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  const pct = (x: number) => (f.read ? ((100 * x) / f.read).toFixed(1) + '%' : '-');
  lines.push('Eligibility funnel');
  lines.push(`  read        ${n(f.read).padStart(10)}`);
  lines.push(`  malformed   ${n(f.malformed).padStart(10)}  ${pct(f.malformed)}`);
  const ex = Object.entries(f.excluded).sort((a, b) => b[1] - a[1]);
  const exTotal = ex.reduce((s, [, v]) => s + v, 0);
  lines.push(`  excluded    ${n(exTotal).padStart(10)}  ${pct(exTotal)}`);
  for (const [k, v] of ex) lines.push(`    ${k.padEnd(26)}${n(v).padStart(8)}`);
  lines.push(`  kept        ${n(f.kept).padStart(10)}  ${pct(f.kept)}`);
  if (f.chats) lines.push(`  chat turns  ${n(f.chats.read).padStart(10)}  kept ${n(f.chats.kept)} (the person's own), excluded ${n(f.chats.excluded)} (${n(f.chats.assistant)} assistant, system or tool turns)`);
  const cs = Object.entries(f.byCountry).sort((a, b) => b[1].read - a[1].read);
  if (cs.length) {
    lines.push('');
    lines.push('  country        read    kept  excluded');
    for (const [c, v] of cs) lines.push(`  ${c.padEnd(8)}${n(v.read).padStart(10)}${n(v.kept).padStart(8)}${n(v.excluded).padStart(10)}`);
  }
  return lines.join('\n');
}
