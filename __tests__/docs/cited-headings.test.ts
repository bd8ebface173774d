import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Code and pages cite a section as `docs/<page>.md, "<Heading>"` (or `docs/<page>.md ("<Heading>")`): in messages
// a person reads (a refused plan, a drill's dry run and report), in other pages and in comments. A page restructured
// under such a citation leaves the reader hunting, so every citation of these pages names the start of a heading the
// page has: every page of docs/. lib/ and app/ text is taken as it stands, since it reaches the synthesized
// Terraform: a moved section keeps its heading as a stub that links to its new place.
const root = join(__dirname, '..', '..');
const PAGES = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
const SOURCES = ['lib', 'app', 'cli', 'scripts', 'docs'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|js|mjs|sh|md)$/.test(name) ? [path] : [];
  });
}

/** A heading's text as a citation spells it: without the backticks of inline code. */
const plain = (text: string) => text.replace(/`/g, '').trim();

function headings(page: string): string[] {
  const body = readFileSync(join(root, 'docs', page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  // A heading, or the bold lead of a list item (the design notes' decisions are items under a topic's heading).
  return [...body.matchAll(/^#{1,6} (.+)$|^- \*\*(.+?)\*\*/gm)].map((m) => plain(m[1] ?? m[2]));
}

interface Citation {
  file: string;
  page: string;
  heading: string;
}

/** Every citation of one of PAGES in a source file, a comment's line breaks and markers read as spaces. */
function citations(file: string, text: string): Citation[] {
  const flat = text.replace(/\n\s*(?:\*|\/\/|#)?\s*/g, ' ');
  const cited = new RegExp(`docs/(${PAGES.map((p) => p.replace('.', '\\.')).join('|')})(?:, | \\()"([^"]+)"`, 'g');
  // `\'` is a quote inside a single-quoted string (a message), not part of the heading.
  return [...flat.matchAll(cited)].map((m) => ({ file, page: m[1], heading: plain(m[2].replace(/\\'/g, "'")) }));
}

describe('code and pages cite sections of docs/ that exist', () => {
  const all = SOURCES.flatMap((dir) => files(join(root, dir))).flatMap((path) => citations(relative(root, path), readFileSync(path, 'utf8')));

  it('finds the citations it checks (the drill and acceptance commands cite these pages)', () => {
    expect(all.filter((c) => c.file.startsWith('cli/drill/')).length).toBeGreaterThan(2);
    expect(all.filter((c) => c.file.startsWith('cli/acceptance/')).length).toBeGreaterThan(2);
    expect(all.filter((c) => c.file.startsWith('lib/')).length).toBeGreaterThan(2);
  });

  it('reads a citation broken over comment lines as one', () => {
    const text = ' * the restore (docs/backups.md, "What a migration brings\n * along").';
    expect(citations('x.ts', text)).toEqual([{ file: 'x.ts', page: 'backups.md', heading: 'What a migration brings along' }]);
  });

  it.each(PAGES)('every citation of docs/%s names the start of one of its headings', (page) => {
    const own = headings(page);
    const missing = all.filter((c) => c.page === page && !own.some((h) => h.startsWith(c.heading)));
    expect(missing.map((c) => `${c.file}: docs/${c.page}, "${c.heading}"`)).toEqual([]);
  });
});
