import fs from 'node:fs';
import path from 'node:path';

/** A temp name beside `file`, unique to this process, so a crash never leaves a file that looks whole. */
export function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
}

/**
 * Create `file` for writing (`openSync(file, 'w')`), making its folder first when it is missing:
 * the folder is made only on ENOENT, not checked before every file (a step writes thousands of
 * small files into a few folders).
 */
export function openForWrite(file: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, 'w');
}

/** Write a whole file atomically (temp + rename), making its folder if it is missing. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempPath(file);
  try {
    fs.writeFileSync(tmp, data);
  } catch (e) {
    // the folder is made only when it is missing (see openForWrite)
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
  }
  fs.renameSync(tmp, file);
}

/** Write a JSON value atomically, pretty-printed with sorted-as-given keys and a final newline. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Remove a folder if it exists (used for staging folders of an interrupted build). */
export function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
