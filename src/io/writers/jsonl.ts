import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { tempPath } from '../atomic.js';
import { loadZstd } from '../zstd.js';

/** The compression written here when `c` is asked for: zst becomes gz where the optional zstd-napi build is missing. */
export function usableCompression<C extends 'gz' | 'zst' | 'none'>(c: C): C | 'gz' {
  return c === 'zst' && !loadZstd() ? 'gz' : c;
}

/**
 * The file extension of a step's own intermediate docs (segment, features): zstd where the
 * optional zstd-napi build is present (at level 1 it compresses ~3× and decompresses ~2× faster
 * than gzip level 1, and smaller), else gzip. Readers take either (`openInput`).
 */
export function stageDocsExt(): '.jsonl.zst' | '.jsonl.gz' {
  return usableCompression('zst') === 'zst' ? '.jsonl.zst' : '.jsonl.gz';
}

/** A writer's first block (it grows to the full block size as lines arrive). */
const FIRST_BLOCK = 32 << 10;
const EMPTY = Buffer.alloc(0);

/**
 * Streaming JSONL writer, gzip-compressed when the name ends in `.gz`, zstd when it ends in
 * `.zst` (needs the optional `zstd-napi` build: check `loadZstd()` before choosing the name).
 * Lines are gathered into ~1 MB blocks before they reach the stream. The file appears under its name only when `close`
 * succeeds (temp + rename); `abort` removes the temp file.
 */
export class JsonlWriter {
  readonly file: string;
  private readonly tmp: string;
  private readonly sink: fs.WriteStream;
  private readonly head: Writable;
  // Lines are encoded straight into a 1 MB block (no join, no intermediate Buffer per line).
  private readonly blockBytes: number;
  /**
   * The block's size as far as flushing goes (blockBytes, or more after a longer line): a block
   * is handed on when the next line would not fit in `cap`, so what reaches the stream does not
   * depend on `block`'s allocated length, which starts small (many writers stay small: segment
   * keeps one per locale) and grows up to `cap` as lines arrive.
   */
  private cap: number;
  private block: Buffer;
  private used = 0;
  private error: Error | undefined;
  /** block compression done here (zstd), rather than by a stream (gzip) */
  private compress: ((b: Buffer) => Buffer) | undefined;
  count = 0;

  /** `level`: the gzip (default 6) or zstd (default 3) compression level; `blockBytes`: the block size (1 MB). */
  constructor(file: string, opts: { level?: number; blockBytes?: number } = {}) {
    this.file = file;
    this.blockBytes = opts.blockBytes ?? 1 << 20;
    this.cap = this.blockBytes;
    this.block = Buffer.allocUnsafe(Math.min(this.blockBytes, FIRST_BLOCK));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = tempPath(file);
    this.sink = fs.createWriteStream(this.tmp);
    this.sink.on('error', (e) => (this.error ??= e));
    if (file.endsWith('.gz')) {
      // mtime 0 in the header is zlib's default, so output bytes depend only on content.
      const gz = zlib.createGzip({ level: opts.level ?? 6 });
      gz.on('error', (e) => (this.error ??= e));
      gz.pipe(this.sink);
      this.head = gz;
    } else if (file.endsWith('.zst')) {
      const z = loadZstd();
      if (!z) throw new Error(`${file}: zstd output needs the optional zstd-napi build, which is missing here`);
      // One frame per block, compressed synchronously on this thread: a file of concatenated
      // frames is one zstd stream to every decoder. In the filter on 482 MB of docs this cost
      // ~0.5 s where the binding's CompressStream cost ~2 s (its per-chunk stream machinery).
      const c = new z.Compressor();
      c.setParameters({ compressionLevel: opts.level ?? 3, checksumFlag: true });
      this.compress = (b) => c.compress(b);
      this.head = this.sink;
    } else {
      this.head = this.sink;
    }
  }

