import fs from 'node:fs';
import path from 'node:path';

/** A temp name beside `file`, unique to this process, so a crash never leaves a file that looks whole. */
export function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
}

/** Write a whole file atomically (temp + rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempPath(file);
  fs.writeFileSync(tmp, data);
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
