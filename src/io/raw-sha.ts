import fs from 'node:fs';
import { createHash, type Hash } from 'node:crypto';

/**
 * The SHA-256 of an input file's raw (as stored, compressed) bytes, for the shards manifest.
 * The filter pass hashes each input as it reads it (`RawSha`) and keeps the result in its
 * partition's completion marker; the manifest takes it from there (`recordedSha`) and reads the
 * file again only when the marker cannot vouch for the file as it is now.
 */
export interface RawShaRecord {
  /** the input, relative to the config file's folder (as in the manifest) */
  path: string;
  /** bytes hashed: the file's size when it was read */
  bytes: number;
  /** the file's mtime (ms) before it was read */
  mtimeMs: number;
  sha256: string;
}

/** The SHA-256 of a whole file, read in 1 MiB blocks. */
export function fileSha(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * Hashes the raw chunks a reader sees (`update`, from `openInput`'s `onRead`). `done` trusts the
 * running hash only when it covered exactly the file's size (a reader that stopped before the end,
 * or one that never saw the raw bytes, as the Parquet reader: the file is hashed on its own).
 */
export class RawSha {
  private readonly h: Hash = createHash('sha256');
  private bytes = 0;
  private readonly size: number;
  private readonly mtimeMs: number;
  constructor(
    private readonly file: string,
    private readonly rel: string,
  ) {
    // a missing file is the reader's to report (as an input error); its hash is then never asked for
    const st = fs.statSync(file, { throwIfNoEntry: false });
    this.size = st?.size ?? -1;
    this.mtimeMs = st?.mtimeMs ?? -1;
  }
  update(chunk: Buffer): void {
    this.h.update(chunk);
    this.bytes += chunk.length;
  }
  done(): RawShaRecord {
    const sha256 = this.bytes === this.size ? this.h.digest('hex') : fileSha(this.file);
    return { path: this.rel, bytes: this.size, mtimeMs: this.mtimeMs, sha256 };
  }
}

/**
 * The SHA-256 of `file` (`rel` in the manifest): the one the filter recorded in `markerFile`
 * when that record names this file at its current size and mtime, else the file's hash now
 * (a marker from an older version, a missing or unreadable marker, a file changed since).
 */
export function recordedSha(markerFile: string, file: string, rel: string): string {
  let raw: Partial<RawShaRecord> | undefined;
  try {
    raw = (JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { stats?: { raw?: Partial<RawShaRecord> } }).stats?.raw;
  } catch {
    raw = undefined;
  }
  if (raw && raw.path === rel && typeof raw.sha256 === 'string' && /^[0-9a-f]{64}$/.test(raw.sha256)) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && st.size === raw.bytes && st.mtimeMs === raw.mtimeMs) return raw.sha256;
  }
  return fileSha(file);
}
