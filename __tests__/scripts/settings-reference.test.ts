import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldPaths } from '../../app/config/settings-fields';
import { settingsSchema } from '../../app/config/settings-schema';
import { settingsReference } from '../../scripts/settings-reference';

const ROOT = join(__dirname, '..', '..');

describe('docs/settings.md', () => {
  const generated = settingsReference(ROOT);

  it('is what the settings schema generates (npm run docs:settings rewrites it)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8')).toBe(generated);
  });

  it('has one row per settings field, each with a type, a value when left out and a description', () => {
    const rows = [...generated.matchAll(/^\| `([^`]+)` \| (.*?) \| (.*?) \| (.*) \|$/gm)];
    expect(rows.map((m) => m[1])).toEqual(fieldPaths());
    expect(rows.filter((m) => !m[2] || !m[3] || !m[4]).map((m) => m[1])).toEqual([]);
  });

  it('takes types and values from the schema: allowed values, and what an empty file gets', () => {
    expect(generated).toContain('| `rkeHa.distribution` | `rke2` \\| `k3s` | `"rke2"` |');
    expect(generated).toContain('| `hostname` | string | unset |');
  });

  it('shows a default another setting decides as its values, case by case (app/config/computed-defaults.ts), not "unset"', () => {
    expect(generated).toContain('| `rkeHa.nodeCount` | `1` \\| `2` \\| `3` | `3` (rke2), `2` (k3s) |');
    expect(generated).toContain('| `rkeHa.datastore.port` | number, 1150 to 65535 | `5432` (postgres), `3306` (mysql) |');
    expect(generated).toContain('| `rkeHa.natGateways` | `per-zone` \\| `single` | `"per-zone"` |');
  });

  it('prints every bound a number setting has (each `name: wholeNumber(min, max)` of lib/config), which the schema refuses values outside', () => {
    const rows = [...generated.matchAll(/^\| `([^`]+)` \| (.*?) \|/gm)].map((m) => ({ field: m[1], type: m[2], name: m[1].split('.').pop()! }));
    const declared = readdirSync(join(ROOT, 'lib', 'config'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(ROOT, 'lib', 'config', f), 'utf8').matchAll(/(\w+):\s*wholeNumber\(\s*([\d_]+),\s*([\d_]+)\)/g)])
      .map((m) => ({ name: m[1], bound: `${m[2].replace(/_/g, '')} to ${m[3].replace(/_/g, '')}` }));
    expect(declared.length).toBeGreaterThan(20);
    for (const { name, bound } of declared) {
      const named = rows.filter((r) => r.name === name);
      expect({ name, rows: named.length }).toEqual({ name, rows: expect.any(Number) });
      expect(named.length).toBeGreaterThan(0);
      // A name may be a field of two sections with bounds of their own (rootVolumeGb): one of them has this one.
      expect({ name, shown: named.some((r) => r.type.includes(bound)) }).toEqual({ name, shown: true });
    }
    expect(generated).toContain('| `timeouts.upgradeMinutes` | number, 5 to 60 |');
    // A list's and a string's length.
    expect(generated).toContain('| `backups.readerAccounts` | list of string, at most 20 items |');
  });

  it('prints every bound a field refuses values outside, as the schema enforces it (found by parsing, not read from it)', () => {
    const rows = new Map([...generated.matchAll(/^\| `([^`]+)` \| (.*?) \|/gm)].map((m) => [m[1], m[2]]));
    const missing = fieldPaths().flatMap((field) =>
      fieldSchemas(field.split('.')).flatMap((schema) =>
        boundsEnforced(schema)
          .filter((bound) => !rows.get(field)!.includes(bound))
          .map((bound) => `${field}: ${bound}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it("gives each field its own section's description, never a field's of the same name elsewhere", () => {
    const row = generated.split('\n').find((line) => line.startsWith('| `hostname` |'));
    expect(row).toContain("Rancher's public name");
    expect(row).not.toContain('change is accepted');
  });

  it('is linked from the README and from the settings-file page', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/settings.md)');
    expect(readFileSync(join(ROOT, 'docs', 'settings-file.md'), 'utf8')).toContain('(settings.md)');
  });
});

