import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { csvSchema, limitsSchema, objectionsSchema } from '../config/schema.js';
import { authorPseudonym, loadObjections, normaliseAuthorId } from '../eligibility/objections.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { readDocs } from '../io/docs.js';
import { JsonlWriter } from '../io/writers/jsonl.js';
import { InputError, UsageError } from '../errors.js';
import { decodeJsonl, encodeJsonl, encodeParquet, sha256, rmrf, type ShardDoc, type ShardFile } from './writer.js';
import { readManifest } from './manifest.js';
import { baseDocId, revokeProvenanceJsonl, revokeReviewCsv, revokeSqlite } from './revoke-files.js';
import { pseudonymScheme, type Manifest } from './manifest.js';


/** What happened to one file of the parent, for the lineage: rewritten with counts, or left out and why. */
export interface RevokedFile {
  path: string;
  removed: number;
  kept: number;
}

export interface RevokeReport {
  parent: string;
  at: string;
  registry_sha256: string[];
  case_insensitive: boolean;
  authors_in_registry: number;
  authors_found: number;
  /** keyed hashes of the registry's authors, sorted: the pseudonyms they were found under in the parent (else of the registry id); never the ids */
  authors: string[];
  removed_docs: { [locale: string]: number };
  /** every file that held a revoked author's content, rewritten without it */
  rewritten: RevokedFile[];
  /** derived from the whole corpus (models, scores, reports, caches, markers): not carried into the new version; rebuild them */
  stale: Array<{ path: string; reason: string }>;
  /** not an artifact revoke knows how to clean: not carried into the new version */
  withheld: string[];
  copied: number;
  /** what the caller should know: e.g. a shard set built before key check values were recorded */
  warnings: string[];
  /** shard files only (the former report) */
  shards_rewritten: string[];
  shards_unchanged: number;
}

