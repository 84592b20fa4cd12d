import fs from 'node:fs';
import zlib from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { Decompress } from 'fzstd';
import { loadZstd } from './zstd.js';

const corruptZstd = (e: unknown) => Object.assign(new Error(`corrupt zstd data: ${(e as Error).message}`), { code: 'Z_DATA_ERROR' });

/** A streaming zstd decoder in pure JS (fzstd), for when the native binding is not built. Errors carry the codes the gzip path uses. */
export function jsZstdStream(): Transform {
  let dec: Decompress;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        dec.push(chunk);
        cb();
      } catch (e) {
        cb(corruptZstd(e));
      }
    },
    flush(cb) {
      try {
        dec.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new Error('unexpected end of file: ' + (e as Error).message));
      }
    },
  });
  dec = new Decompress((chunk) => t.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  return t;
}

/**
 * A zstd decoder: the native binding when it is built (about 6× faster), else fzstd. Native
 * errors are given the codes the gzip path uses, so callers report both the same way.
 */
function zstdDecoder(): Transform {
  const z = loadZstd();
  if (!z) return jsZstdStream();
  type Cb = (e?: Error | null) => void;
  const Base = z.DecompressStream as unknown as new () => Transform & { _transform(c: Buffer, enc: string, cb: Cb): void; _flush(cb: Cb): void };
  class Decoder extends Base {
    override _transform(chunk: Buffer, enc: string, cb: Cb): void {
      super._transform(chunk, enc, (e) => cb(e ? corruptZstd(e) : e));
    }
    override _flush(cb: Cb): void {
      super._flush((e) => cb(e ? new Error(`unexpected end of file (${e.message})`) : e));
    }
  }
  return new Decoder();
}

/** Compression inferred from a file name. */
function compressionOf(file: string): 'gz' | 'zst' | 'none' {
  if (/\.gz$/i.test(file)) return 'gz';
  if (/\.zst$/i.test(file)) return 'zst';
  return 'none';
}

/** Sees every raw (as stored: compressed) chunk of a file as it is read, in order: its length and its bytes. */
export type OnRead = (bytes: number, chunk: Buffer) => void;

/**
 * A `.zst` file of at most one read (`highWaterMark` bytes), read and decompressed in one call:
 * the bytes the stream would give, without a read stream and a decoder per file (later steps
 * read thousands of small per-locale files). Anything unusual (an empty, unreadable or corrupt
 * file, no native binding) returns undefined, and the stream reports it as it always did.
 */
function smallZstd(file: string, onRead: OnRead | undefined, highWaterMark: number): Readable | undefined {
  const z = loadZstd();
  if (!z) return undefined;
  let raw: Buffer;
  let out: Buffer;
  try {
    if (fs.statSync(file).size > highWaterMark) return undefined;
    raw = fs.readFileSync(file);
    if (raw.length === 0 || raw.length > highWaterMark) return undefined;
    out = z.decompress(raw);
  } catch {
    return undefined;
  }
  onRead?.(raw.length, raw);
  return Readable.from(out.length ? [out] : [], { objectMode: false });
}

/** Open a file as a byte stream, decompressing `.gz` and `.zst` transparently. */
export function openInput(file: string, onRead?: OnRead, highWaterMark = 1 << 20): Readable {
  if (compressionOf(file) === 'zst') {
    const small = smallZstd(file, onRead, highWaterMark);
    if (small) return small;
  }
  const raw = fs.createReadStream(file, { highWaterMark });
  // Counts compressed bytes, so progress matches the file sizes it is measured against; the
  // chunk itself lets a caller hash the raw file in the same read (filter, RawSha).
  if (onRead) raw.on('data', (c) => onRead(c.length, c as Buffer)); // no encoding: always a Buffer
  const kind = compressionOf(file);
  if (kind === 'none') return raw;
  const dec = kind === 'gz' ? zlib.createGunzip({ chunkSize: 1 << 18 }) : zstdDecoder();
  raw.on('error', (e) => dec.destroy(e));
  return raw.pipe(dec);
}
