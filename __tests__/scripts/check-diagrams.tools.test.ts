import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchFolder } from '../helpers/scratch';
import { runBounded } from '../helpers/subprocess';

// Every Mermaid block in the README and docs/ parses with mermaid's own parser (scripts/check-diagrams.mjs), so GitHub
// renders it instead of an error box. A process of its own: mermaid is an ES module and needs a DOM (jsdom).

const root = join(__dirname, '..', '..');
const check = (files: string[]) => runBounded(process.execPath, [join(root, 'scripts', 'check-diagrams.mjs'), ...files], { cwd: root });

describe('scripts/check-diagrams.mjs', () => {
  it('parses every diagram of the README and docs/', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ];
    const result = check(pages);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    // The pictures the docs promise: the README's architecture and the roll's sequence, at least.
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ok README\.md:\d+ flowchart/), expect.stringMatching(/^ok docs\/roll\.md:\d+ sequence$/)]),
    );
    expect(result.status).toBe(0);
  });

  it('names the file and line of a diagram that does not parse, and fails', () => {
    const dir = scratchFolder('diagrams-');
    try {
      const page = join(dir, 'page.md');
      writeFileSync(
        page,
        '# A page\n\n```mermaid\nflowchart LR\n  a["fine"] --> b\n```\n\ntext\n\n```mermaid\nflowchart LR\n  a -- "no target" -->\n```\n',
      );
      const result = check([page]);
      expect(result.stdout).toMatch(new RegExp(`^ok ${page}:3 flowchart`, 'm'));
      expect(result.stdout).toMatch(new RegExp(`^error ${page}:10 Parse error`, 'm'));
      expect(result.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
