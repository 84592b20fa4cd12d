import fs from 'node:fs';

/** A VarDial GDI file (`text TAB label` per line, read in place from ../shared/data/gdi): texts and labels, in file order. */
export function readTsv(file: string): { texts: string[]; labels: string[] } {
  const texts: string[] = [];
  const labels: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const tab = line.lastIndexOf('\t');
    texts.push(line.slice(0, tab));
    labels.push(line.slice(tab + 1).trim());
  }
  return { texts, labels };
}
