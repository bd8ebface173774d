import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldPaths } from '../../lib/config/fields';
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
