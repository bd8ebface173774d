import { cronSets } from '../../../lib/config/cron';
import {
  FRESHNESS_GRACE_MINUTES,
  MAX_EVALUATION_SECONDS,
  freshnessProblem,
  freshnessWindow,
  longestGapMinutes,
} from '../../../lib/alarms/schedule-window';

const HOUR = 60;
const DAY = 24 * HOUR;
const minutesBetween = (a: number, b: number) => (b - a) / 60_000;

describe('longestGapMinutes', () => {
  // Expected gaps worked out by hand from the calendar, not from the code.
  it.each([
    ['0 */6 * * *', 6 * HOUR],
    ['17 */6 * * *', 6 * HOUR],
    ['*/15 * * * *', 15],
    ['* * * * *', 1],
    ['0 0 * * *', DAY],
    ['0 0,12 * * *', 12 * HOUR],
    // 01:00 to 23:00 is the long one, 23:00 to 01:00 the short one.
    ['0 1,23 * * *', 22 * HOUR],
    // 0, 5, 10, 15, 20: 20:00 to 00:00 is only 4 hours.
    ['0 */5 * * *', 5 * HOUR],
    // 0, 7, 14, 21.
    ['0 */7 * * *', 7 * HOUR],
    // "N/step" is N to the end of the range: 3, 11, 19.
    ['0 3/8 * * *', 8 * HOUR],
    ['5-10 3 * * *', DAY - 5],
    ['30 2 * * 0', 7 * DAY],
    ['30 2 * * sun', 7 * DAY],
    ['0 12 * * sat,sun', 6 * DAY],
    ['0 0 ? * 1-5', 3 * DAY],
    ['0 0 * * mon-fri', 3 * DAY],
    // Both day fields restricted: either matches (the 1st, or any Monday).
    ['0 0 1 * mon', 7 * DAY],
    // A stepped star is a restriction: odd days or Mondays; February's 27th to March's 1st is the longest.
    ['0 0 */2 * mon', 2 * DAY],
    // A star with step 1 stays a star: Mondays only.
    ['0 0 */1 * mon', 7 * DAY],
    ['0 0 * * mon', 7 * DAY],
    ['0 0 1 * *', 31 * DAY],
    // The 31st: August to October (and October to December, March to May, May to July).
    ['0 0 31 * *', 61 * DAY],
    ['0 0 1 1 *', 366 * DAY],
    ['0 0 1 jan-mar *', minutesBetween(Date.UTC(2001, 2, 1), Date.UTC(2002, 0, 1))],
    // 29 February: 2096 to 2104 (2100 is no leap year): the 400-year cycle finds it.
    ['0 0 29 2 *', minutesBetween(Date.UTC(2096, 1, 29), Date.UTC(2104, 1, 29))],
    ['0 0 29 feb *', minutesBetween(Date.UTC(2096, 1, 29), Date.UTC(2104, 1, 29))],
  ])('%s: %d minutes', (expression, gap) => {
    expect(longestGapMinutes(expression)).toBe(gap);
  });

  it.each(['0 0 31 2 *', '0 0 30 feb *', '0 0 31 4,6,9,11 *'])('%s never runs: undefined', (expression) => {
    expect(longestGapMinutes(expression)).toBeUndefined();
  });

  it.each(['0 0 * *', '60 * * * *', '* * * * 7', 'x * * * *', ''])('%s is not an expression RKE2 accepts: undefined', (expression) => {
    expect(cronSets(expression)).toBeUndefined();
    expect(longestGapMinutes(expression)).toBeUndefined();
  });

  // A second, independent reading: every minute of three years checked against the schedule written as a predicate.
  it.each<[string, (d: Date) => boolean]>([
    ['0 */6 * * *', (d) => d.getUTCMinutes() === 0 && d.getUTCHours() % 6 === 0],
    ['45 1,13 * * 2-4', (d) => d.getUTCMinutes() === 45 && [1, 13].includes(d.getUTCHours()) && [2, 3, 4].includes(d.getUTCDay())],
    ['0 4 1,15 * fri', (d) => d.getUTCMinutes() === 0 && d.getUTCHours() === 4 && ([1, 15].includes(d.getUTCDate()) || d.getUTCDay() === 5)],
    ['20 22 * 2,8 *', (d) => d.getUTCMinutes() === 20 && d.getUTCHours() === 22 && [1, 7].includes(d.getUTCMonth())],
    ['0 0 */10 * *', (d) => d.getUTCMinutes() === 0 && d.getUTCHours() === 0 && [1, 11, 21, 31].includes(d.getUTCDate())],
  ])('%s agrees with a minute-by-minute walk', (expression, runs) => {
    let last: number | undefined;
    let longest = 0;
    const start = Date.UTC(2027, 0, 1);
    // Every schedule here runs only at minutes that are multiples of five (a plain list in the minute field), so a
    // five-minute walk visits every run: a fifth of the 1.6 million minutes, which were most of this file's time.
    const minutes = expression.split(' ')[0].split(',').map(Number);
    expect(minutes.every((m) => Number.isInteger(m) && m % 5 === 0)).toBe(true);
    // One Date moved along (setTime), not hundreds of thousands of them.
    const minute = new Date(start);
    for (let t = start; t < Date.UTC(2030, 0, 1); t += 5 * 60_000) {
      minute.setTime(t);
      if (!runs(minute)) continue;
      if (last !== undefined) longest = Math.max(longest, (t - last) / 60_000);
      last = t;
    }
    expect(longestGapMinutes(expression)).toBe(longest);
  });
});

