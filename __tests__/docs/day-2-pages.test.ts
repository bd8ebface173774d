import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Issue 65: a page per task whose first screen (its first 300 words) holds the commands to run and what success looks
// like, no task page over 2,500 words. These are the pages split from docs/day-2.md, which stays their index; words
// are counted as `wc -w` counts them (whitespace-separated, code blocks included).

const root = join(__dirname, '..', '..');
const read = (page: string) => readFileSync(join(root, 'docs', page), 'utf8');
const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** Each day-2 task and the page that owns it. */
const TASKS: Record<string, string> = {
  'upgrade Rancher and Kubernetes': 'upgrade.md',
  'roll servers': 'roll.md',
  'rotate the token or the encryption key': 'rotate.md',
  'grow one server to three': 'grow.md',
  'move off ingress-nginx': 'ingress-migration.md',
  'recover a lost server': 'recover.md',
  'tear down': 'teardown.md',
};
/** The rest of what docs/day-2.md held, which is not a task of its own. */
const REFERENCE = ['day-2.md', 'lifetimes.md'];

describe.each(Object.entries(TASKS))('the page for "%s"', (_task, page) => {
  const text = read(page);

  it('holds the commands and what success looks like in its first 300 words', () => {
    const first = words(text).slice(0, 300).join(' ');
    expect(first).toMatch(/```sh .*?```/);
    expect(first).toMatch(/\bsuccess\b/i);
  });

  it('is at most 2,500 words', () => {
    expect(words(text).length).toBeLessThanOrEqual(2500);
  });

  it('is listed on the day-2 index', () => {
    expect(read('day-2.md')).toContain(`](${page})`);
  });
});

describe('the day-2 pages together', () => {
  it('are at most 9,000 words (docs/day-2.md alone was 15,541)', () => {
    const total = [...Object.values(TASKS), ...REFERENCE].map((page) => words(read(page)).length).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(9000);
  });
});
