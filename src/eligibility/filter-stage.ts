import path from 'node:path';
import fs from 'node:fs';
import type { StageContext } from '../pipeline/stage.js';
import { partName } from '../pipeline/stage.js';
import { runPartitions, type PartitionOutputs } from '../pipeline/runner.js';
import { expandInputs, type InputFile } from '../io/inputs.js';
import { openRows } from '../io/open-rows.js';
import { mapRow, type ChatFacts, type Mapped } from '../io/mapping.js';
import type { RawRow } from '../io/rows.js';
import { FlatRowMapper } from '../io/flat-mapping.js';
import { EXCLUDED, FALLBACK, FlatGate, KEPT } from './flat-gate.js';
import { parseJsonLine, readJsonlLines } from '../io/readers/jsonl.js';
import { JsonlWriter, usableCompression } from '../io/writers/jsonl.js';
import { InputError } from '../errors.js';
import { mappingProblems, nothingKept, sampleColumns } from '../io/diagnose.js';
import { addFunnel, emptyFunnel, normaliseFunnel, type Funnel } from '../pipeline/stats.js';
import type { Progress } from '../pipeline/progress.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { keyedHash } from './keyed-hash.js';
import { loadObjections, type ObjectionRegistry } from './objections.js';
import { exclusionReason, gateContext, type GateContext } from './policy.js';
import { IdConflicts, IdHasher, conversationKey, groupConversations, type IdConflictsPart } from './id-conflicts.js';
import { ConflictCollector } from './conflict-collector.js';
import { decodeIds, encodeIds, idsKey } from './ids-file.js';
import { expandConversation, isConversation } from '../io/conversations.js';
import { writeFileAtomic } from '../io/atomic.js';
import { RawSha, type RawShaRecord } from '../io/raw-sha.js';

/** What `filter` leaves behind, beyond its files. */
export interface FilterResult {
  funnel: Funnel;
  partitions: number;
  skipped: number;
  inputs: Array<{ path: string; bytes: number }>;
  registry: { hashes: string[]; asOf: string | null; authors: number };
  dir: string;
  /** why this run is not a build to go on with (it kept nothing, or a mapped column is in no sampled row); set by the world-1 pass */
  diagnosis?: string[];
}

/** Stop a command when the filter's result says the run is a mistake (exit 3, with the diagnosis). */
export function assertUseful(r: FilterResult): FilterResult {
  if (r.diagnosis) throw new InputError(r.diagnosis.join('\n') + '\n(see `vernacular config check --input` and the README, Configuration)');
  return r;
}

/** Relative path used in provenance and error ledgers: relative to the config file's folder. */
const relTo = (base: string, f: string) => path.relative(base, f).split(path.sep).join('/');

/**
 * How flat JSONL rows are read: `gate` decides canonical rows from their bytes (FlatGate), `map`
 * maps scanned rows with `mapRow`, `parse` uses JSON.parse for every row. Each falls back to the
 * next for rows it does not take; all three give the same docs, ledgers and funnel (tests hold
 * them to that), so this only exists for those tests and for benchmarks.
 */
export type JsonlPath = 'gate' | 'map' | 'parse';

/**
 * The `filter` stage: read every input, map rows onto Docs, apply the eligibility gate and write
 * the eligible docs (JSONL, zstd unless `output.compression` says otherwise, one part per input
 * file), the exclusion ledger (keyed hash of the id + rule, nothing else), the error ledger
 * (file, line, reason) and the funnel.
 */
