import { auditLogSchema } from '../../../../lib/config/audit-log-schema';
import { parseSettings } from '../../../../app/config/load';
import { settingsProblems } from '../../../helpers/synth';

/** The problems `rancher.auditLog: section` is refused with; [] when accepted. */
const problemsOf = (section: unknown) => settingsProblems({ rancher: { auditLog: section } });
const parsed = (section: Record<string, unknown>) => parseSettings({ rancher: { auditLog: section } }, 'test').rancher.auditLog;

const DEFAULTS = { enabled: false, level: 0, destination: 'sidecar', maxAgeDays: 1, maxBackups: 1, maxSizeMb: 100 };

describe('rancher.auditLog settings', () => {
  it('default to off, level 0, a sidecar, one day / one backup / 100 MB rotation', () => {
    expect(parseSettings({}, 'test').rancher.auditLog).toEqual(DEFAULTS);
    expect(auditLogSchema.parse(undefined)).toEqual(DEFAULTS);
  });

  it('keeps the other defaults when only enabled is set', () => {
    expect(parsed({ enabled: true })).toEqual({ ...DEFAULTS, enabled: true });
  });

  it('accepts a fully set section as given', () => {
    const section = { enabled: true, level: 3, destination: 'hostPath', maxAgeDays: 30, maxBackups: 10, maxSizeMb: 500 };
    expect(parsed(section)).toEqual(section);
  });

  describe('level', () => {
    it.each([0, 1, 2, 3])('accepts %i', (level) => {
      expect(parsed({ level }).level).toBe(level);
    });

    it.each([-1, 4, 100])('refuses %p: expected a whole number from 0 to 3', (level) => {
      expect(problemsOf({ level })).toEqual([{ field: 'rancher.auditLog.level', message: 'expected a whole number from 0 to 3', value: level }]);
    });

    it('refuses 1.5 as not a whole number', () => {
      expect(problemsOf({ level: 1.5 })).toEqual([{ field: 'rancher.auditLog.level', message: 'expected a whole number', value: 1.5 }]);
    });

    it('refuses a quoted number, saying to write it without quotes', () => {
      expect(problemsOf({ level: '2' })).toEqual([
        { field: 'rancher.auditLog.level', message: 'expected a number, not the string "2": write it without quotes', value: '2' },
      ]);
    });
  });

  describe('destination', () => {
    it.each(['sidecar', 'hostPath'])('accepts %p', (destination) => {
      expect(parsed({ destination }).destination).toBe(destination);
    });

    it.each(['file', 'stdout', 'hostpath', 'HostPath', ''])('refuses %p, listing the allowed values', (destination) => {
      expect(problemsOf({ destination })).toEqual([
        { field: 'rancher.auditLog.destination', message: 'expected one of "sidecar", "hostPath"', value: destination },
      ]);
    });
  });

  describe.each([
    ['maxAgeDays', 1, 365],
    ['maxBackups', 1, 100],
    ['maxSizeMb', 1, 10_000],
  ] as const)('%s (%i to %i)', (key, min, max) => {
    const field = `rancher.auditLog.${key}`;

    it.each([min, max])('accepts the bound %i', (value) => {
      expect(parsed({ [key]: value })[key]).toBe(value);
    });

    it.each([min - 1, max + 1])('refuses %i, saying the range', (value) => {
      expect(problemsOf({ [key]: value })).toEqual([{ field, message: `expected a whole number from ${min} to ${max}`, value }]);
    });

    it('refuses a fraction inside the range as not a whole number', () => {
      expect(problemsOf({ [key]: min + 0.5 })).toEqual([{ field, message: 'expected a whole number', value: min + 0.5 }]);
    });
  });

  it.each(['true', 1, null])('refuses enabled: %p (expected true or false)', (enabled) => {
    expect(problemsOf({ enabled })).toEqual([{ field: 'rancher.auditLog.enabled', message: 'expected true or false', value: enabled }]);
  });

  it('refuses an unknown key, listing the allowed keys', () => {
    expect(problemsOf({ maxAge: 7 })).toEqual([
      { field: 'rancher.auditLog.maxAge', message: 'unknown setting; allowed here: enabled, level, destination, maxAgeDays, maxBackups, maxSizeMb' },
    ]);
  });

  it('reports every mistake of the section at once, a fraction next to the others', () => {
    const problems = problemsOf({ enabled: 'yes', level: 4, destination: 'file', maxAgeDays: 1.5, maxBackups: 0, maxSizeMb: 10_001 });
    expect(problems).toEqual([
      { field: 'rancher.auditLog.enabled', message: 'expected true or false', value: 'yes' },
      { field: 'rancher.auditLog.level', message: 'expected a whole number from 0 to 3', value: 4 },
      { field: 'rancher.auditLog.destination', message: 'expected one of "sidecar", "hostPath"', value: 'file' },
      { field: 'rancher.auditLog.maxAgeDays', message: 'expected a whole number', value: 1.5 },
      { field: 'rancher.auditLog.maxBackups', message: 'expected a whole number from 1 to 100', value: 0 },
      { field: 'rancher.auditLog.maxSizeMb', message: 'expected a whole number from 1 to 10000', value: 10_001 },
    ]);
  });
});
