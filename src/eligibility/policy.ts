import type { Doc } from '../doc.js';
import type { Config } from '../config/schema.js';
import type { EligibilityInput } from '../io/mapping.js';
import { civilFromMs, parseDateOrTimestamp } from '../dates.js';
import { normaliseAuthorId, type ObjectionRegistry } from './objections.js';
import type { IdConflicts } from './id-conflicts.js';

/**
 * Whole years between a birth date (YYYY-MM-DD) and an instant (epoch ms, or a date / RFC 3339
 * string), by the calendar (UTC). NaN when the instant is not one.
 */
export function ageOn(birthDate: string, at: string | number): number {
  const by = +birthDate.slice(0, 4);
  const bm = +birthDate.slice(5, 7);
  const bd = +birthDate.slice(8, 10);
  const ms = typeof at === 'number' ? at : parseDateOrTimestamp(at);
  if (!Number.isFinite(ms)) return NaN;
  const [y, m, d] = civilFromMs(ms);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Shift a YYYY-MM-DD date by whole years (29 Feb → 28 Feb in common years). */
function minusYears(date: string, years: number): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  const ny = y - years;
  const leap = (ny % 4 === 0 && ny % 100 !== 0) || ny % 400 === 0;
  const dd = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(ny).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

/**
 * The author's age when posting, or why it cannot be known. A birth date gives it exactly; an
 * age on the export date gives a lower bound (the latest birth date consistent with it), so
 * the check errs towards exclusion.
 */
export function ageAtPost(elig: EligibilityInput, config: Config): number | string {
  // A present but invalid value excludes, whatever the other field says: the age is a fallback
  // for an absent birth date only (README, "Fallbacks").
  if (elig.problems.has('invalid:author_birth_date')) return 'invalid:author_birth_date';
  if (elig.problems.has('invalid:author_age')) return 'invalid:author_age';
  if (elig.birthDate) return ageOn(elig.birthDate, elig.createdMs);
  if (elig.age !== undefined) {
    if (config.policy.age_field === 'at_post') return elig.age;
    const exportDate = config.policy.export_date!;
    return ageOn(minusYears(exportDate, elig.age), elig.createdMs);
  }
  return config.fields.author_birth_date ? 'missing:author_birth_date' : 'missing:author_age';
}

/** The gate's context: the config and the objection registry, built once per run. */
export interface GateContext {
  config: Config;
  registry: ObjectionRegistry;
  windowFrom: number;
  windowTo: number;
  countries: Set<string>;
  visibility: Set<string>;
  kinds: Set<string>;
  /** policy.chats.notice_date as epoch ms (NaN when not set) */
  chatNotice: number;
  /** ids of which some other record is excluded for visibility, kind or deletion (the merge pass's resolution); none in a partition's own run */
  conflicts?: IdConflicts;
}

export function gateContext(config: Config, registry: ObjectionRegistry): GateContext {
  const w = config.policy.window;
  // A bare `to` date includes that whole day.
  const to = w.to ? parseDateOrTimestamp(w.to) + (/^\d{4}-\d{2}-\d{2}$/.test(w.to) ? 86_400_000 - 1 : 0) : Infinity;
  return {
    config,
    registry,
    windowFrom: w.from ? parseDateOrTimestamp(w.from) : -Infinity,
    windowTo: to,
    countries: new Set(config.policy.countries),
    visibility: new Set(config.policy.visibility.map((v) => v.toLowerCase())),
    kinds: new Set(config.policy.kinds.map((v) => v.toLowerCase())),
    chatNotice: config.policy.chats.notice_date ? parseDateOrTimestamp(config.policy.chats.notice_date) : NaN,
  };
}

/** A rule returns the exclusion reason, or undefined when the record passes it. */
type Rule = (doc: Doc, elig: EligibilityInput, g: GateContext) => string | undefined;

const problem = (elig: EligibilityInput, field: string) =>
  elig.problems.size === 0
    ? undefined
    : elig.problems.has(`missing:${field}`) ? `missing:${field}` : elig.problems.has(`invalid:${field}`) ? `invalid:${field}` : undefined;

/**
 * The eligibility rules in the order they are checked; the first that fails names the
 * exclusion, so every excluded record is counted exactly once. Fields a rule needs that are
 * missing or unparseable exclude the record (fail closed).
 */
export const RULES: ReadonlyArray<readonly [name: string, rule: Rule]> = [
  // a chat turn: only the person's own turns can be kept; this comes first, so every assistant,
  // system or tool turn is counted as such whatever else it carries
  ['role', (_d, e) => (e.chat === undefined ? undefined : e.chat.role === 'person' ? undefined : e.chat.role === 'assistant' ? 'assistant_turn' : `${e.chat.role === 'missing' ? 'missing' : 'invalid'}:role`)],
  ['author', (_d, e) => problem(e, 'author_id')],
  [
    'objection',
    (d, e, g) => {
      // an objection to the item itself (a conversation, a turn, a post) goes whatever its date
      const items = g.registry.byItem;
      if (items !== undefined && items.size && (items.has(d.id.normalize('NFC')) || (e.chat !== undefined && items.has(e.chat.conversationId.normalize('NFC'))))) return 'objection';
      const at = g.registry.byAuthor.get(normaliseAuthorId(d.authorId, g.registry.caseInsensitive));
      if (at === undefined) return undefined;
      if (g.config.policy.objection_scope === 'all') return 'objection';
      // after_objection: content posted before the objection stays, if its date is known
      return problem(e, 'created_at') ?? (e.createdMs >= at ? 'objection' : undefined);
    },
  ],
  // a chat has no audience: the chat rules below stand in for visibility
  ['visibility', (d, e, g) => (e.chat !== undefined ? undefined : problem(e, 'visibility') ?? (g.visibility.has(d.visibility) ? undefined : 'visibility'))],
  ['kind', (d, e, g) => problem(e, 'kind') ?? (g.kinds.has(d.kind) ? undefined : 'kind')],
  [
    'private_message',
    // a conversation that holds another person is a private message; one that cannot be placed in a
    // conversation cannot be proven not to be. What other records of the conversation say (another
    // person's turn, a deletion, a refused flag: the merge pass's resolution) is looked up here too.
    (_d, e, g) => (e.chat === undefined ? undefined : problem(e, 'conversation_id') ?? (e.chat.group ? 'private_message' : g.conflicts?.conversationReason(e.chat.conversationId))),
  ],
  [
    'chat_condition',
    (_d, e, g) => {
      if (e.chat === undefined) return undefined;
      const c = g.config.policy.chats.condition;
      if (c !== 'notice_date') {
        const p = problem(e, 'chat_allowed');
        if (p) return p;
        if (e.chat.allowed !== true) return 'chat_not_allowed';
      }
      if (c !== 'flag') {
        if (Number.isNaN(g.chatNotice)) return 'missing:chat_notice_date';
        const p = problem(e, 'created_at');
        if (p) return p;
        if (e.createdMs < g.chatNotice) return 'before_chat_notice';
      }
      return undefined;
    },
  ],
  [
    'deleted',
    (_d, e, g) => {
      if (e.chat !== undefined) {
        const p = problem(e, 'conversation_deleted');
        if (p) return p;
        if (e.chat.conversationDeleted) return 'deleted:conversation';
      }
      return g.config.fields.deleted && g.config.policy.exclude_deleted ? problem(e, 'deleted') ?? (e.deleted ? 'deleted' : undefined) : undefined;
    },
  ],
  ['flagged', (_d, e, g) => (g.config.fields.flagged && g.config.policy.exclude_flagged ? problem(e, 'flagged') ?? (e.flagged ? 'flagged' : undefined) : undefined)],
  ['country', (d, e, g) => problem(e, 'country') ?? (g.countries.has(d.country) ? undefined : 'country')],
  [
    'window',
    (d, e, g) => {
      const p = problem(e, 'created_at');
      if (p) return p;
      const t = e.createdMs;
      return t < g.windowFrom || t > g.windowTo ? 'window' : undefined;
    },
  ],
  [
    // for a chat, the age at each turn: its own time
    'age',
    (d, e, g) => {
      const age = ageAtPost(e, g.config);
      if (typeof age === 'string') return age;
      if (!Number.isFinite(age)) return 'invalid:created_at'; // unreachable after `window`; fail closed if it ever is not
      d.ageAtPost = age;
      return age < g.config.policy.min_age ? 'minor' : undefined;
    },
  ],
  // a person turn too short to say anything (ok, thx, 👍): not a decision about eligibility, but
  // dropped here so it is counted in the funnel and the ledger (README, "Chats")
  ['short_turn', (d, e, g) => (e.chat !== undefined && letters(d.text) < g.config.policy.chats.min_letters ? 'short_turn' : undefined)],
  // last, so it is only looked up for records that every rule of their own keeps
  ['conflict', (d, _e, g) => g.conflicts?.reason(d.id)],
];

/** The number of letters (any script) in a text, up to 64. */
function letters(t: string): number {
  let n = 0;
  for (const _ of t.matchAll(/\p{L}/gu)) if (++n >= 64) break;
  return n;
}

/** Judge one mapped record: `undefined` when eligible, else the reason it is excluded. */
export function exclusionReason(doc: Doc, elig: EligibilityInput, g: GateContext): string | undefined {
  for (const [, rule] of RULES) {
    const why = rule(doc, elig, g);
    if (why) return why;
  }
  return undefined;
}