export async function runFilter(ctx: StageContext, opts: { jsonlPath?: JsonlPath } = {}): Promise<FilterResult> {
  const { config, baseDir } = ctx.loaded;
  const dir = path.join(ctx.out, 'filter');
  const files = expandInputs(config, baseDir);
  const registry = await loadObjections(config, baseDir);
  const gate = gateContext(config, registry);
  const hasher = new IdHasher(ctx.secret);
  const key = idsKey(ctx.secret);
  if (usableCompression(config.output.compression) !== config.output.compression) ctx.log('warning: zstd-napi is not built here; filter writes its docs as gzip (.jsonl.gz) instead of zstd');
  const funnel = emptyFunnel();
  const partitions = files.map((f, i) => {
    const st = fs.statSync(f.path);
    return { key: partName(i), input: f.path, upstream: { path: relTo(baseDir, f.path), size: st.size, mtime: st.mtimeMs }, weight: f.bytes };
  });
  const fileOf = new Map(partitions.map((p, i) => [p.key, files[i]]));
  // Conflicting copies of one id (README, "Conflicting copies") in one pass: each partition is
  // filtered on its own, and records the ids its records exclude for a propagating fact and the
  // ids it keeps (ids/<part>.bin). Once every partition is done (the --world 1 pass), `resolve`
  // merges the former and filters again, against the ids other records exclude, only the
  // partitions that kept one of them; the completion index is written after that.
  const r = await runPartitions<FilterPartStats, IdConflictsPart>({
    stage: 'filter',
    dir,
    version: 4, // 4: ids files v2 (chat conversation facts and pairs)
    // the whole config (mapping, policy, limits, output), the registry and the key of the ledger's (and the ids files') hashes
    common: { config, registry: registry.hashes, key: keyedHash(ctx.secret, 'fingerprint', '') },
    partitions,
    rank: ctx.rank,
    world: ctx.world,
    keep: ['stats.json'],
    quiet: ctx.quiet,
    run: (p, out, progress, hits) =>
      hits
        ? // against the ids of other records that this partition kept: its malformed rows were counted when it ran on its own
          filterPartition(ctx, out, p.key, fileOf.get(p.key)!, { ...gate, conflicts: new IdConflicts(hasher, [hits]) }, hasher, progress, 0, opts.jsonlPath ?? 'gate')
        : filterPartition(ctx, out, p.key, fileOf.get(p.key)!, gate, hasher, progress, funnel.malformed, opts.jsonlPath ?? 'gate').then((part) => (addFunnel(funnel, part), part)),
    resolve: async (markers) => {
      // memory: the merged conflicting ids, and one partition's kept ids at a time
      const idsOf = (m: (typeof markers)[number], what: 'conflicts' | 'kept') => {
        const o = m.outputs.find((x) => x.path === idsFile(m.key));
        if (!o) throw new InputError(`filter: partition ${m.key} has no ids file (run filter again)`);
        const abs = path.join(dir, o.path);
        return decodeIds(fs.readFileSync(abs), abs, key, what);
      };
      const parts = markers.map((m) => idsOf(m, 'conflicts').part);
      // chats: a conversation whose person turns have two authors, wherever its turns are
      const all = new IdConflicts(hasher, [...parts, groupConversations(parts)]);
      const want = new Map<string, { digest: string; value: IdConflictsPart }>();
      if (all.size === 0) return want;
      for (const m of markers) {
        const hits = all.hits(idsOf(m, 'kept').kept);
        if (hits) want.set(m.key, { digest: new IdConflicts(hasher, [hits]).digest(), value: hits });
      }
      return want;
    },
  });
  const total = emptyFunnel();
  for (const m of r.markers) addFunnel(total, m.stats);
  const result: FilterResult = {
    funnel: normaliseFunnel(total),
    partitions: r.markers.length,
    skipped: r.skipped,
    inputs: files.map((f) => ({ path: relTo(baseDir, f.path), bytes: f.bytes })),
    registry: summary(registry),
    dir,
  };
  // stats.json holds what the data says, not how this run went (skipped partitions), so it is
  // the same whatever the number of workers
  if (ctx.world === 1) {
    writeJsonAtomic(path.join(dir, 'stats.json'), { stage: 'filter', funnel: result.funnel, inputs: result.inputs, registry: result.registry });
    // a run that keeps nothing, or maps a column no row has, is a mistake to stop at, not a build
    const problems = mappingProblems(config, await sampleColumns(files, config));
    if (result.funnel.read > 0 && (result.funnel.kept === 0 || problems.length)) result.diagnosis = [...(result.funnel.kept === 0 ? nothingKept(result.funnel, config) : []), ...problems];
  }
  return result;
}

