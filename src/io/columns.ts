import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { InputError } from '../errors.js';

/**
 * A small columnar file for what map tasks hand to a merge step: a JSON header and named typed
 * arrays, little-endian, each array 8-byte aligned so a reader can view it without copying.
 *
 *   "VERNCOL1" | u32 header bytes | header JSON | pad to 8 | array 0 | pad | array 1 | ...
 *
 * The header lists the arrays (name, type, length) next to the caller's own fields.
 */
export type Column = Uint8Array | Uint32Array | Float64Array;
const TYPES = { u8: Uint8Array, u32: Uint32Array, f64: Float64Array } as const;
type TypeName = keyof typeof TYPES;
const MAGIC = 'VERNCOL1';

const typeOf = (a: Column): TypeName => (a instanceof Uint8Array ? 'u8' : a instanceof Uint32Array ? 'u32' : 'f64');
const pad8 = (n: number) => (8 - (n % 8)) % 8;

export function writeColumns(file: string, header: object, columns: { [name: string]: Column }): void {
  const specs = Object.entries(columns).map(([name, a]) => ({ name, type: typeOf(a), length: a.length }));
  const head = Buffer.from(JSON.stringify({ ...header, columns: specs }));
  const parts: Uint8Array[] = [Buffer.from(MAGIC), Buffer.alloc(4), head, Buffer.alloc(pad8(12 + head.length))];
  (parts[1] as Buffer).writeUInt32LE(head.length, 0);
  for (const a of Object.values(columns)) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    parts.push(bytes, Buffer.alloc(pad8(bytes.length)));
  }
  writeFileAtomic(file, Buffer.concat(parts));
}

/** Read only the header (cheap: for sizing before the arrays are loaded). */
export function readColumnsHeader<H>(file: string): H {
  const fd = fs.openSync(file, 'r');
  try {
    const pre = Buffer.alloc(12);
    fs.readSync(fd, pre, 0, 12, 0);
    if (pre.toString('latin1', 0, 8) !== MAGIC) throw new InputError(`${file}: not a vernacular column file (re-run the stage that wrote it)`);
    const head = Buffer.alloc(pre.readUInt32LE(8));
    fs.readSync(fd, head, 0, head.length, 12);
    return JSON.parse(head.toString('utf8')) as H;
  } finally {
    fs.closeSync(fd);
  }
}

export function readColumns<H>(file: string): { header: H; columns: { [name: string]: Column } } {
  const buf = fs.readFileSync(file);
  const bad = (why: string) => new InputError(`${file}: damaged column file (${why}); re-run the stage that wrote it`);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('no header');
  const hl = buf.readUInt32LE(8);
  if (12 + hl > buf.length) throw bad('truncated header');
  const header = JSON.parse(buf.toString('utf8', 12, 12 + hl)) as H & { columns: Array<{ name: string; type: TypeName; length: number }> };
  let off = 12 + hl + pad8(12 + hl);
  const columns: { [name: string]: Column } = {};
  for (const c of header.columns) {
    const T = TYPES[c.type];
    const bytes = c.length * T.BYTES_PER_ELEMENT;
    if (off + bytes > buf.length) throw bad(`column ${c.name} truncated`);
    // a view when the offset is aligned (it is, unless the Buffer came from the shared pool), else a copy
    const abs = buf.byteOffset + off;
    columns[c.name] = abs % 8 === 0 ? new T(buf.buffer, abs, c.length) : new T(new Uint8Array(buf.subarray(off, off + bytes)).buffer);
    off += bytes + pad8(bytes);
  }
  return { header, columns };
}

/**
 * Typed arrays reused from file to file: a reduce reads hundreds of partitions, and arrays made
 * anew per file are garbage the collector frees late (a peak that grew with the number of files).
 * `get` hands out a view of `n` elements of the array kept under `key`, grown when too short.
 */
