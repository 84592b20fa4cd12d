import type { Config } from '../config/schema.js';
import type { Doc, SourceRef } from '../doc.js';
import type { JsonlWriter } from './writers/jsonl.js';
import { FlatScan, Kind, memberValue, scanFlatObject } from './flat-json.js';
import { mapRow, mappedColumns, type Mapped } from './mapping.js';
import { isChatKind } from './conversations.js';

const COMMA = Buffer.from(',');

/**
 * The fast path from a JSONL line to a Doc line: scan the flat row, decode only the mapped
 * columns, run the same `mapRow` on them (so every check and message is the same), and write a
 * kept doc with its text and unmapped fields copied as raw JSON bytes from the input.
 * `scanLine` and `map` refuse anything outside the fast path (nested values, escaped or
 * duplicated mapped keys, text over the size limit, a non-string text, invalid JSON); the
 * caller then parses the line with JSON.parse and the general `mapRow`. `FlatGate`
 * (eligibility/flat-gate.ts) decides most lines from the scan alone, before `map`.
 */
export class FlatRowMapper {
  readonly scan = new FlatScan();
  private readonly names: Buffer[];
  /** (key length << 8 | first byte) → candidate slots, so a key is matched with one Map lookup and a short byte loop */
  private readonly byShape = new Map<number, number[]>();
  readonly columns: string[];
  private readonly textSlot: number;
  /** per mapped column (slot), the member index of the last scanned line, or -1 */
  readonly memberOf: Int32Array;
  /** the members of the last scanned line that are not mapped (they go to meta), in order */
  readonly metaIdx = new Int32Array(64);
  nMeta = 0;
  private textMember = -1;
  buf: Buffer | undefined;

  constructor(private readonly config: Config) {
    this.columns = [...mappedColumns(config)];
    if (this.columns.length > 30) throw new Error('flat mapper: too many mapped columns');
    this.names = this.columns.map((c) => Buffer.from(c));
    this.names.forEach((nm, j) => {
      const shape = (nm.length << 8) | (nm[0] ?? 0);
      (this.byShape.get(shape) ?? this.byShape.set(shape, []).get(shape)!).push(j);
    });
    this.textSlot = this.columns.indexOf(config.fields.text);
    this.memberOf = new Int32Array(this.columns.length);
  }

  /** The slot of a column name, or -1 when it is not mapped. */
  slot(column: string | null | undefined): number {
    return column ? this.columns.indexOf(column) : -1;
  }

  /** The mapped-column slot whose name is the bytes `b[ks, ke)`, or -1. */
  private slotOf(b: Buffer, ks: number, ke: number): number {
    const cands = this.byShape.get(((ke - ks) << 8) | (ke > ks ? b[ks] : 0));
    if (cands === undefined) return -1;
    for (const j of cands) {
      const nm = this.names[j];
      let k = 1;
      while (k < nm.length && nm[k] === b[ks + k]) k++;
      if (k >= nm.length) return j;
    }
    return -1;
  }

  /**
   * Scan `b[s, e)` and match its keys to the mapped columns (`memberOf`); false when the line is
   * outside the fast path: not a flat object, an escaped or repeated mapped key, `__proto__`, or
   * an unmapped key that starts with a digit (JSON.stringify would move it to the front of meta).
   */
  scanLine(b: Buffer, s: number, e: number): boolean {
    const sc = this.scan;
    if (!scanFlatObject(b, s, e, sc)) return false;
    const memberOf = this.memberOf;
    memberOf.fill(-1);
    this.nMeta = 0;
    for (let k = 0; k < sc.n; k++) {
      const ks = sc.keyStart[k];
      const kl = sc.keyEnd[k] - ks;
      const slot = this.slotOf(b, ks, ks + kl);
      if (slot < 0) {
        if (kl === 9 && b.toString('latin1', ks, ks + 9) === '__proto__') return false;
        if (kl > 0 && b[ks] >= 48 && b[ks] <= 57) return false;
        this.metaIdx[this.nMeta++] = k;
        continue;
      }
      if (memberOf[slot] >= 0) return false; // a repeated mapped key: the JSON.parse path makes the row malformed
      memberOf[slot] = k;
    }
    this.buf = b;
    return true;
  }

