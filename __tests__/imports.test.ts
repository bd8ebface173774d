import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * cdktf is archived; the move to its fork (cdktn) is meant to be a rename of
 * import prefixes. That holds only while every cdktf import has one of two
 * shapes: the `cdktf` package root, or a per-resource provider path (never a
 * provider's root, which also loads ~2,200 modules, nor cdktf internals).
 */

const ROOT = join(__dirname, '..');
const PROVIDER_RESOURCE = /^@cdktf\/provider-(aws|helm|http|kubernetes|random|tls)\/lib\/[a-z0-9-]+$/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

const files = ['main.ts', ...sources('app'), ...sources('lib'), ...sources('__tests__')];
const specifiers = files.flatMap((file) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => ({
    file,
    specifier: m[1],
  })),
);
const cdktfImports = specifiers.filter(({ specifier }) => specifier === 'cdktf' || specifier.startsWith('cdktf/') || specifier.startsWith('@cdktf/'));

describe('cdktf imports', () => {
  it('are found (the scan works)', () => {
    expect(cdktfImports.length).toBeGreaterThan(50);
    expect(cdktfImports.map((i) => i.specifier)).toContain('@cdktf/provider-aws/lib/instance');
  });

  it('are the cdktf package root or a per-resource provider path, nothing else', () => {
    const misfits = cdktfImports.filter(({ specifier }) => specifier !== 'cdktf' && !PROVIDER_RESOURCE.test(specifier));
    expect(misfits).toEqual([]);
  });
});
