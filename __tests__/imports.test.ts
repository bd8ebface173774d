import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * cdktf is archived; the move to its fork (cdktn) is meant to be a rename of
 * import prefixes. That holds only while every cdktf import has one of two
 * shapes: the `cdktf` package root, or a per-resource provider path (never a
 * provider's root, which also loads ~2,200 modules, nor cdktf internals).
 */

const ROOT = join(__dirname, '..');
// aws and random come from CDK Terrain's bindings; helm, http, kubernetes and tls have no @cdktn package on the
// registry, so theirs are still CDKTF's (all load the one core, docs/toolchain.md).
const PROVIDER_RESOURCE = /^(@cdktn\/provider-(aws|random)|@cdktf\/provider-(helm|http|kubernetes|tls))\/lib\/[a-z0-9-]+$/;

const ONE_CORE_TEST = join('__tests__', 'packages', 'cdktf', 'index.test.ts');

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
const cdktfImports = specifiers.filter(
  ({ specifier }) =>
    specifier === 'cdktf' ||
    specifier.startsWith('cdktf/') ||
    specifier.startsWith('@cdktf/') ||
    specifier === 'cdktn' ||
    specifier.startsWith('cdktn/') ||
    specifier.startsWith('@cdktn/'),
);

describe('cdktf imports', () => {
  it('are found (the scan works)', () => {
    expect(cdktfImports.length).toBeGreaterThan(50);
    expect(cdktfImports.map((i) => i.specifier)).toContain('@cdktn/provider-aws/lib/instance');
  });

  it('are the cdktf package root or a per-resource provider path, nothing else', () => {
    // 'cdktn' by its own name only where the one core is checked (the local cdktf package is that core).
    const misfits = cdktfImports.filter(
      ({ file, specifier }) => specifier !== 'cdktf' && !PROVIDER_RESOURCE.test(specifier) && !(specifier === 'cdktn' && file === ONE_CORE_TEST),
    );
    expect(misfits).toEqual([]);
  });
});

describe("lib's folders", () => {
  // Each folder of lib is a domain (nodes, network, dns, ...) and imports only folders below it, so a folder can be
  // read, and moved, without the ones that use it. The one exception is config: the settings schema's cross-field
  // rules reuse the domains' own constants and functions (ports, DNS target patterns, the backup schedule's longest
  // gap, where cert-manager runs) instead of copies, and those domains read their settings types from config.
  const CONFIG_RULES_READ = ['config -> alarms', 'config -> dns', 'config -> nodes', 'config -> tls'];
  const folderOf = (file: string) => /^lib\/([a-z-]+)\//.exec(file.replace(/\\/g, '/'))?.[1];
  const edges = new Set(
    specifiers.flatMap(({ file, specifier }) => {
      const from = folderOf(file);
      if (!from || !specifier.startsWith('.')) return [];
      const to = folderOf(posix.join(posix.dirname(file.replace(/\\/g, '/')), specifier));
      return to && to !== from ? [`${from} -> ${to}`] : [];
    }),
  );

  it('are found (the scan works)', () => {
    expect([...edges]).toEqual(expect.arrayContaining(['deployments -> nodes', 'nodes -> network', 'dns -> common']));
  });

  it("import no folder that imports them, but for the settings schema's rules", () => {
    expect([...edges].filter((edge) => edge.startsWith('config -> ')).sort()).toEqual(CONFIG_RULES_READ);
    const rest = [...edges].filter((edge) => !CONFIG_RULES_READ.includes(edge)).map((edge) => edge.split(' -> '));
    // Kahn's algorithm: what is left after removing every folder nothing imports, repeatedly, is in a cycle.
    let left = new Set(rest.flat());
    for (let removed = true; removed;) {
      const imported = new Set(rest.filter(([from]) => left.has(from)).map(([, to]) => to));
      const tops = [...left].filter((folder) => !imported.has(folder));
      removed = tops.length > 0;
      left = new Set([...left].filter((folder) => !tops.includes(folder)));
    }
    expect([...left]).toEqual([]);
  });
});

describe('the library', () => {
  // lib/ is the packed library (scripts/build.js library compiles lib/ alone): it imports nothing of the app (the
  // settings file, its schema and loader) or the operations CLI, which are clients of it.
  const outside = specifiers.filter(({ file, specifier }) => {
    const from = file.replace(/\\/g, '/');
    if (!from.startsWith('lib/') || !specifier.startsWith('.')) return false;
    return !posix.join(posix.dirname(from), specifier).startsWith('lib/');
  });

  it('imports nothing from outside lib/ (the scan sees relative imports)', () => {
    expect(specifiers.filter(({ file, specifier }) => file.startsWith('lib') && specifier.startsWith('../')).length).toBeGreaterThan(100);
    expect(outside).toEqual([]);
  });
});

describe("the library's tests", () => {
  // __tests__/ mirrors the source (docs/development.md, "where tests go"): __tests__/lib builds the library from its own
  // props, as a library user does; a case that needs the app's stacks or its settings file belongs under __tests__/app.
  // A test under __tests__/lib that imports app/ would hold the library to the settings file's words again.
  const fromLibTests = specifiers.filter(({ file }) => file.replace(/\\/g, '/').startsWith('__tests__/lib/'));
  const intoApp = fromLibTests.filter(({ file, specifier }) => {
    if (!specifier.startsWith('.')) return false;
    const target = posix.join(posix.dirname(file.replace(/\\/g, '/')), specifier);
    return target === 'app' || target.startsWith('app/');
  });

  it('are found, and their relative imports resolve to the tree (the scan works)', () => {
    const targets = fromLibTests
      .filter(({ specifier }) => specifier.startsWith('.'))
      .map(({ file, specifier }) => posix.join(posix.dirname(file.replace(/\\/g, '/')), specifier));
    expect(targets).toEqual(expect.arrayContaining(['lib/deployments/rancher-on-rke', '__tests__/helpers/synth']));
  });

  it('import nothing under app/ (a case on the app stacks or the settings file goes under __tests__/app)', () => {
    expect(intoApp.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });
});

describe("the app's entry", () => {
  // app/main.ts loads cdktf and the stacks with require() in synth(), after skipTokenTraces() and once the settings are
  // valid. cdktf makes tokens at its modules' top level, and a token's trace taken before skipTokenTraces() is
  // formatted at once: V8 then indexes the lines of the whole 7 MB bundle, 2% of a synth's instructions
  // (bench/README.md, 2026-11-29, "cuts on the synth path"). A static import that reaches cdktf would load it first.
  const runtimeImports = (file: string): string[] =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;]*?\bfrom\s+)?'([^']+)'/gm)].map((m) => m[1]);
  const asSource = (file: string, specifier: string): string | undefined => {
    const path = posix.join(posix.dirname(file), specifier);
    return [`${path}.ts`, `${path}/index.ts`].find((candidate) => files.includes(candidate));
  };
  /** The files and packages `entry` loads when it is evaluated: its static imports, followed through the tree. */
  function loadedBy(entry: string): { files: string[]; packages: string[] } {
    const seen = new Set([entry]);
    const packages = new Set<string>();
    for (const file of seen)
      for (const specifier of runtimeImports(file)) {
        if (!specifier.startsWith('.')) packages.add(specifier);
        else {
          const source = asSource(file, specifier);
          if (source) seen.add(source);
        }
      }
    return { files: [...seen], packages: [...packages] };
  }

  it('loads no cdktf before main() runs (the scan follows static imports, not require())', () => {
    const loaded = loadedBy('app/main.ts');
    expect(loaded.files).toEqual(expect.arrayContaining(['app/config/load.ts', 'lib/synth/output-format.ts', 'lib/config/errors.ts']));
    expect(loaded.packages).toEqual(expect.arrayContaining(['yaml', 'zod']));
    expect(loadedBy('app/stacks/rke-ha.ts').packages).toContain('cdktf');
    expect(loaded.packages.filter((name) => /^@?cdkt[fn]\b/.test(name))).toEqual([]);
  });
});
