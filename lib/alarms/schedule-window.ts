import { cronSets, type CronSets } from '../config/cron';

const MINUTES_PER_DAY = 1_440;
/** The Gregorian calendar repeats itself, weekdays and leap years included, every 400 years (146,097 days, a whole number of weeks). */
const CALENDAR_CYCLE_DAYS = 146_097;
/** The walk starts on 2001-01-01, the first day of a 400-year cycle (any day would do, the cycle is exact), a Monday. */
const FIRST_YEAR = 2001;
const FIRST_WEEKDAY = 1;
/** One cycle and the start of the next: the gap across the cycle's end is one of the cycle's gaps too. */
const WALK_DAYS = CALENDAR_CYCLE_DAYS + 366 * 8 + 1;

/**
 * The longest time, in minutes, between two consecutive runs of a five-field
 * cron expression as RKE2 runs `etcd-snapshot-schedule-cron` (robfig/cron
 * v3.0.1, in the node's time zone: UTC on the Ubuntu images the servers boot),
 * over a whole calendar cycle, so rare days (29 February, the 31st, a weekday
 * on a given date) are counted; undefined when the expression never runs (31
 * February) or is not one RKE2 accepts.
 */
export function longestGapMinutes(expression: string): number | undefined {
  // The settings check and the stack ask for the same schedule.
  if (!gaps.has(expression)) gaps.set(expression, walkGap(expression));
  return gaps.get(expression);
}

const gaps = new Map<string, number | undefined>();

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function walkGap(expression: string): number | undefined {
  const sets = cronSets(expression);
  if (!sets) return undefined;
  // The times of day a matching day runs at, and the longest gap between two of them.
  const times = sets.hours.flatMap((h) => sets.minutes.map((m) => h * 60 + m));
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  let first: number | undefined;
  let last: number | undefined;
  const runsOn = (day: number) => {
    const start = day * MINUTES_PER_DAY;
    if (last !== undefined) longest = Math.max(longest, start + times[0] - last);
    first ??= start + times[0];
    last = start + times[times.length - 1];
  };
  const weekday = (day: number) => (FIRST_WEEKDAY + day) % 7;
  const weekly = weeklyDays(sets);
  if (weekly) {
    // The days repeat every week: two weeks and a day hold every gap between two of them.
    for (let day = 0; day < 15; day++) if (weekly(weekday(day))) runsOn(day);
    return first === undefined ? undefined : longest;
  }
  // Day by day in calendar arithmetic (a Date per day cost ~25 ms a schedule; every settings check asks).
  let day = 0;
  for (let year = FIRST_YEAR; day < WALK_DAYS; year++) {
    for (let month = 1; month <= 12 && day < WALK_DAYS; month++) {
      const length = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
      if (!sets.months.has(month)) {
        day += length;
        continue;
      }
      for (let date = 1; date <= length && day < WALK_DAYS; date++, day++) {
        const dom = sets.daysOfMonth.has(date);
        const dow = sets.daysOfWeek.has(weekday(day));
        if (sets.dayStar ? dom && dow : dom || dow) runsOn(day);
      }
    }
  }
  return first === undefined ? undefined : longest;
}

/**
 * Whether a day runs by its weekday alone, when the months and the dates do
 * not matter (every month, and every date or a day-of-week star in robfig's
 * OR): the usual schedules, whose gaps a fortnight shows without the calendar.
 */
function weeklyDays(sets: CronSets): ((weekday: number) => boolean) | undefined {
  if (sets.months.size !== 12) return undefined;
  const everyDate = sets.daysOfMonth.size === 31;
  if (sets.dayStar) return everyDate ? (weekday) => sets.daysOfWeek.has(weekday) : undefined;
  return everyDate || sets.daysOfWeek.size === 7 ? () => true : undefined;
}

/** What the alarm adds to the longest gap: an upload takes minutes, and metrics arrive a few minutes late. */
export const FRESHNESS_GRACE_MINUTES = 60;
/** The alarm's period: one hour, so the window may reach CloudWatch's limit for such periods. */
export const FRESHNESS_PERIOD_SECONDS = 3_600;
/** CloudWatch's limit on an alarm's periods times their length, for periods of an hour or more: seven days. */
export const MAX_EVALUATION_SECONDS = 604_800;

/** How a freshness alarm reads "nothing new for longer than the schedule allows". */
export interface FreshnessWindow {
  /** The schedule's longest gap between two runs. */
  readonly longestGapMinutes: number;
  /** Hourly periods, all of which must have no new object for the alarm to fire. */
  readonly evaluationPeriods: number;
}

/**
 * The alarm window for objects written on a cron schedule: the longest gap
 * and the grace, in whole hours. Throws with the reason when the schedule
 * never runs (the settings refuse it) or its gap exceeds what one CloudWatch
 * alarm can watch (7 days; DeploymentAlarms then warns and leaves it out).
 */
export function freshnessWindow(expression: string): FreshnessWindow {
  const gap = longestGapMinutes(expression);
  if (gap === undefined) throw new Error(`the schedule "${expression}" never runs`);
  const evaluationPeriods = Math.ceil(((gap + FRESHNESS_GRACE_MINUTES) * 60) / FRESHNESS_PERIOD_SECONDS);
  if (evaluationPeriods * FRESHNESS_PERIOD_SECONDS > MAX_EVALUATION_SECONDS) throw new Error(freshnessProblem(expression, gap) as string);
  return { longestGapMinutes: gap, evaluationPeriods };
}

/** Why a schedule cannot be watched by a freshness alarm, or undefined when it can. */
export function freshnessProblem(expression: string, gap = longestGapMinutes(expression)): string | undefined {
  if (gap === undefined) return `runs never (no date matches all its fields)`;
  const hours = Math.ceil((gap + FRESHNESS_GRACE_MINUTES) / 60);
  if (hours * FRESHNESS_PERIOD_SECONDS <= MAX_EVALUATION_SECONDS) return undefined;
  return `leaves up to ${formatMinutes(gap)} between two runs, and a CloudWatch alarm watches at most ${MAX_EVALUATION_SECONDS / 86_400} days (with the ${FRESHNESS_GRACE_MINUTES}-minute grace); a schedule that runs at least every ${formatMinutes(MAX_EVALUATION_SECONDS / 60 - FRESHNESS_GRACE_MINUTES)} can be watched`;
}

function formatMinutes(minutes: number): string {
  const days = Math.floor(minutes / MINUTES_PER_DAY);
  const hours = Math.floor((minutes % MINUTES_PER_DAY) / 60);
  const rest = minutes % 60;
  return [days ? `${days} d` : '', hours ? `${hours} h` : '', rest || (!days && !hours) ? `${rest} min` : ''].filter(Boolean).join(' ');
}
