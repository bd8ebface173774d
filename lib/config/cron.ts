/**
 * Five-field cron expressions as RKE2 parses `etcd-snapshot-schedule-cron`
 * and the rancher-backup operator a Backup's `schedule` (both robfig/cron's
 * standard parser): a field they would refuse, minutes into the apply, is
 * refused here with the field named.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted instead of numbers, in order from `min`. */
  readonly names?: readonly string[];
  /** `?` stands for "any" (day fields). */
  readonly question?: boolean;
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS, question: true },
];

function value(text: string, field: CronField): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function partProblem(part: string, field: CronField): string | undefined {
  const m = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d{1,2}))?$/.exec(part);
  if (!m) return `the ${field.name} field has "${part}", which is not a number, range, list or step`;
  const [, start, end, step] = m;
  if (start === '?' && !field.question) return `"?" is allowed in the day fields only, not in the ${field.name} field`;
  if ((start === '*' || start === '?') && end !== undefined) return `the ${field.name} field has "${part}", a range of "${start}"`;
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  const from = start === '*' || start === '?' ? field.min : value(start, field);
  const to = end === undefined ? (start === '*' || start === '?' || step !== undefined ? field.max : from) : value(end, field);
  if (from === undefined || to === undefined || from < field.min || to > field.max) return `the ${field.name} field has "${part}", outside ${range}`;
  if (from > to) return `the ${field.name} field has "${part}", a range that ends before it starts`;
  if (step !== undefined && Number(step) === 0) return `the ${field.name} field has "${part}", a step of 0`;
  return undefined;
}

/** What RKE2 would refuse in a five-field expression, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.split(/\s+/);
  if (!/^(\S+\s+){4}\S+$/.test(expression)) return undefined; // the format rule reports it
  for (const [i, field] of FIELDS.entries()) {
    for (const part of fields[i].split(',')) {
      const problem = partProblem(part, field);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** The values each field of a valid expression selects, as robfig/cron v3.0.1 reads them (`parser.go` getRange). */
export interface CronSets {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /**
   * Whether either day field is unrestricted (`*` or `?`, step 1): the day must
   * then match both fields; with both restricted, either (`spec.go` dayMatches).
   */
  readonly dayStar: boolean;
}

/** The sets a five-field expression selects, or undefined when RKE2 would refuse it. */
export function cronSets(expression: string): CronSets | undefined {
  if (!/^(\S+\s+){4}\S+$/.test(expression.trim()) || cronProblem(expression.trim()) !== undefined) return undefined;
  const fields = expression.trim().split(/\s+/);
  let dayStar = false;
  const sets = FIELDS.map((field, i) => {
    const selected = new Set<number>();
    for (const part of fields[i].split(',')) {
      const m = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d{1,2}))?$/.exec(part) as RegExpExecArray;
      const [, start, end, stepText] = m;
      const any = start === '*' || start === '?';
      const step = stepText === undefined ? 1 : Number(stepText);
      // A star with a step above 1 selects like a range, not like a star.
      if (any && step === 1 && (field.name === 'day-of-month' || field.name === 'day-of-week')) dayStar = true;
      const from = any ? field.min : (value(start, field) as number);
      const to = end !== undefined ? (value(end, field) as number) : any || stepText !== undefined ? field.max : from;
      for (let v = from; v <= to; v += step) selected.add(v);
    }
    return selected;
  });
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { minutes: sorted(sets[0]), hours: sorted(sets[1]), daysOfMonth: sets[2], months: sets[3], daysOfWeek: sets[4], dayStar };
}