/**
 * One chat turn in the conversations file: its conversation, time and position, and either the doc
 * id of a kept person turn, or (for an assistant, system or tool turn) its text when the turn would
 * be kept were it the person's (same conversation, flag, deletion, objection, country and window
 * rules): never the text of a turn of an excluded conversation. True when the assistant's text was
 * written (its conversation is then looked up by the merge pass too).
 */
function conversationTurn(m: Mapped & { bad?: undefined }, why: string | undefined, gate: GateContext, w: JsonlWriter): { ok: boolean; wait: void | Promise<void> } {
  const chat = m.elig.chat!;
  const at = { c: chat.conversationId, t: m.elig.createdMs, n: m.doc.source.line * 1000 + (Number(m.doc.meta.turn) || 0) };
  if (chat.role === 'person') return { ok: false, wait: w.write({ ...at, role: 'user', ...(why ? {} : { doc: m.doc.id }) }) };
  if (chat.role !== 'assistant' || why !== 'assistant_turn') return { ok: false, wait: undefined };
  const asPerson = exclusionReason({ ...m.doc }, { ...m.elig, chat: { ...chat, role: 'person' } }, gate);
  const ok = asPerson === undefined || asPerson === 'short_turn';
  return { ok, wait: w.write({ ...at, role: chat.roleName, ...(ok ? { text: m.doc.text } : {}) }) };
}

/** Whether the turn's own record explains a conversation-level exclusion (no other record needed). */
function ownConversationFact(chat: ChatFacts, why: string): boolean {
  return (why === 'private_message' && chat.group) || (why === 'chat_not_allowed' && chat.allowed !== true) || (why === 'deleted:conversation' && chat.conversationDeleted);
}

/** Reasons that other records of the id or the conversation give (the merge pass's resolution): a record excluded by one is still looked up when the set changes. */
const RESOLVED = new Set(['private_message', 'chat_not_allowed', 'deleted:conversation']);

/** A partition's ids file (see `encodeIds`), relative to the step's folder. */
const idsFile = (name: string) => `ids/${name}.bin`;

/** A partition's stats in its marker: its funnel (summed into stats.json) and its input's raw hash (for the shards manifest; `addFunnel` ignores it). */
export type FilterPartStats = Funnel & { raw?: RawShaRecord };

const summary = (r: ObjectionRegistry) => ({ hashes: r.hashes, asOf: r.asOf, authors: r.byAuthor.size });

