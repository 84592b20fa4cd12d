import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { openForWrite, tempPath } from '../atomic.js';
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

/**
 * One zstd compressor per (level, checksum) for the whole process: a compressor compresses each
 * block as a frame of its own (`compress` starts a new frame with the same parameters), so
 * writers can share one and write the bytes a compressor of their own would. Segment and
 * features keep a writer per (partition, locale), thousands per run; building a native
 * compressor for each cost ~0.1 ms.
 */
const compressors = new Map<number, (b: Buffer) => Buffer>();
function zstdCompressor(file: string, level: number): (b: Buffer) => Buffer {
  let c = compressors.get(level);
  if (!c) {
    const z = loadZstd();
    if (!z) throw new Error(`${file}: zstd output needs the optional zstd-napi build, which is missing here`);
    const native = new z.Compressor();
    native.setParameters({ compressionLevel: level, checksumFlag: true });
    c = (b) => native.compress(b);
    compressors.set(level, c);
  }
  return c;
}

/** A writer's first block (it grows to the full block size as lines arrive). */
const FIRST_BLOCK = 32 << 10;
const EMPTY = Buffer.alloc(0);

/**
 * Streaming JSONL writer, gzip-compressed when the name ends in `.gz`, zstd when it ends in
 * `.zst` (needs the optional `zstd-napi` build: check `loadZstd()` before choosing the name).
 * Lines are gathered into ~1 MB blocks before they reach the stream. The file appears under its name only when `close`
 * succeeds (temp + rename); `abort` removes the temp file. zstd and plain files are written with
 * synchronous writes of whole blocks (a block is compressed on this thread anyway): no stream, no
 * thread-pool round trip per block, which for thousands of small files per step cost more than
 * the writing itself; gzip goes through zlib's stream.
 */
export class JsonlWriter {
  readonly file: string;
  private readonly tmp: string;
  /** gzip: the file's stream and the gzip stream in front of it; zstd and plain: undefined (`fd` is written directly) */
  private readonly sink: fs.WriteStream | undefined;
  private readonly head: Writable | undefined;
  /** zstd and plain: the temp file, open for writing until `close` or `abort` */
  private fd: number | undefined;
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
    this.tmp = tempPath(file);
    if (file.endsWith('.gz')) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const sink = fs.createWriteStream(this.tmp);
      sink.on('error', (e) => (this.error ??= e));
      // mtime 0 in the header is zlib's default, so output bytes depend only on content.
      const gz = zlib.createGzip({ level: opts.level ?? 6 });
      gz.on('error', (e) => (this.error ??= e));
      gz.pipe(sink);
      this.sink = sink;
      this.head = gz;
      return;
    }
    // One frame per block, compressed synchronously on this thread: a file of concatenated
    // frames is one zstd stream to every decoder. In the filter on 482 MB of docs this cost
    // ~0.5 s where the binding's CompressStream cost ~2 s (its per-chunk stream machinery).
    if (file.endsWith('.zst')) this.compress = zstdCompressor(file, opts.level ?? 3);
    this.fd = openForWrite(this.tmp);
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
    if (this.fd !== undefined) {
      // written before this returns: the block (or its compressed copy) is reused
      const b = this.compress ? this.compress(this.block.subarray(0, this.used)) : this.block.subarray(0, this.used);
      this.used = 0;
      writeAll(this.fd, b);
      return;
    }
    // The stream keeps the Buffer it is given: hand over this block, start a fresh one (at full
    // size: a writer that filled one block will likely fill more)
    const head = this.head!;
    const out = this.block.subarray(0, this.used);
    this.block = more ? Buffer.allocUnsafe(this.cap) : EMPTY;
    this.used = 0;
    if (!head.write(out)) return new Promise((r) => head.once('drain', () => r()));
  }

  /** Flush, close and rename into place. */
  async close(): Promise<void> {
    if (this.fd !== undefined) {
      // an empty .zst file is not a zstd stream (the CLI calls it truncated): write an empty frame
      if (this.compress && this.count === 0) writeAll(this.fd, this.compress(Buffer.alloc(0)));
      this.flushBlock(false);
      const fd = this.fd;
      this.fd = undefined;
      fs.closeSync(fd);
      fs.renameSync(this.tmp, this.file);
      return;
    }
    await this.flushBlock(false);
    const sink = this.sink!;
    await new Promise<void>((resolve, reject) => {
      sink.once('close', () => (this.error ? reject(this.error) : resolve()));
      sink.once('error', reject);
      this.head!.end();
    });
    if (this.error) throw this.error;
    fs.renameSync(this.tmp, this.file);
  }

  /** Drop the temp file (on failure). */
  abort(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        fs.closeSync(fd);
      } catch {
        // already failing: the temp file goes either way
      }
    }
    this.head?.destroy();
    this.sink?.destroy();
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Write all of `b` at the file's current position (a short write continues where it stopped). */
function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
}