describe('cronSets', () => {
  it('expands lists, ranges, steps and names', () => {
    const sets = cronSets('0,30 8-10 1-31/10 jan,JUL mon-wed');
    expect(sets).toEqual({
      minutes: [0, 30],
      hours: [8, 9, 10],
      daysOfMonth: new Set([1, 11, 21, 31]),
      months: new Set([1, 7]),
      daysOfWeek: new Set([1, 2, 3]),
      dayStar: false,
    });
  });

  it('marks an unrestricted day field (robfig dayMatches: both must match then)', () => {
    expect(cronSets('0 0 * * 1')?.dayStar).toBe(true);
    expect(cronSets('0 0 ? * 1')?.dayStar).toBe(true);
    expect(cronSets('0 0 1 * *')?.dayStar).toBe(true);
    expect(cronSets('0 0 */2 * 1')?.dayStar).toBe(false);
    expect(cronSets('0 0 1 * 1')?.dayStar).toBe(false);
  });
});

describe('freshnessWindow', () => {
  it('is the longest gap and the grace, in whole hours', () => {
    expect(freshnessWindow('0 */6 * * *')).toEqual({ longestGapMinutes: 360, evaluationPeriods: (360 + FRESHNESS_GRACE_MINUTES) / 60 });
    expect(freshnessWindow('*/15 * * * *')).toEqual({ longestGapMinutes: 15, evaluationPeriods: 2 });
    expect(freshnessWindow('0 0 * * *')).toEqual({ longestGapMinutes: DAY, evaluationPeriods: 25 });
    expect(freshnessWindow('0 0 * * mon-fri').evaluationPeriods).toBe(73);
  });

  it('fits the CloudWatch limit up to six days and 23 hours, and refuses beyond', () => {
    expect(freshnessWindow('0 0 * * sat,sun').evaluationPeriods * 3600).toBeLessThanOrEqual(MAX_EVALUATION_SECONDS);
    expect(freshnessProblem('0 0 * * sat,sun')).toBeUndefined();
    expect(() => freshnessWindow('0 0 * * 0')).toThrow('leaves up to 7 d between two runs, and a CloudWatch alarm watches at most 7 days');
    expect(freshnessProblem('0 0 1 * *')).toContain('leaves up to 31 d between two runs');
    expect(freshnessProblem('0 0 1 * *')).toContain('a schedule that runs at least every 6 d 23 h can be watched');
  });

  it('refuses a schedule that never runs', () => {
    expect(() => freshnessWindow('0 0 31 2 *')).toThrow('never runs');
    expect(freshnessProblem('0 0 31 2 *')).toBe('runs never (no date matches all its fields)');
  });
});
