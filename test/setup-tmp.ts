import { afterAll } from 'vitest';
import { removeTmpDirs } from './helpers.js';

// every test file's temp folders go when its tests are done (a full suite made ~100 of them, some
// 230 MB); VERNACULAR_KEEP_TMP=1 keeps them for a look
afterAll(() => removeTmpDirs());
