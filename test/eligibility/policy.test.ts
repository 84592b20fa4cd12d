import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { mapRow } from '../../src/io/mapping.js';
import { exclusionReason, gateContext, ageOn } from '../../src/eligibility/policy.js';
import type { ObjectionRegistry } from '../../src/eligibility/objections.js';
import { FIELDS, record } from '../helpers.js';

const EU = ['AT', 'DE', 'IE', 'FR', 'BE'];

function cfg(over: { [k: string]: unknown } = {}, fieldsOver: { [k: string]: unknown } = {}): Config {
  return configSchema.parse({
    inputs: [{ path: 'x.jsonl' }],
    fields: { ...FIELDS, ...fieldsOver },
    policy: { countries: EU, window: { from: '2024-06-01', to: '2026-05-31' }, ...over },
  });
}

const noObjections: ObjectionRegistry = { byAuthor: new Map(), caseInsensitive: false, hashes: [], asOf: null };

function judge(row: { [k: string]: unknown }, config = cfg(), registry = noObjections): string | undefined {
  const m = mapRow(row, config, { file: 'f', line: 1 });
  if (m.bad !== undefined) return `malformed:${m.bad}`;
  return exclusionReason(m.doc, m.elig, gateContext(config, registry));
}

describe('eligibility rules, both outcomes', () => {
  const cases: Array<[string, { [k: string]: unknown }, string | undefined]> = [
    ['public post by an adult in the EU, in the window', {}, undefined],
    ['born on 29 February of a leap year', { user_birth_date: '2000-02-29' }, undefined],
    ['comment is an allowed kind', { type: 'comment' }, undefined],
    // a chat turn is judged by the chat rules (test/eligibility/chats.test.ts): without a role it is no one's own turn
    ['an ai_chat row without a role is not the person\'s turn (fail closed)', { type: 'ai_chat' }, 'missing:role'],
    ['direct message is never eligible', { type: 'dm' }, 'kind'],
    ['private_message kind is never eligible', { type: 'private_message' }, 'kind'],
    ['friends-only post', { audience: 'friends' }, 'visibility'],
    ['private audience', { audience: 'private' }, 'visibility'],
    ['visibility compared case-insensitively', { audience: 'PUBLIC' }, undefined],
    ['deleted post', { is_deleted: true }, 'deleted'],
    ['deleted as string "false" is kept', { is_deleted: 'false' }, undefined],
    ['non-EU country', { country_code: 'US' }, 'country'],
    ['UK is not in the EU-27', { country_code: 'GB' }, 'country'],
    ['lower-case country code accepted', { country_code: 'at' }, undefined],
    ['before the window', { created: '2024-05-31T23:59:59Z' }, 'window'],
    ['first second of the window', { created: '2024-06-01T00:00:00Z' }, undefined],
    ['last day of the window is inside', { created: '2026-05-31T22:00:00Z' }, undefined],
    ['after the window', { created: '2026-06-01T00:00:00Z' }, 'window'],
    ['minor at posting time', { user_birth_date: '2008-03-02', created: '2025-03-01T10:00:00Z' }, 'minor'],
    ['18th birthday is the first adult day', { user_birth_date: '2007-03-01', created: '2025-03-01T00:00:00Z' }, undefined],
    ['the day before the 18th birthday', { user_birth_date: '2007-03-02', created: '2025-03-01T23:59:59Z' }, 'minor'],
    ['epoch seconds are not RFC 3339 (created_at_format defaults to rfc3339)', { created: 1740823200 }, 'invalid:created_at'],
  ];
  it.each(cases)('%s', (_name, over, want) => {
    expect(judge(record(over))).toBe(want);
  });
  it('epoch seconds are accepted where fields.created_at_format says epoch_s', () => {
    expect(judge(record({ created: 1740823200 }), cfg({}, { created_at_format: 'epoch_s' }))).toBeUndefined();
  });
});

