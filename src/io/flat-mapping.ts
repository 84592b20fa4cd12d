import type { Config } from '../config/schema.js';
import type { Doc, SourceRef } from '../doc.js';
import type { JsonlWriter } from './writers/jsonl.js';
import { FlatScan, Kind, memberValue, scanFlatObject } from './flat-json.js';
import { mapRow, mappedColumns, type Mapped } from './mapping.js';

const PROTO = Buffer.from('__proto__');

/**
 * The fast path from a JSONL line to a Doc line: scan the flat row, decode only the mapped
 * columns, run the same `mapRow` on them (so every check and message is the same), and write a
 * kept doc with its text and unmapped fields copied as raw JSON bytes from the input. `map`
 * returns undefined for anything outside the fast path (nested values, escaped or duplicated
 * mapped keys, text over the size limit, a non-string text, invalid JSON); the caller then
 * parses the line with JSON.parse and the general `mapRow`.
 */
export class FlatRowMapper {
  private readonly scan = new FlatScan();
  private readonly names: Buffer[];
  private readonly columns: string[];
  private readonly textSlot: number;
  private readonly metaIdx = new Int32Array(64);
  private nMeta = 0;
  private textMember = -1;
  private buf: Buffer | undefined;

  constructor(private readonly config: Config) {
    this.columns = [...mappedColumns(config)];
    if (this.columns.length > 30) throw new Error('flat mapper: too many mapped columns');
    this.names = this.columns.map((c) => Buffer.from(c));
    this.textSlot = this.columns.indexOf(config.fields.text);
  }

  map(b: Buffer, s: number, e: number, source: SourceRef): Mapped | undefined {
    const sc = this.scan;
    if (!scanFlatObject(b, s, e, sc)) return undefined;
    const fields: { [k: string]: unknown } = {};
    let seen = 0;
    this.nMeta = 0;
    this.textMember = -1;
    for (let k = 0; k < sc.n; k++) {
      const ks = sc.keyStart[k];
      const kl = sc.keyEnd[k] - ks;
      let slot = -1;
      for (let j = 0; j < this.names.length; j++) {
        const nm = this.names[j];
        if (nm.length === kl && b.compare(nm, 0, kl, ks, ks + kl) === 0) {
          slot = j;
          break;
        }
      }
      if (slot < 0) {
        if (kl === 9 && b.compare(PROTO, 0, 9, ks, ks + 9) === 0) return undefined;
        this.metaIdx[this.nMeta++] = k;
        continue;
      }
      if (seen & (1 << slot)) return undefined; // JSON.parse keeps the last one: leave that to it
      seen |= 1 << slot;
      if (slot === this.textSlot) {
        const kind = sc.kind[k];
        if (kind !== Kind.Str && kind !== Kind.StrEsc) return undefined;
        // raw bytes ≥ decoded UTF-8 bytes, so within the limit here means within it decoded
        if (sc.valEnd[k] - sc.valStart[k] - 2 > this.config.limits.max_text_bytes) return undefined;
        this.textMember = k;
        fields[this.columns[slot]] = '';
      } else fields[this.columns[slot]] = memberValue(b, sc, k);
    }
    this.buf = b;
    return mapRow(fields, this.config, source);
  }

  /**
   * Write the doc of the last `map`ped line: its fields serialised as `JSON.stringify` would,
   * with the text and the unmapped fields spliced in as the input's raw JSON bytes.
   */
  write(w: JsonlWriter, doc: Doc): void | Promise<void> {
    const b = this.buf!;
    const sc = this.scan;
    const s = JSON.stringify(doc);
    // inside a JSON string every quote is escaped, so these markers can only be the keys
    const ti = s.indexOf('"text":""') + 7;
    const mi = s.indexOf('"meta":{') + 8;
    const ts = sc.valStart[this.textMember];
    const te = sc.valEnd[this.textMember];
    let max = s.length * 3 + (te - ts) + 2;
    for (let j = 0; j < this.nMeta; j++) {
      const k = this.metaIdx[j];
      max += sc.valEnd[k] - sc.keyStart[k] + 4;
    }
    const p = w.begin(max);
    w.putString(s.slice(0, ti));
    w.putBytes(b, ts, te);
    w.putString(s.slice(ti + 2, mi));
    for (let j = 0; j < this.nMeta; j++) {
      const k = this.metaIdx[j];
      if (j) w.putString(',');
      // "key": value, as the input wrote them (the key with its quotes)
      w.putBytes(b, sc.keyStart[k] - 1, sc.keyEnd[k] + 1);
      w.putString(':');
      w.putBytes(b, sc.valStart[k], sc.valEnd[k]);
    }
    if (this.nMeta && s.charCodeAt(mi) !== 125) w.putString(',');
    w.putString(s.slice(mi));
    w.end();
    return p;
  }
}