  /** Map the line `scanLine` accepted with the general `mapRow`; undefined to fall back to JSON.parse (text not a string or over the size limit). */
  map(source: SourceRef): Mapped | undefined {
    const b = this.buf!;
    const sc = this.scan;
    const fields: { [k: string]: unknown } = {};
    this.textMember = -1;
    for (let slot = 0; slot < this.columns.length; slot++) {
      const k = this.memberOf[slot];
      if (k < 0) continue;
      if (slot === this.textSlot) {
        const kind = sc.kind[k];
        if (kind !== Kind.Str && kind !== Kind.StrEsc) return undefined;
        // raw bytes ≥ decoded UTF-8 bytes, so within the limit here means within it decoded
        if (sc.valEnd[k] - sc.valStart[k] - 2 > this.config.limits.max_text_bytes) return undefined;
        this.textMember = k;
        // mapRow only needs to know the text is a non-empty string: a stand-in, unless it may be
        // empty or all spaces (missing), which the decoded value decides
        const c0 = b[sc.valStart[k] + 1];
        fields[this.columns[slot]] = c0 > 32 && c0 < 127 && c0 !== 92 && c0 !== 34 ? 'x' : memberValue(b, sc, k);
      } else fields[this.columns[slot]] = memberValue(b, sc, k);
    }
    // a chat turn's rules read its text (short turns): the real one
    const kind = fields[this.config.fields.kind];
    if (this.textMember >= 0 && typeof kind === 'string' && isChatKind(kind.trim().toLowerCase(), this.config)) fields[this.config.fields.text] = memberValue(b, sc, this.textMember);
    return mapRow(fields, this.config, source);
  }

  /** An upper bound of the bytes `putMeta` writes for the last scanned line. */
  metaBytes(): number {
    const sc = this.scan;
    let n = 0;
    for (let j = 0; j < this.nMeta; j++) n += sc.valEnd[this.metaIdx[j]] - sc.keyStart[this.metaIdx[j]] + 2;
    return n;
  }

  /**
   * Write the last scanned line's unmapped members (the inside of `meta`) as the input wrote
   * them, comma-separated; runs of consecutive members are copied as one byte range.
   */
  putMeta(w: JsonlWriter): void {
    const b = this.buf!;
    const sc = this.scan;
    const idx = this.metaIdx;
    for (let j = 0; j < this.nMeta; ) {
      let k = j;
      while (k + 1 < this.nMeta && idx[k + 1] === idx[k] + 1) k++;
      if (j) w.putBytes(COMMA, 0, 1);
      w.putBytes(b, sc.keyStart[idx[j]] - 1, sc.valEnd[idx[k]]);
      j = k + 1;
    }
  }

  /**
   * Write the doc of the last `map`ped line: its fields serialised as `JSON.stringify` would,
   * with the text and the unmapped fields spliced in as the input's raw JSON bytes.
   */
  write(w: JsonlWriter, doc: Doc): void | Promise<void> {
    const b = this.buf!;
    const sc = this.scan;
    // the Doc's keys in the order mapRow and the gate create them (a test holds this to JSON.stringify)
    const head = `{"id":${JSON.stringify(doc.id)},"text":`;
    const mid = `,"authorId":${JSON.stringify(doc.authorId)},"createdAt":${JSON.stringify(doc.createdAt)},"country":${JSON.stringify(doc.country)},"kind":${JSON.stringify(doc.kind)},"visibility":${JSON.stringify(doc.visibility)},"meta":{`;
    const rest = JSON.stringify(doc.meta).slice(1, -1);
    let tail = `},"source":${JSON.stringify(doc.source)}`;
    if (doc.ageAtPost !== undefined) tail += `,"ageAtPost":${JSON.stringify(doc.ageAtPost)}`;
    tail += '}';
    const ts = sc.valStart[this.textMember];
    const te = sc.valEnd[this.textMember];
    const max = (head.length + mid.length + rest.length + tail.length) * 3 + (te - ts) + this.metaBytes();
    const p = w.begin(max);
    w.putString(head);
    w.putBytes(b, ts, te);
    w.putString(mid);
    this.putMeta(w);
    w.putString(rest && this.nMeta ? ',' + rest + tail : rest + tail);
    w.end();
    return p;
  }
}
