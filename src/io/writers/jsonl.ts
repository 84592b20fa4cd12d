import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { tempPath } from '../atomic.js';

/**
 * Streaming JSONL writer, gzip-compressed when the name ends in `.gz`. Lines are gathered into
 * ~1 MB blocks before they reach the stream. The file appears under its name only when `close`
 * succeeds (temp + rename); `abort` removes the temp file.
 */
export class JsonlWriter {
  readonly file: string;
  private readonly tmp: string;
  private readonly sink: fs.WriteStream;
  private readonly head: Writable;
  // Lines are encoded straight into a 1 MB block (no join, no intermediate Buffer per line).
  private block = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private error: Error | undefined;
  count = 0;

  constructor(file: string, opts: { gzipLevel?: number } = {}) {
    this.file = file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = tempPath(file);
    this.sink = fs.createWriteStream(this.tmp);
    this.sink.on('error', (e) => (this.error ??= e));
    if (file.endsWith('.gz')) {
      // mtime 0 in the header is zlib's default, so output bytes depend only on content.
      const gz = zlib.createGzip({ level: opts.gzipLevel ?? 6 });
      gz.on('error', (e) => (this.error ??= e));
      gz.pipe(this.sink);
      this.head = gz;
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
    if (this.used + maxBytes + 1 > this.block.length) {
      wait = this.flushBlock();
      if (maxBytes + 1 > this.block.length) this.block = Buffer.allocUnsafe(maxBytes + 1);
    }
    return wait;
  }

  putString(s: string): void {
    this.used += this.block.write(s, this.used, 'utf8');
  }

  putBytes(b: Buffer, start: number, end: number): void {
    this.used += b.copy(this.block, this.used, start, end);
  }

  end(): void {
    this.block[this.used++] = 10;
  }

  private flushBlock(): void | Promise<void> {
    if (this.error) throw this.error;
    if (!this.used) return;
    // The stream keeps the Buffer it is given: hand over this block, start a fresh one.
    const out = this.block.subarray(0, this.used);
    this.block = Buffer.allocUnsafe(Math.max(1 << 20, this.block.length));
    this.used = 0;
    if (!this.head.write(out)) return new Promise((r) => this.head.once('drain', () => r()));
  }

  /** Flush, close and rename into place. */
  async close(): Promise<void> {
    await this.flushBlock();
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
