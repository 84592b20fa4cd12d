import fs from 'node:fs';
import zlib from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { Decompress } from 'fzstd';

/** A streaming zstd decoder (fzstd is pure JS, so no native build is needed). */
function zstdStream(): Transform {
  let dec: Decompress;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        dec.push(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
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

/** Compression inferred from a file name. */
export function compressionOf(file: string): 'gz' | 'zst' | 'none' {
  if (/\.gz$/i.test(file)) return 'gz';
  if (/\.zst$/i.test(file)) return 'zst';
  return 'none';
}

/** Open a file as a byte stream, decompressing `.gz` and `.zst` transparently. */
export function openInput(file: string, onRead?: (bytes: number) => void, highWaterMark = 1 << 20): Readable {
  const raw = fs.createReadStream(file, { highWaterMark });
  // Counts compressed bytes, so progress matches the file sizes it is measured against.
  if (onRead) raw.on('data', (c) => onRead(c.length));
  const kind = compressionOf(file);
  if (kind === 'none') return raw;
  const dec = kind === 'gz' ? zlib.createGunzip({ chunkSize: 1 << 18 }) : zstdStream();
  raw.on('error', (e) => dec.destroy(e));
  return raw.pipe(dec);
}
