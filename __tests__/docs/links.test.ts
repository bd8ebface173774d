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
