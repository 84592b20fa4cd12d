import fs from 'node:fs';
import path from 'node:path';

/** The typed arrays a cache file holds. */
export type Typed = Int32Array | Uint16Array | Uint8Array | Float32Array;
export type TypedCtor = Int32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor | Float32ArrayConstructor;

/**
 * A cache file of typed arrays: one line of JSON (`meta` plus the parts' lengths), padded so the
 * first part starts at a multiple of 8 bytes, then each part, padded to a multiple of 8. Written to
 * a temporary file and renamed, so a reader never sees half a file; a file that cannot be written
 * only costs time.
 */
export function writeTyped(file: string, meta: object, parts: readonly Typed[]): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let json = JSON.stringify({ ...meta, lengths: parts.map((p) => p.length) });
    while ((Buffer.byteLength(json) + 1) % 8) json += ' ';
    const pad = (n: number) => Buffer.alloc((8 - (n % 8)) % 8);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(json + '\n'), ...parts.flatMap((p) => [Buffer.from(p.buffer, p.byteOffset, p.byteLength), pad(p.byteLength)])]));
    fs.renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

/**
 * Reads what `writeTyped` wrote, with parts of the given types: views on the file's bytes (copies
 * if the buffer is not 8-aligned), and the header's other fields; undefined when the file is
 * missing, short, longer than its parts or not of this shape.
 */
export function readTyped(file: string, types: readonly TypedCtor[]): { meta: { [k: string]: unknown }; parts: Typed[] } | undefined {
  try {
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    const meta = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { [k: string]: unknown };
    const lengths = meta.lengths;
    if (!Array.isArray(lengths) || lengths.length !== types.length || !lengths.every((n) => Number.isInteger(n) && n >= 0)) return undefined;
    const aligned = buf.byteOffset % 8 === 0;
    let o = nl + 1;
    const parts = types.map((C, i) => {
      const n = lengths[i] as number;
      const bytes = n * C.BYTES_PER_ELEMENT;
      if (o % 8 || o + bytes > buf.length) throw new Error('misaligned or short');
      const a = aligned ? new C(buf.buffer, buf.byteOffset + o, n) : new C(new Uint8Array(buf.subarray(o, o + bytes)).buffer);
      o += bytes + ((8 - (bytes % 8)) % 8);
      return a;
    });
    return o === buf.length ? { meta, parts } : undefined;
  } catch {
    return undefined;
  }
}