async function filterPartition(
  ctx: StageContext,
  out: PartitionOutputs,
  name: string,
  f: InputFile,
  gate: GateContext,
  hasher: IdHasher,
  progress: Progress,
  malformedBefore: number,
  jsonlPath: JsonlPath,
): Promise<FilterPartStats> {
  const { config, baseDir } = ctx.loaded;
  const compression = usableCompression(config.output.compression);
  const ext = compression === 'none' ? '' : `.${compression}`;
  const docs = new JsonlWriter(out.file(`docs/${name}.jsonl${ext}`), { level: 1 });
  const excluded = new JsonlWriter(out.file(`excluded/${name}.jsonl`));
  const errors = new JsonlWriter(out.file(`errors/${name}.jsonl`));
  // conversation shards (shards.conversations): each chat turn's place in its conversation, and the
  // assistant's text of a conversation the person's turns could be kept from (README, "Chats")
  const convs = config.shards.conversations ? new JsonlWriter(out.file(`conversations/${name}.jsonl${ext}`), { level: 1 }) : undefined;
  const writers = convs ? [docs, excluded, errors, convs] : [docs, excluded, errors];
  const ids = out.file(idsFile(name));
  // the ids this partition keeps before the conflict rule (kept, or excluded by that rule only)
  const keptIds: number[] = [];
  const funnel = emptyFunnel();
  const rel = relTo(baseDir, f.path);
  const country = (c: string) => funnel.byCountry[c] ?? (funnel.byCountry[/^[A-Z]{2}$/.test(c) ? c : '??'] ??= { read: 0, kept: 0, excluded: 0 });
  let lastBytes = 0;
  // the input's raw bytes hashed as they are read (the shards manifest's sha256, src/io/raw-sha.ts)
  const raw = new RawSha(f.path, rel);
  const onRead = (n: number, chunk: Buffer) => {
    raw.update(chunk);
    lastBytes += n;
    progress.tick(n);
  };
  const malformed = (line: number, reason: string) => {
    funnel.malformed++;
    return errors.write({ file: rel, line, reason });
  };
  // The funnel for a kept row (the caller writes its doc).
  const kept = (countryCode: string): void => {
    const c = country(countryCode);
    c.read++;
    c.kept++;
    funnel.kept++;
  };
  // The funnel and ledger for an excluded row; returns the write's backpressure promise, if any.
  const exclude = (countryCode: string, id: string, why: string): void | Promise<void> => {
    const c = country(countryCode);
    c.read++;
    c.excluded++;
    funnel.excluded[why] = (funnel.excluded[why] ?? 0) + 1;
    return excluded.write({ h: keyedHash(ctx.secret, 'doc', id), rule: why });
  };
  // One decision for a mapped row.
  const judge = (m: Mapped, line: number, flat: FlatRowMapper | undefined): void | Promise<void> => {
    if (m.bad !== undefined) return malformed(line, m.bad);
    const why = exclusionReason(m.doc, m.elig, gate);
    // a chat turn's conversation is looked up by the merge pass too (README, "Chats")
    const chat = m.elig.chat;
    let convWait: void | Promise<void> = undefined;
    if (chat && convs) {
      const r = conversationTurn(m, why, gate, convs);
      if (r.ok) keptIds.push(hasher.hash(conversationKey(chat.conversationId)));
      convWait = r.wait;
    }
    if (convWait) return convWait.then(() => judgeDecided(m, why, flat));
    return judgeDecided(m, why, flat);
  };
  const judgeDecided = (m: Mapped & { bad?: undefined }, why: string | undefined, flat: FlatRowMapper | undefined): void | Promise<void> => {
    const chat = m.elig.chat;
    if (chat) {
      const c = (funnel.chats ??= { read: 0, kept: 0, excluded: 0, assistant: 0 });
      c.read++;
      if (!why) c.kept++;
      else {
        c.excluded++;
        if (why === 'assistant_turn') c.assistant++;
      }
    }
    if (why) {
      // excluded by what other records say (not by this turn's own conversation facts): looked up again when that changes
      if (why.startsWith('conflict:') || (RESOLVED.has(why) && !(chat && ownConversationFact(chat, why)))) {
        keptIds.push(hasher.hash(m.doc.id));
        if (chat) keptIds.push(hasher.hash(conversationKey(chat.conversationId)));
      }
      return exclude(m.doc.country, m.doc.id, why);
    }
    keptIds.push(hasher.hash(m.doc.id));
    if (chat) keptIds.push(hasher.hash(conversationKey(chat.conversationId)));
    kept(m.doc.country);
    return flat ? flat.write(docs, m.doc) : docs.write(m.doc);
  };
  // A row from any reader: malformed, or mapped and judged; a conversation row (fields.messages), one turn at a time.
  const judgeRow = (row: RawRow, cc?: ConflictCollector): void | Promise<void> => {
    if (row.fields === undefined) return malformed(row.line, row.bad);
    const source = { file: rel, line: row.line };
    cc?.fields(row.fields, row.dups);
    if (isConversation(row.fields, config)) return judgeConversation(row, source);
    return judge(mapRow(row.fields, config, source, row.dups), row.line, undefined);
  };
  // Every turn of a conversation row is a record: read counts turns (a row that is not a
  // conversation at all counts once, as malformed).
  const judgeConversation = async (row: RawRow & { fields: object }, source: { file: string; line: number }): Promise<void> => {
    const turns = expandConversation(row.fields, config, row.nestedDups === true || row.dups !== undefined && row.dups.length > 0);
    if (typeof turns === 'string') return malformed(row.line, turns);
    // the row counted as read once already
    funnel.read += turns.length - 1;
    if (turns.length === 0) return malformed(row.line, `field '${config.fields.messages}': no messages`);
    for (const t of turns) {
      if (t.bad !== undefined) {
        const p = malformed(row.line, t.bad);
        if (p) await p;
        continue;
      }
      const p = judge(mapRow(t.fields, config, source, undefined, t.turn), row.line, undefined);
      if (p) await p;
    }
  };
  const tooMany = () => {
    if (ctx.maxErrors !== undefined && malformedBefore + funnel.malformed > ctx.maxErrors)
      throw new InputError(`${malformedBefore + funnel.malformed} malformed rows exceed --max-errors ${ctx.maxErrors} (see ${path.join(out.dir, 'errors')})`);
  };
  let conflicts: ConflictCollector | undefined;
  try {
    try {
      if (f.format === 'jsonl') {
        // JSONL: flat rows take the byte-level paths (FlatGate, else FlatRowMapper + mapRow; text
        // copied, not decoded and re-encoded); anything else is parsed with JSON.parse and mapped
        // as from any other reader.
        const flat = jsonlPath !== 'parse' ? new FlatRowMapper(config) : undefined;
        const fg = flat && jsonlPath === 'gate' ? new FlatGate(config, gate, flat) : undefined;
        fg?.setFile(rel);
        // every line with a readable id, whatever the gate decides: its propagating fact, if any (from the flat scan, else from the parsed row)
        const cc = new ConflictCollector(config, gate, hasher, flat);
        conflicts = cc;
        for await (const ls of readJsonlLines(f.path, config.limits.max_line_bytes, onRead)) {
          for (let i = 0; i < ls.n; i++) {
            funnel.read++;
            const line = ls.line[i];
            let p: void | Promise<void>;
            const scanned = ls.bad[i] === undefined && flat !== undefined && flat.scanLine(ls.buf[i], ls.start[i], ls.end[i]);
            if (scanned) cc.scanned(ls.buf[i]);
            if (scanned) {
              const r = fg ? fg.judge(line, docs) : FALLBACK;
              if (r === KEPT) {
                keptIds.push(fg!.idHash(hasher));
                kept(fg!.country);
                p = fg!.wait;
              } else if (r === EXCLUDED) {
                if (fg!.rule.startsWith('conflict:')) keptIds.push(fg!.idHash(hasher));
                p = exclude(fg!.country, fg!.id, fg!.rule);
              } else {
                const m = flat.map({ file: rel, line });
                p = m ? judge(m, line, flat) : judgeRow(parseJsonLine(ls, i));
              }
            } else {
              // parsed once, for the conflicting ids and the gate
              const row = parseJsonLine(ls, i);
              p = judgeRow(row, cc);
            }
            if (p) await p;
          }
          tooMany();
        }
      } else {
        const cc = new ConflictCollector(config, gate, hasher);
        conflicts = cc;
        for await (const rows of openRows(f, config, onRead)) {
          for (const row of rows) {
            funnel.read++;
            const p = judgeRow(row, cc);
            if (p) await p;
          }
          tooMany();
        }
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const msg = (e as Error).message;
      if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg))
        throw new InputError(`${rel}: truncated or corrupt compressed file (unexpected end of data after line ${funnel.read}); nothing from it was kept`, { cause: e });
      if (code === 'Z_DATA_ERROR') throw new InputError(`${rel}: corrupt compressed data (${msg}); nothing from it was kept`, { cause: e });
      if (code === 'ENOENT' || code === 'EACCES') throw new InputError(`${rel}: cannot read (${code})`, { cause: e });
      throw e;
    }
    for (const w of writers) await w.close();
    writeFileAtomic(ids, encodeIds(conflicts!.part, keptIds, idsKey(ctx.secret)));
  } catch (e) {
    for (const w of writers) w.abort();
    throw e;
  }
  const rawSha = raw.done();
  progress.tick(f.bytes - lastBytes);
  return { ...funnel, raw: rawSha };
}
