import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const markdown = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  // Developer material beside docs/development.md (the mutation survivors).
  ...readdirSync(join(root, 'docs', 'development'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/development/${f}`),
];

/** GitHub's heading anchors: lower case, punctuation but `-` and `_` dropped, spaces to `-`, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const body = text.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of body.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every relative link of a Markdown file (outside code blocks): `[text](target)`. */
function links(text: string): string[] {
  const body = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...body.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

describe('the documentation links where it says', () => {
  it.each(markdown)('%s: every relative link names a file and a heading that exist', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const broken = links(text).filter((target) => {
      const [path, anchor] = target.split('#', 2);
      const resolved = path ? join(root, dirname(file), path) : join(root, file);
      if (!existsSync(resolved)) return true;
      if (anchor === undefined || statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return false;
      return !anchors(readFileSync(resolved, 'utf8')).has(anchor);
    });
    expect(broken.map((t) => `${file} -> ${t}`)).toEqual([]);
  });
});

/** Every file of a folder, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A page's heading texts, inline code marks dropped (a citation names `Restore quarterly`, not its backticks). */
function headings(text: string): string[] {
  return [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].replace(/`/g, '').trim());
}

// The day-2 pages (docs/day-2.md and the task pages split from it). Code cites them as `docs/<page>.md, "<Heading>"`
// in messages and comments, in lib/ and app/ too, whose text can end up in the synthesized Terraform and so cannot
// follow a move: the page keeps the heading (a stub pointing to the new place) instead. A citation may name a
// heading's beginning. c6a212a's roll cited docs/day-2.md "When an operation stopped halfway", a heading it never had.
const DAY_2_PAGES = ['day-2', 'upgrade', 'roll', 'rotate', 'grow', 'ingress-migration', 'recover', 'teardown', 'lifetimes'];

describe('code cites the day-2 pages by headings they have', () => {
  const sources = ['lib', 'app', 'cli', 'scripts'].flatMap((dir) => walk(join(root, dir))).filter((f) => /\.(ts|js|mjs|sh)$/.test(f));
  const citations = sources.flatMap((file) => {
    // One citation may wrap over comment lines (` * `, `// `, `# `) or string pieces joined with `+`.
    const text = readFileSync(file, 'utf8')
      .replace(/\n\s*(\*|\/\/|#)\s*/g, ' ')
      .replace(/\\(["'])/g, '$1')
      .replace(/'\s*\+\s*'/g, '');
    const pages = DAY_2_PAGES.join('|');
    return [...text.matchAll(new RegExp(`docs/(${pages})\\.md,? "([^"]+)"`, 'g'))].map((m) => ({
      file: file.slice(root.length + 1),
      page: m[1],
      heading: m[2],
    }));
  });

  it('finds the citations (lib, app, cli and scripts cite these pages)', () => {
    expect(citations.length).toBeGreaterThan(50);
    const fromCli = citations.filter((c) => c.file.startsWith('cli/')).map((c) => c.page);
    expect(fromCli).toEqual(expect.arrayContaining(['roll', 'rotate', 'recover', 'upgrade', 'grow', 'teardown']));
  });

  it('every cited heading exists on its page', () => {
    const missing = citations.filter((c) => {
      const page = join(root, 'docs', `${c.page}.md`);
      return !existsSync(page) || !headings(readFileSync(page, 'utf8')).some((h) => h.startsWith(c.heading.replace(/`/g, '')));
    });
    expect(missing.map((c) => `${c.file}: docs/${c.page}.md "${c.heading}"`)).toEqual([]);
  });
});