/** The parts of a build folder that are caches, markers or products of the whole corpus: left out, with the reason the lineage gives. */
const DROPPED: Array<[RegExp, string]> = [
  [/(^|\/)_done\//, 'completion marker of the parent build (its partitions changed)'],
  [/(^|\/)_complete\.json$/, 'completion index of the parent build (its partitions changed)'],
  [/^filter\/ids\//, "filter's encrypted id hashes of the parent build (conflicting copies): rebuilt by `vernacular filter`"],
  [/(^|\/)\.[^/]*\.tmp-\d+$/, 'temporary file of an interrupted run'],
  [/^(signatures|dedup|shards-work)\//, 'dedup signatures, pairs, drop lists and counts / shard work files: a cache, rebuilt by `vernacular shards build`'],
  [/^\.[^/]*\.(staging|old)-\d+\//, 'staging folder of an interrupted build'],
  [/^baseline\//, 'n-gram baseline trained on the parent shards: retrain with `vernacular baseline train`'],
  [/^judge\//, 'variety judge trained on the parent shards: retrain with `vernacular judge train`'],
  [/\.html$/, 'report over the parent build: regenerate with `vernacular report` / `vernacular eval run`'],
  [/(^|\/)(results\.json|summary\.md)$/, 'scores over items that include revoked ones: re-run `vernacular eval run` on the new sets'],
];
/** Files without any document content (hashes, counts, configuration): copied as they are. */
const NO_CONTENT = [/^filter\/(excluded|errors)\/part-\d+\.jsonl$/, /(^|\/)(stats|report|rates)\.json$/, /(^|\/)suite\.yaml$/, /(^|\/)revoke_report\.json$/];
const DOC_STAGE = /^(filter|segment|features)\/docs\/(.+\/)?part-\d+\.jsonl(\.gz|\.zst)?$/;

/** Every file under `dir`, relative, posix, sorted. */
function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/')); // links and other non-files are withheld below
  }
  return out.sort();
}

const isShardSet = (dir: string) => {
  try {
    return Array.isArray((JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest).shards);
  } catch {
    return false;
  }
};

/**
 * `--out` must be a new place: never the parent, never inside it or around it, never an
 * existing file or non-empty folder (revoke deletes and overwrites nothing it did not create).
 */
function checkOut(parentDir: string, outDir: string): void {
  const rel = path.relative(parentDir, outDir);
  if (outDir === parentDir) throw new UsageError(`revoke: --out is the build itself (${outDir}); a revocation writes a new version into a new folder and leaves the parent intact`);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) throw new UsageError(`revoke: --out ${outDir} is inside the build ${parentDir}; choose a folder outside it`);
  const up = path.relative(outDir, parentDir);
  if (!up.startsWith('..') && !path.isAbsolute(up)) throw new UsageError(`revoke: --out ${outDir} contains the build ${parentDir}; choose a new folder`);
  if (fs.existsSync(outDir)) {
    if (!fs.statSync(outDir).isDirectory()) throw new UsageError(`revoke: --out ${outDir} exists and is not a folder; refusing to overwrite it`);
    if (fs.readdirSync(outDir).length) throw new UsageError(`revoke: --out ${outDir} exists and is not empty; refusing to overwrite it (revoke writes a new version into a new or empty folder)`);
  }
}

/**
 * Remove every trace of newly objecting authors from a build, as a new version in a new folder:
 * - stage docs (`filter`, `segment`, `features`): every doc whose normalised author id is in
 *   the registry goes;
 * - every shard set (`shards`, `shards-proportional`, any folder with a shard manifest): every
 *   doc whose author pseudonym is one of theirs goes, JSONL and Parquet; untouched shards are
 *   copied byte for byte; the manifest names its parent and records the revocation;
 * - eval sets and eval-run samples: every item whose provenance is a removed doc goes;
 * - review stores (SQLite) and review CSVs: their samples and judgments go (the database is
 *   vacuumed, so no freed page keeps the text);
 * - models, scores, reports, request caches and completion markers, all derived from the whole
 *   parent, are left out and listed as stale; a file revoke does not know is left out (withheld).
 * The parent is never modified. `build` may also be a standalone shard set (a published copy).
 */
export async function revoke(o: { build: string; objections: string; out: string; secret: string; caseInsensitive?: boolean; now?: Date }): Promise<{ report: RevokeReport; manifests: { [dir: string]: Manifest } }> {
  const parentDir = path.resolve(o.build);
  if (!fs.existsSync(parentDir) || !fs.statSync(parentDir).isDirectory()) throw new InputError(`revoke: --build ${parentDir} is not a folder`);
  const outDir = path.resolve(o.out);
  checkOut(parentDir, outDir);
  const standalone = isShardSet(parentDir);
  if (standalone) {
    const up = path.dirname(parentDir);
    const siblings = fs.readdirSync(up).filter((e) => e !== path.basename(parentDir));
    // a build's own folders beside it (published versions side by side are not a build)
    if (siblings.some((e) => ['filter', 'segment', 'features', 'signatures', 'dedup', 'eval', 'baseline', 'judge'].includes(e)))
      throw new UsageError(`revoke: ${parentDir} is a shard set inside the build ${up}; pass the build folder (--build ${up}) so the revocation reaches every artifact derived from the authors' content`);
  }
  const files = listFiles(parentDir);
  const setDirs = standalone ? [''] : [...new Set(files.filter((f) => f.endsWith('/manifest.json')).map((f) => path.posix.dirname(f)))].filter((d) => !d.includes('/') && isShardSet(path.join(parentDir, d))).sort();
  if (!standalone && !setDirs.length && !files.some((f) => DOC_STAGE.test(f))) throw new InputError(`revoke: ${parentDir} holds neither shards nor stage docs (is it a build folder?)`);
  const parents = new Map(setDirs.map((d) => [d, readManifest(path.join(parentDir, d))]));
  // conversation shards hold no author field to revoke by: refuse rather than publish a revoked author's turns
  for (const [d, m] of parents) if (m.conversations?.length) throw new InputError(`${path.join(parentDir, d)}: has conversation shards (shards.conversations), which revoke does not rewrite; rebuild the shards from a filter run with the new objections instead`);

  // The build's pseudonym scheme decides how ids compare; a different key would match nothing.
  const keyCheck = keyedHash(o.secret, 'key-check', '');
  let buildCi = false;
  const warnings: string[] = [];
  for (const [d, m] of parents) {
    if (!m.pseudonyms) warnings.push(`${path.join(parentDir, d)} predates recorded key checks: if VERNACULAR_SECRET is not the key it was built with, none of its docs can match`);
    if (m.pseudonyms && m.pseudonyms.key_check !== keyCheck) throw new UsageError(`revoke: VERNACULAR_SECRET is not the key ${path.join(parentDir, d)} was built with; its pseudonyms would match no registry id`);
    if (m.pseudonyms?.case_insensitive) buildCi = true;
  }
  const ci = !!o.caseInsensitive || buildCi;
  // the registry alone, read with the readers' default limits (no build config is needed to read it)
  const reg = await loadObjections({ objections: objectionsSchema.parse({ paths: [path.resolve(o.objections)], case_insensitive: ci }), limits: limitsSchema.parse({}), csv: csvSchema.parse({}) }, process.cwd());
  // an objection to one item (a conversation or a turn: README, "Chats") cannot be found in the shards by author: refuse rather than miss it
  if (reg.byItem?.size) throw new InputError(`${o.objections}: ${reg.byItem.size} objection(s) to single items (item_id); revoke finds content by author only: rebuild the shards from a filter run with this registry instead`);
  const keys = new Set(reg.byAuthor.keys());
  // Pseudonyms to remove: of each registry id and of each matching raw id in the stage docs,
  // both as this version derives them and as builds before the shared normalisation did (raw id).
  const revoked = new Map<string, string>(); // pseudonym → registry key
  const addAuthor = (id: string, key: string) => {
    revoked.set(authorPseudonym(o.secret, id, buildCi), key);
    revoked.set(keyedHash(o.secret, 'author', id), key);
  };
  for (const k of keys) addAuthor(k, k);
  const removedIds = new Set<string>();
  const found = new Set<string>();
  // registry key → the pseudonyms it was found under (what the lineage names)
  const foundAs = new Map<string, Set<string>>();
  const note = (key: string, pseudonym: string) => (foundAs.get(key) ?? foundAs.set(key, new Set()).get(key)!).add(pseudonym);
  const removed: { [l: string]: number } = {};
  const rewritten: RevokedFile[] = [];
  const stale: RevokeReport['stale'] = [];
  const withheld: string[] = [];
  let copied = 0;

  let staging: string;
  try {
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    staging = fs.mkdtempSync(path.join(path.dirname(outDir), `.${path.basename(outDir)}.revoke-`));
  } catch (e) {
    throw new InputError(`revoke: cannot write beside ${outDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const src = (f: string) => path.join(parentDir, f);
    const dst = (f: string) => path.join(staging, f);
    const copy = (f: string) => {
      fs.mkdirSync(path.dirname(dst(f)), { recursive: true });
      fs.copyFileSync(src(f), dst(f));
      copied++;
    };
    const done = new Set<string>();

    // 1. Stage docs first: they name raw ids, so they also tell which pseudonyms and doc ids go.
    for (const f of files.filter((x) => DOC_STAGE.test(x) && fs.lstatSync(path.join(parentDir, x)).isFile())) {
      done.add(f);
      // streamed: kept docs go straight to the new file, which is dropped for a byte copy if nothing went
      const w = new JsonlWriter(dst(f));
      let kept = 0;
      let gone = 0;
      for await (const docs of readDocs(src(f))) {
        for (const d of docs) {
          const key = normaliseAuthorId(String(d.authorId), ci);
          if (!keys.has(key)) {
            await w.write(d);
            kept++;
            continue;
          }
          gone++;
          found.add(key);
          note(key, authorPseudonym(o.secret, String(d.authorId), buildCi));
          addAuthor(String(d.authorId), key);
          removedIds.add(keyedHash(o.secret, 'doc', d.id));
        }
      }
      if (!gone || !kept) w.abort();
      else await w.close();
      if (!gone) copy(f);
      else rewritten.push({ path: f, removed: gone, kept });
    }

    // 2. Shard sets.
    const manifests: { [dir: string]: Manifest } = {};
    const shardsRewritten: string[] = [];
    let shardsUnchanged = 0;
    for (const [d, parent] of parents) {
      const setDir = path.join(parentDir, d);
      const rel = (p: string) => (d ? `${d}/${p}` : p);
      if (!parent.params.formats.includes('jsonl')) throw new InputError(`revoke: ${setDir} has no JSONL shards to rewrite from`);
      const kept = new Map<string, ShardDoc[]>();
      const removedHere: { [l: string]: number } = {};
      for (const s of parent.shards.filter((x) => x.format === 'jsonl')) {
        const buf = fs.readFileSync(path.join(setDir, s.path));
        if (sha256(buf) !== s.sha256) throw new InputError(`revoke: ${rel(s.path)} does not match its manifest (run \`vernacular shards verify\`)`);
        const docs = decodeJsonl(buf, s.path);
        const keep = docs.filter((x) => {
          if (!revoked.has(x.author)) return true;
          found.add(revoked.get(x.author)!);
          note(revoked.get(x.author)!, x.author);
          removedIds.add(baseDocId(x.id));
          removedHere[x.locale] = (removedHere[x.locale] ?? 0) + 1;
          return false;
        });
        if (keep.length === docs.length) continue;
        kept.set(s.path, keep);
        kept.set(s.path.replace(/^data\//, 'parquet/').replace(/\.jsonl\.(gz|zst)$/, '.parquet'), keep);
      }
      const shards: ShardFile[] = [];
      for (const s of parent.shards) {
        done.add(rel(s.path));
        const keep = kept.get(s.path);
        if (!keep) {
          copy(rel(s.path));
          shards.push(s);
          shardsUnchanged++;
          continue;
        }
        shardsRewritten.push(rel(s.path));
        rewritten.push({ path: rel(s.path), removed: s.docs - keep.length, kept: keep.length });
        if (!keep.length) continue; // every doc of the shard was revoked: the shard goes
        const bytes = s.format === 'jsonl' ? encodeJsonl(keep, s.path.endsWith('.zst') ? 'zst' : 'gz') : encodeParquet(keep, parent.params.compression as 'gz' | 'zst');
        writeFileAtomic(dst(rel(s.path)), bytes);
        shards.push({ ...s, docs: keep.length, bytes: bytes.length, sha256: sha256(bytes) });
      }
      const splits: Manifest['counts']['splits'] = JSON.parse(JSON.stringify(parent.counts.splits));
      for (const s of parent.shards.filter((x) => x.format === 'jsonl')) {
        const keep = kept.get(s.path);
        if (keep) splits[s.locale][s.split] -= s.docs - keep.length;
      }
      for (const [l, n] of Object.entries(removedHere)) removed[l] = (removed[l] ?? 0) + n;
      manifests[d] = {
        ...parent,
        counts: { ...parent.counts, splits },
        objections: { sha256: [...parent.objections.sha256, ...reg.hashes], as_of: reg.asOf ?? parent.objections.as_of },
        shards,
        parent: { manifest_sha256: createHash('sha256').update(fs.readFileSync(path.join(setDir, 'manifest.json'))).digest('hex'), path: setDir },
        pseudonyms: parent.pseudonyms ?? pseudonymScheme(o.secret, buildCi),
      };
      done.add(rel('manifest.json'));
    }

    // 3. Everything else of the build, by kind.
    const at = (o.now ?? new Date()).toISOString();
    const sqliteSide = new Set(files.filter((f) => /\.sqlite-(wal|shm)$/.test(f)));
    for (const f of files) {
      if (done.has(f) || sqliteSide.has(f)) continue;
      if (!fs.lstatSync(src(f)).isFile()) {
        withheld.push(f);
        continue;
      }
      const drop = DROPPED.find(([re]) => re.test(f));
      if (drop) {
        stale.push({ path: f, reason: drop[1] });
        continue;
      }
      if (NO_CONTENT.some((re) => re.test(f)) || (f.endsWith('/README.md') && parents.has(path.posix.dirname(f))) || (standalone && f === 'README.md')) {
        copy(f);
        continue;
      }
      if (f.endsWith('.sqlite')) {
        const r = revokeSqlite(src(f), dst(f), removedIds);
        if (r === 'cache') stale.push({ path: f, reason: 'request cache keyed by the requests of every item: a re-run of `vernacular eval run` re-requests the kept items' });
        else if (r === 'unknown') withheld.push(f);
        else if (r.removed) rewritten.push({ path: f, ...r });
        else copied++;
        continue;
      }
      if (f.endsWith('.jsonl')) {
        const r = revokeProvenanceJsonl(src(f), dst(f), removedIds);
        if (!r) withheld.push(f);
        else if (r.removed) rewritten.push({ path: f, ...r });
        else copied++;
        continue;
      }
      if (f.endsWith('.csv')) {
        if (/^\uFEFF?"?term"?,"?z"?,.*example_1/.test(fs.readFileSync(src(f), 'utf8').split('\n')[0])) {
          stale.push({ path: f, reason: 'distinctive terms with example posts over the parent docs: re-run `vernacular discover` on the new version' });
          continue;
        }
        const r = revokeReviewCsv(src(f), dst(f), removedIds);
        if (!r) withheld.push(f);
        else if (r.removed) rewritten.push({ path: f, ...r });
        else copied++;
        continue;
      }
      withheld.push(f);
    }

    const report: RevokeReport = {
      parent: parentDir,
      at,
      registry_sha256: reg.hashes,
      case_insensitive: ci,
      authors_in_registry: reg.byAuthor.size,
      authors_found: found.size,
      authors: [...new Set([...keys].flatMap((k) => (foundAs.has(k) ? [...foundAs.get(k)!] : [authorPseudonym(o.secret, k, buildCi)])))].sort(),
      removed_docs: Object.fromEntries(Object.entries(removed).sort()),
      rewritten: rewritten.sort((a, b) => (a.path < b.path ? -1 : 1)),
      stale,
      withheld,
      warnings,
      copied,
      shards_rewritten: shardsRewritten.sort(),
      shards_unchanged: shardsUnchanged,
    };
    const lineage = { at, registry_sha256: reg.hashes, as_of: reg.asOf, case_insensitive: ci, authors: report.authors, authors_found: report.authors_found, removed_docs: report.removed_docs, rewritten: report.rewritten, stale: report.stale, withheld: report.withheld };
    for (const [d, m] of Object.entries(manifests)) {
      m.revocations = [...(parents.get(d)!.revocations ?? []), lineage];
      writeJsonAtomic(path.join(staging, d, 'manifest.json'), m);
    }
    writeJsonAtomic(path.join(staging, 'revoke_report.json'), report);
    // rename onto a new name or an empty folder only (checked again: time passed)
    checkOut(parentDir, outDir);
    fs.renameSync(staging, outDir);
    return { report, manifests };
  } catch (e) {
    rmrf(staging);
    throw e;
  }
}