// The settings schema walked here on its own (not with the generator's walk): each field's schema, and the bounds it
// enforces, found by parsing values with it where a refinement or pattern holds them (numbers, plain strings), and
// from zod's own checks otherwise (lengths, enum values).
type AnyDef = { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; options?: unknown[]; checks?: unknown[] };
type Parser = { safeParse: (value: unknown) => { success: boolean }; _zod: { def: AnyDef } };
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'nonoptional', 'catch']);
const defOf = (schema: unknown) => (schema as Parser | undefined)?._zod.def;
function unwrapped(schema: unknown): Parser {
  let current = schema;
  for (let def = defOf(current); def && (WRAPPERS.has(def.type) || def.type === 'pipe'); def = defOf(current))
    current = def.type === 'pipe' ? def.in : def.innerType;
  return current as Parser;
}
const shapesOf = (schema: unknown): Record<string, unknown>[] => {
  const def = defOf(unwrapped(schema));
  return def?.shape ? [def.shape] : (def?.options ?? []).flatMap(shapesOf);
};
/** A field's schemas: one, or one per member of a union that has the field. */
const fieldSchemas = (path: readonly string[]): Parser[] =>
  path.reduce<unknown[]>(
    (schemas, key) => schemas.flatMap((s) => shapesOf(s).flatMap((shape) => (shape[key] ? [shape[key]] : []))),
    [settingsSchema],
  ) as Parser[];

/** The largest integer up to `ceiling` that `accepts`, searching up from `low` (accepted); assumes the accepted run is unbroken. */
function lastAccepted(accepts: (n: number) => boolean, low: number, ceiling: number): number {
  let [good, bad] = [low, low * 2];
  while (bad <= ceiling && accepts(bad)) [good, bad] = [bad, bad * 2];
  if (bad > ceiling) return Infinity;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (accepts(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * The texts a field's row must show for the bounds its schema enforces: a number's range (or each value, where the
 * accepted ones have gaps, as one list), a string's length (strings of `a` parsed: patterns and refinements hold lengths), a
 * list's or string's length checks, each allowed value of an enum or literal.
 */
function boundsEnforced(schema: Parser): string[] {
  const base = unwrapped(schema);
  const def = base._zod.def;
  const values = (def.type === 'union' ? (def.options ?? []) : [base]).map(
    (o) => defOf(unwrapped(o)) as AnyDef & { values?: unknown[]; entries?: object },
  );
  if (values.every((v) => v.type === 'literal' || v.type === 'enum'))
    return values.flatMap((v) => (v.type === 'literal' ? (v.values ?? []) : Object.values(v.entries ?? {}))).map((v) => `\`${String(v)}\``);
  if (def.type === 'number') {
    const accepts = (n: number) => schema.safeParse(n).success;
    const window = Array.from({ length: 401 }, (_, i) => i - 1).filter(accepts);
    if (window.length === 0) return [];
    const gaps = window[window.length - 1] - window[0] + 1 !== window.length;
    if (gaps)
      return [
        Array.from({ length: 10_001 }, (_, i) => i)
          .filter(accepts)
          .join(', '),
      ];
    const top = window[window.length - 1] < 399 ? window[window.length - 1] : lastAccepted(accepts, 399, 2 ** 31);
    return top === Infinity ? [`at least ${window[0]}`] : [`${window[0]} to ${top}`];
  }
  const checks = (def.checks ?? []).map((c) => (c as { _zod: { def: { check?: string; minimum?: number; maximum?: number } } })._zod.def);
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  const lengths = [...(max !== undefined ? [String(max)] : []), ...(min !== undefined && min > 1 ? [String(min)] : [])];
  if (def.type !== 'string') return lengths;
  const accepts = (n: number) => schema.safeParse('a'.repeat(n)).success;
  const short = Array.from({ length: 65 }, (_, i) => i).filter(accepts);
  if (short.length === 0) return lengths;
  const longest = short[short.length - 1] < 64 ? short[short.length - 1] : lastAccepted(accepts, 64, 2 ** 17);
  return [...lengths, ...(longest === Infinity ? (short[0] > 1 ? [`${short[0]}`] : []) : [`${short[0]} to ${longest}`])];
}