  /** Append one value as a JSON line. Await the result only when it is a Promise (backpressure). */
  write(value: unknown): void | Promise<void> {
    return this.writeLine(JSON.stringify(value));
  }

  /** Append one pre-serialised JSON line (without the newline). */
  writeLine(line: string): void | Promise<void> {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const wait = this.begin(line.length * 3);
    this.putString(line);
    this.end();
    return wait;
  }

  /**
   * Append one line assembled in place: call `begin` with an upper bound of its UTF-8 bytes, then
   * `putString` / `putBytes` for its pieces, then `end` (which adds the newline). For lines that
   * splice raw bytes from an input (no decode, no re-encode).
   */
  begin(maxBytes: number): void | Promise<void> {
    this.count++;
    let wait: void | Promise<void> = undefined;
    if (this.used + maxBytes + 1 > this.cap) {
      wait = this.flushBlock(true);
      if (maxBytes + 1 > this.cap) this.cap = maxBytes + 1;
    }
    const need = this.used + maxBytes + 1;
    if (need > this.block.length) {
      // grow toward `cap` (doubling): the bytes so far move to the larger block
      const grown = Buffer.allocUnsafe(Math.min(this.cap, Math.max(need, 2 * this.block.length)));
      this.block.copy(grown, 0, 0, this.used);
      this.block = grown;
    }
    return wait;
  }

  putString(s: string): void {
    this.used += this.block.write(s, this.used, 'utf8');
  }

  putBytes(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > 32) {
      this.block.set(b.subarray(start, end), this.used);
    } else {
      // short pieces: a loop beats the native copy's call overhead
      const blk = this.block;
      let u = this.used;
      for (let i = start; i < end; i++) blk[u++] = b[i];
    }
    this.used += n;
  }

  /** Append a non-negative integer's decimal digits. */
  putUint(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    const blk = this.block;
    let p = this.used + digits;
    this.used = p;
    do {
      const q = Math.floor(n / 10);
      blk[--p] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
  }

  end(): void {
    // a line longer than its `begin` bound would have run past the block (typed-array writes
    // there are dropped): fail loudly rather than write a corrupt line
    if (this.used >= this.block.length) throw new Error(`JsonlWriter: a line overran the size given to begin() (${this.file})`);
    this.block[this.used++] = 10;
  }

  /** Hand the block's lines on; `more`: lines follow (a block handed to a stream is replaced by a full-size one). */
  private flushBlock(more: boolean): void | Promise<void> {
    if (this.error) throw this.error;
    if (!this.used) return;
    if (this.compress) {
      // the compressed copy is the stream's; the block is reused
      const z = this.compress(this.block.subarray(0, this.used));
      this.used = 0;
      if (!this.head.write(z)) return new Promise((r) => this.head.once('drain', () => r()));
      return;
    }
    // The stream keeps the Buffer it is given: hand over this block, start a fresh one (at full
    // size: a writer that filled one block will likely fill more)
    const out = this.block.subarray(0, this.used);
    this.block = more ? Buffer.allocUnsafe(this.cap) : EMPTY;
    this.used = 0;
    if (!this.head.write(out)) return new Promise((r) => this.head.once('drain', () => r()));
  }

  /** Flush, close and rename into place. */
  async close(): Promise<void> {
    // an empty .zst file is not a zstd stream (the CLI calls it truncated): write an empty frame
    if (this.compress && this.count === 0) this.head.write(this.compress(Buffer.alloc(0)));
    await this.flushBlock(false);
    await new Promise<void>((resolve, reject) => {
      this.sink.once('close', () => (this.error ? reject(this.error) : resolve()));
      this.sink.once('error', reject);
      this.head.end();
    });
    if (this.error) throw this.error;
    fs.renameSync(this.tmp, this.file);
  }

  /** Drop the temp file (on failure). */
  abort(): void {
    this.head.destroy();
    this.sink.destroy();
    fs.rmSync(this.tmp, { force: true });
  }
}