export class Scratch {
  private readonly arrays = new Map<string, Column>();
  get<T extends Column>(key: string, type: { new (n: number): T }, n: number): T {
    let a = this.arrays.get(key) as T | undefined;
    if (!a || !(a instanceof type) || a.length < n) {
      a = new type(Math.max(n, a instanceof type ? Math.ceil(a.length * 1.5) : 0));
      this.arrays.set(key, a);
    }
    return a.subarray(0, n) as T;
  }
}

/**
 * A list of strings kept as two columns, UTF-8 bytes and each string's end offset (not in the
 * JSON header: a partition's author pseudonyms run to tens of MB, and every reader of the header
 * would parse them). `get(i)` decodes one string.
 */
export class Names {
  private readonly buf: Buffer;
  constructor(
    readonly bytes: Uint8Array,
    readonly ends: Uint32Array,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  static of(names: readonly string[]): Names {
    const bytes = Buffer.from(names.join(''), 'utf8');
    const ends = new Uint32Array(names.length);
    let at = 0;
    names.forEach((n, i) => (ends[i] = at += Buffer.byteLength(n, 'utf8')));
    return new Names(bytes, ends);
  }
  /** From a file's two columns (`<prefix>Names`, `<prefix>Ends`), checked; into `scratch`'s arrays when given (valid until its next use). */
  static read(f: ColumnFile<unknown>, prefix: string, scratch?: Scratch): Names {
    const nb = f.length(`${prefix}Names`);
    const ne = f.length(`${prefix}Ends`);
    const bytes = f.read<Uint8Array>(`${prefix}Names`, 0, nb, scratch?.get(`${prefix}Names`, Uint8Array, nb));
    const ends = f.read<Uint32Array>(`${prefix}Ends`, 0, ne, scratch?.get(`${prefix}Ends`, Uint32Array, ne));
    for (let i = 0, prev = 0; i < ends.length; prev = ends[i++]) if (ends[i] < prev || ends[i] > bytes.length) throw new InputError(`${f.file}: damaged ${prefix} names (offset ${i}); re-run the stage that wrote it`);
    if (ends.length && ends[ends.length - 1] !== bytes.length) throw new InputError(`${f.file}: damaged ${prefix} names (length); re-run the stage that wrote it`);
    return new Names(bytes, ends);
  }
  get length(): number {
    return this.ends.length;
  }
  get(i: number): string {
    if (!(i >= 0 && i < this.ends.length)) throw new RangeError(`name ${i} of ${this.ends.length}`);
    return this.buf.toString('utf8', i ? this.ends[i - 1] : 0, this.ends[i]);
  }
  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.get(i));
  }
  /** The two columns, named for a file. */
  columns(prefix: string): { [name: string]: Column } {
    return { [`${prefix}Names`]: this.bytes, [`${prefix}Ends`]: this.ends };
  }
}

/**
 * A column file opened for reading parts of it: the header, and any column's elements
 * `[from, to)` read with positioned reads, so a reader holds what it asks for, not the file
 * (a signature file is ~600 B per doc; the plan's steps read a few columns, in row chunks).
 */
