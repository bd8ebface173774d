import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Issue 65: a page per task, its commands on the first screen; a ceiling on what a user must read. The pages are
// counted as `wc -w` counts them (whitespace-separated words, code blocks included), the stricter reading.
const root = join(__dirname, '..', '..');
const read = (page: string) => readFileSync(join(root, page), 'utf8');
const words = (text: string) => text.split(/\s+/).filter(Boolean);
/** The first screen: a page's first 300 words. */
const firstScreen = (page: string) => words(read(page)).slice(0, 300).join(' ');

/** Each task a user comes to do, the page that owns it, and the commands its first screen must show. */
const TASKS: readonly { task: string; page: string; commands: readonly RegExp[] }[] = [
  { task: 'deploy rke-ha', page: 'docs/rke-ha.md', commands: [/cdktf -- deploy rke-ha/] },
  { task: 'deploy k8s-ha', page: 'docs/k8s-ha.md', commands: [/cdktf -- deploy k8s-ha/] },
  { task: 'deploy docker', page: 'docs/docker.md', commands: [/cdktf -- deploy docker/] },
  { task: 'hand the module to a pipeline', page: 'docs/pipeline.md', commands: [/synth:hcl/, /terraform (init|plan|apply)/] },
  { task: 'use the constructs', page: 'docs/library.md', commands: [/npm (pack|install)/, /new (RancherOnRke|Rancher\w+)\(/] },
  { task: 'upgrade Rancher and Kubernetes', page: 'docs/upgrade.md', commands: [/cdktf -- deploy/] },
  { task: 'roll servers', page: 'docs/roll.md', commands: [/npm run roll -- /] },
  { task: 'rotate the cluster token', page: 'docs/rotate.md', commands: [/npm run rotate -- \S+ token/] },
  { task: 'rotate the encryption key', page: 'docs/rotate.md', commands: [/npm run rotate -- \S+ encryption-key/] },
  { task: 'grow 1 to 3 servers', page: 'docs/grow.md', commands: [/cdktf -- deploy rke-ha/, /kubectl get nodes/] },
  { task: 'move off ingress-nginx', page: 'docs/ingress-migration.md', commands: [/ingressMigration/, /npm run roll -- /] },
  { task: 'back up and restore', page: 'docs/backups.md', commands: [/cdktf -- deploy/] },
  { task: 'drill a restore', page: 'docs/drill.md', commands: [/npm run drill -- /] },
  { task: 'run the acceptance proof', page: 'docs/acceptance.md', commands: [/npm run acceptance -- /] },
  { task: 'tear down', page: 'docs/teardown.md', commands: [/npm run teardown -- /] },
  { task: "keep a standby's data in a second region", page: 'docs/standby.md', commands: [/standby: region: \S+/, /cdktf -- deploy rke-ha/] },
  { task: 'fail over to the standby region', page: 'docs/failover.md', commands: [/npm run failover -- rke-ha/] },
  { task: 'migrate docker to rke-ha', page: 'docs/docker-to-rke-ha.md', commands: [/cdktf -- deploy rke-ha/] },
  { task: 'recover a lost server', page: 'docs/recover.md', commands: [/npm run roll -- /] },
];
const TASK_PAGE_WORDS = 2500;
/** What a user reads: the README and docs/, without the design notes and the developers' pages. */
const USER_DOCS_WORDS = 40_000;
const DESIGN_NOTES_WORDS = 10_000;
const NOT_USER_DOCS = new Set(['docs/design-notes.md', 'docs/development.md']);
const userPages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .filter((p) => !NOT_USER_DOCS.has(p)),
];

describe('each task has one page, its commands first', () => {
  it.each(TASKS)('$task: $page exists and is linked from the README', ({ page }) => {
    expect(existsSync(join(root, page))).toBe(true);
    expect(read('README.md')).toContain(`](${page})`);
  });

  it.each(TASKS)('$task: the first 300 words of $page hold its commands in a whole code block, and what success looks like', ({ page, commands }) => {
    const screen = firstScreen(page);
    expect(screen).toMatch(/```\w* .+? ```/);
    expect(commands.filter((c) => !c.test(screen)).map(String)).toEqual([]);
    expect(screen).toMatch(/\bsuccess\b/i);
  });

  // A first screen that runs kubectl says which cluster it talks to: the apply's kubeconfig, with the command that writes
  // it, or the kubeconfig named on the call itself (`kubectl --kubeconfig <that cluster>`, another cluster's).
  it.each([...new Set(TASKS.map((t) => t.page))])('%s: a first screen whose commands run kubectl first writes the kubeconfig they use', (page) => {
    const screen = firstScreen(page);
    const commands = [...screen.matchAll(/```(?:sh|bash) (.+?) ```/g)].map((m) => m[1]).join(' ');
    const kubectl = commands.search(/(^| )kubectl (?!--kubeconfig )/);
    if (kubectl === -1) return;
    expect(commands.slice(0, kubectl)).toMatch(/terraform (-chdir=\S+ )?output -raw kubeconfig > \S+ && (export )?KUBECONFIG=/);
  });

  it.each([...new Set(TASKS.map((t) => t.page))])(`%s is at most ${TASK_PAGE_WORDS} words`, (page) => {
    expect(words(read(page)).length).toBeLessThanOrEqual(TASK_PAGE_WORDS);
  });
});

describe('less to read', () => {
  it(`the user's pages (README and docs/, without the design notes and development pages) are at most ${USER_DOCS_WORDS} words`, () => {
    const counts = userPages.map((p) => [p, words(read(p)).length] as const);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    expect({ total, within: total <= USER_DOCS_WORDS }).toEqual({ total, within: true });
  });

  it(`the design notes are at most ${DESIGN_NOTES_WORDS} words`, () => {
    expect(words(read('docs/design-notes.md')).length).toBeLessThanOrEqual(DESIGN_NOTES_WORDS);
  });
});
