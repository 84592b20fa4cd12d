import fs from 'node:fs';
import path from 'node:path';

/** The shards folder of `--build`: the folder itself when it holds a manifest, else its `shards/`. */
export const shardsOf = (build: string) => (fs.existsSync(path.join(build, 'manifest.json')) ? build : path.join(build, 'shards'));