export class ColumnFile<H> {
  readonly header: H;
  private readonly specs = new Map<string, { type: TypeName; length: number; offset: number }>();
  private fd: number;
  private constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(this.fd).size;
      const bad = (why: string) => new InputError(`${file}: damaged column file (${why}); re-run the stage that wrote it`);
      const pre = Buffer.alloc(12);
      if (size < 12 || fs.readSync(this.fd, pre, 0, 12, 0) < 12 || pre.toString('latin1', 0, 8) !== MAGIC) throw bad('no header');
      const hl = pre.readUInt32LE(8);
      if (12 + hl > size) throw bad('truncated header');
      const head = Buffer.alloc(hl);
      fs.readSync(this.fd, head, 0, hl, 12);
      const header = JSON.parse(head.toString('utf8')) as H & { columns: Array<{ name: string; type: TypeName; length: number }> };
      let off = 12 + hl + pad8(12 + hl);
      for (const c of header.columns) {
        const bytes = c.length * TYPES[c.type].BYTES_PER_ELEMENT;
        if (off + bytes > size) throw bad(`column ${c.name} truncated`);
        this.specs.set(c.name, { type: c.type, length: c.length, offset: off });
        off += bytes + pad8(bytes);
      }
      this.header = header;
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }
  static open<H>(file: string): ColumnFile<H> {
    return new ColumnFile<H>(file);
  }
  /** Elements in column `name` (throws naming the file when it has no such column). */
  length(name: string): number {
    return this.spec(name).length;
  }
  private spec(name: string) {
    const c = this.specs.get(name);
    if (!c) throw new InputError(`${this.file}: no column '${name}'; re-run the stage that wrote it`);
    return c;
  }
  /**
   * Elements `[from, to)` of column `name` (default: all of it), into `into` when given (a typed
   * array of the column's type, at least `to - from` long; the result is a view of it), else a new array.
   */
  read<T extends Column>(name: string, from = 0, to?: number, into?: T): T {
    const c = this.spec(name);
    const end = to ?? c.length;
    if (from < 0 || end > c.length || from > end) throw new RangeError(`${this.file}: column ${name} has ${c.length} elements, asked for [${from}, ${end})`);
    const T = TYPES[c.type];
    if (into && !(into instanceof T)) throw new TypeError(`${this.file}: column ${name} is ${c.type}`);
    if (into && into.length < end - from) throw new RangeError(`${this.file}: ${end - from} elements of ${name} do not fit in ${into.length}`);
    const out = (into ? (into.subarray(0, end - from) as T) : (new T(end - from) as T));
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(this.fd, bytes, done, bytes.length - done, c.offset + from * T.BYTES_PER_ELEMENT + done);
      if (n <= 0) throw new InputError(`${this.file}: column ${name} ended early; re-run the stage that wrote it`);
      done += n;
    }
    return out;
  }
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * `writeColumns` for arrays too large to hold: each column's bytes (little-endian, of its type)
 * come from a raw file and are copied in 1 MB chunks. Written to a temporary name, then renamed.
 */
export function writeColumnsFromFiles(file: string, header: object, columns: Array<{ name: string; type: TypeName; file: string }>): void {
  const specs = columns.map((c) => {
    const bytes = fs.statSync(c.file).size;
    if (bytes % TYPES[c.type].BYTES_PER_ELEMENT) throw new Error(`${c.file}: ${bytes} bytes is not a whole number of ${c.type}`);
    return { name: c.name, type: c.type, length: bytes / TYPES[c.type].BYTES_PER_ELEMENT };
  });
  const head = Buffer.from(JSON.stringify({ ...header, columns: specs }));
  const pre = Buffer.alloc(12);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(head.length, 8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, Buffer.concat([pre, head, Buffer.alloc(pad8(12 + head.length))]));
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const c of columns) {
      const from = fs.openSync(c.file, 'r');
      let total = 0;
      try {
        for (let n = fs.readSync(from, buf, 0, buf.length, null); n > 0; n = fs.readSync(from, buf, 0, buf.length, null)) {
          fs.writeSync(fd, buf, 0, n);
          total += n;
        }
      } finally {
        fs.closeSync(from);
      }
      fs.writeSync(fd, Buffer.alloc(pad8(total)));
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let o = 0; o < b.length; ) o += fs.writeSync(fd, b, o, b.length - o);
}

/** Appends bytes to a file through a 1 MB buffer (for `writeColumnsFromFiles`' raw column files). */
export class RawWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private k = 0;
  private fd: number;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  /** Room for `n` bytes: the buffer and the offset to write them at. */
  slot(n: number): [Buffer, number] {
    if (this.k + n > this.buf.length) this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const at = this.k;
    this.k += n;
    return [this.buf, at];
  }
  /** Appends a typed array's bytes (little-endian on the platforms Node runs on). */
  append(a: Column): void {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (this.k + bytes.length <= this.buf.length) {
      this.buf.set(bytes, this.k);
      this.k += bytes.length;
      return;
    }
    this.flush();
    writeAll(this.fd, bytes);
  }
  private flush(): void {
    if (this.k) writeAll(this.fd, this.buf.subarray(0, this.k));
    this.k = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
