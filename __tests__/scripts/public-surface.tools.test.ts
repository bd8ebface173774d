import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { publicSurface } = require('../../scripts/public-surface.js') as {
  publicSurface(dir: string): { privateDeclarations: string[]; unnamedTypes: string[] };
};

/** What a consumer of the package in `dir` reaches and cannot name. */
function surfaceProblems(dir: string) {
  const { privateDeclarations, unnamedTypes } = publicSurface(dir);
  return { privateDeclarations, unnamedTypes };
}

/** A built package of declaration files only, with one entry point. */
function fakePackage(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'surface-'));
  const all = { 'package.json': JSON.stringify({ name: 'fake', exports: { '.': { types: './dist/lib/index.d.ts' } } }), ...files };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('scripts/public-surface.js: what a consumer reaches and cannot name', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('names a private/ declaration an entry point reaches, and every type a public signature uses but no entry point exports', () => {
    const dir = fakePackage({
      'dist/lib/index.d.ts': [
        "import type { Hidden } from './private/hidden';",
        "import type { Inner } from './inner';",
        'export interface WidgetProps { readonly hidden: Hidden; readonly inner: Inner }',
        'export declare class Widget { constructor(props: WidgetProps); private readonly secret; readonly size: number }',
      ].join('\n'),
      'dist/lib/private/hidden.d.ts': 'export interface Hidden { readonly n: number }',
      'dist/lib/inner.d.ts': "import type { Deeper } from './deeper';\nexport interface Inner { readonly deeper: Deeper }",
      'dist/lib/deeper.d.ts': 'export type Deeper = string;',
    });
    dirs.push(dir);
    expect(surfaceProblems(dir)).toEqual({
      privateDeclarations: ['private/hidden.d.ts'],
      unnamedTypes: [
        'Deeper (deeper.d.ts), used by Inner',
        'Hidden (private/hidden.d.ts), used by WidgetProps',
        'Inner (inner.d.ts), used by WidgetProps',
      ],
    });
  });

  it('is empty when every type a signature uses is exported and no private/ file is reached', () => {
    const dir = fakePackage({
      'dist/lib/index.d.ts': "export type { Inner } from './inner';\nexport interface WidgetProps { readonly inner: import('./inner').Inner }",
      'dist/lib/inner.d.ts': 'export interface Inner { readonly n: number }',
    });
    dirs.push(dir);
    expect(surfaceProblems(dir)).toEqual({ privateDeclarations: [], unnamedTypes: [] });
  });
});