describe('fail closed: a field needed to decide that is missing or unparseable excludes', () => {
  const drop = (k: string) => {
    const r = record();
    delete r[k];
    return r;
  };
  const cases: Array<[string, { [k: string]: unknown }, string]> = [
    ['author id missing', drop('user_id'), 'missing:author_id'],
    ['author id of the wrong type', record({ user_id: { a: 1 } }), 'invalid:author_id'],
    ['visibility missing', drop('audience'), 'missing:visibility'],
    ['kind missing', drop('type'), 'missing:kind'],
    ['deleted flag missing', drop('is_deleted'), 'missing:deleted'],
    ['deleted flag unreadable', record({ is_deleted: 'maybe' }), 'invalid:deleted'],
    ['country missing', drop('country_code'), 'missing:country'],
    ['country not a code', record({ country_code: 'Austria' }), 'invalid:country'],
    ['created missing', drop('created'), 'missing:created_at'],
    ['created unparseable', record({ created: 'yesterday' }), 'invalid:created_at'],
    ['birth date missing', drop('user_birth_date'), 'missing:author_birth_date'],
    ['birth date unparseable', record({ user_birth_date: '01/02/1990' }), 'invalid:author_birth_date'],
    // dates the calendar does not have are not rolled over into the next month
    ['created on a day April does not have', record({ created: '2025-04-31T08:00:00Z' }), 'invalid:created_at'],
    ['created on 29 February of a common year', record({ created: '2025-02-29T12:00:00Z' }), 'invalid:created_at'],
    ['created in month 13', record({ created: '2025-13-01 10:00' }), 'invalid:created_at'],
    ['birth date on 30 February', record({ user_birth_date: '2001-02-30' }), 'invalid:author_birth_date'],
    ['birth date on 29 February of a common year', record({ user_birth_date: '2001-02-29' }), 'invalid:author_birth_date'],
    ['blank visibility counts as missing', record({ audience: '  ' }), 'missing:visibility'],
  ];
  it.each(cases)('%s', (_n, row, want) => {
    expect(judge(row)).toBe(want);
  });

  it('age from an age-at-export field uses the latest possible birth date', () => {
    const c = cfg({ age_field: 'at_export', export_date: '2026-06-01' }, { author_birth_date: null, author_age: 'age' });
    // 19 on 2026-06-01 → born 2006-06-02 at the latest → only 17 on 2024-07-01 at the earliest reading
    expect(judge({ ...record({ created: '2024-07-01T00:00:00Z' }), age: 19, user_birth_date: undefined }, c)).toBe('minor');
    expect(judge({ ...record({ created: '2026-01-01T00:00:00Z' }), age: 19 }, c)).toBeUndefined();
    expect(judge({ ...record(), age: 'nineteen' }, c)).toBe('invalid:author_age');
    const r = record();
    expect(judge(r, c)).toBe('missing:author_age');
  });

  it('age field read as age when posting', () => {
    const c = cfg({ age_field: 'at_post' }, { author_birth_date: null, author_age: 'age' });
    expect(judge({ ...record(), age: 17 }, c)).toBe('minor');
    expect(judge({ ...record(), age: 18 }, c)).toBeUndefined();
  });

  it('a row with neither id nor text is malformed, not excluded', () => {
    const r = record();
    delete r.post_id;
    expect(judge(r)).toMatch(/^malformed:missing field 'post_id'/);
    expect(judge(record({ body: 42 }))).toMatch(/^malformed:.*expected a string/);
  });
});

describe('objection registry in the gate', () => {
  const reg = (ids: Array<[string, string]>, ci = false): ObjectionRegistry => ({
    byAuthor: new Map(ids.map(([id, at]) => [ci ? id.toLowerCase() : id, Date.parse(at)])),
    caseInsensitive: ci,
    hashes: [],
    asOf: null,
  });
  it('an objection excludes all of the author\'s content, whatever its date', () => {
    const r = reg([['u1', '2025-06-01T00:00:00Z']]);
    expect(judge(record({ created: '2025-01-01T00:00:00Z' }), cfg(), r)).toBe('objection');
    expect(judge(record({ created: '2025-09-01T00:00:00Z' }), cfg(), r)).toBe('objection');
    expect(judge(record({ user_id: 'u2' }), cfg(), r)).toBeUndefined();
  });
  it('objection_scope after_objection keeps earlier content', () => {
    const r = reg([['u1', '2025-06-01T00:00:00Z']]);
    const c = cfg({ objection_scope: 'after_objection' });
    expect(judge(record({ created: '2025-01-01T00:00:00Z' }), c, r)).toBeUndefined();
    expect(judge(record({ created: '2025-09-01T00:00:00Z' }), c, r)).toBe('objection');
  });
  it('ids are compared after trimming; case matters unless case_insensitive', () => {
    expect(judge(record({ user_id: ' u1 ' }), cfg(), reg([['u1', '2025-01-01']]))).toBe('objection');
    expect(judge(record({ user_id: 'U1' }), cfg(), reg([['u1', '2025-01-01']]))).toBeUndefined();
    const ci = configSchema.parse({ ...cfg(), objections: { case_insensitive: true } });
    expect(judge(record({ user_id: 'U1' }), ci, reg([['u1', '2025-01-01']], true))).toBe('objection');
  });
  it('objection is checked before everything else but the author id', () => {
    expect(judge(record({ audience: 'friends' }), cfg(), reg([['u1', '2025-01-01']]))).toBe('objection');
  });
});

describe('ageOn', () => {
  it.each([
    ['2000-02-29', '2018-02-28T12:00:00Z', 17],
    ['2000-02-29', '2018-03-01T00:00:00Z', 18],
    ['1990-12-31', '2008-12-31T00:00:00Z', 18],
    ['1990-12-31', '2008-12-30T23:59:59Z', 17],
  ])('born %s, at %s → %i', (b, at, want) => expect(ageOn(b, at)).toBe(want));
});

describe('config dates', () => {
  it('a window bound the calendar does not have is a config error at its path (not a silently open window)', () => {
    const r = configSchema.safeParse({ inputs: [{ path: 'x.jsonl' }], fields: FIELDS, policy: { countries: EU, window: { from: '2025-02-30', to: '2026-04-31' } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['policy.window.from', 'policy.window.to']);
  });
});
