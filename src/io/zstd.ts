import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';

const require = createRequire(import.meta.url);

/** The parts of the optional native `zstd-napi` binding this project uses. */
export interface Zstd {
  compress(b: Uint8Array, opts?: { compressionLevel?: number }): Buffer;
  decompress(b: Uint8Array): Buffer;
  Compressor: new () => { setParameters(p: { compressionLevel?: number; checksumFlag?: boolean }): void; compress(b: Uint8Array): Buffer };
  DecompressStream: new () => Transform;
}

let zstd: Zstd | null | undefined;
/** The optional native zstd binding, or null when its build failed at install. */
export function loadZstd(): Zstd | null {
  if (zstd === undefined) {
    try {
      zstd = require('zstd-napi') as Zstd;
    } catch {
      zstd = null;
    }
  }
  return zstd;
}
