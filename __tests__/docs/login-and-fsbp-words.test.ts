import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (path: string) => readFileSync(join(__dirname, '..', '..', path), 'utf8');

describe('the login password has one name where a person logs in', () => {
  // Both outputs exist (app/stack-foundation.ts); with the bootstrap on (the default) the login's is
  // rancher_admin_password, and rancher_bootstrap_password is for a bootstrap turned off.
  it.each(['README.md', 'docs/deploy.md', 'docs/backups.md'])(
    '%s logs in with rancher_admin_password, the bootstrap one only when the bootstrap is off',
    (path) => {
      const paragraphs = read(path).split(/\n\s*\n/);
      const bootstrapMentions = paragraphs.filter((p) => p.includes('rancher_bootstrap_password'));
      for (const p of bootstrapMentions)
        expect({ path, paragraph: p.slice(0, 120), ok: /bootstrap\.enabled: false|\| `rancher_bootstrap_password` \|/.test(p) }).toMatchObject({
          ok: true,
        });
    },
  );

  it("opens docs/deploy.md with deploying and logging in, without Rancher's telemetry history or the probes' internals", () => {
    const page = read('docs/deploy.md');
    const first = page.slice(page.indexOf('\n## '), page.indexOf('\n## ', page.indexOf('\n## ') + 1));
    expect(first).toMatch(/^\n## Deploy and log in\n/);
    expect(first).toContain('### Log in');
    expect(first).toContain('terraform output -raw rancher_admin_password');
    expect(first).not.toMatch(/telemetry/i);
    expect(first).not.toMatch(/tls-rancher|readiness probe/);
  });

  it("keeps Rancher's telemetry history out of the login steps", () => {
    const page = read('docs/deploy.md');
    const login = page.slice(page.indexOf('### Log in'), page.indexOf('\n### ', page.indexOf('### Log in') + 1));
    expect(login).not.toMatch(/telemetry/i);
  });
});

it("security.md's S3.6 row names the accounts backups.readerAccounts lets read the backup bucket", () => {
  const row = read('docs/security.md')
    .split('\n')
    .find((line) => line.startsWith('| `S3.6`'));
  expect(row).toContain('backups.readerAccounts');
  expect(row).not.toContain('no other account');
});

it("security.md's S3.11 rows count the buckets' EventBridge delivery as a scan does, not as failing", () => {
  const rows = read('docs/security.md')
    .split('\n')
    .filter((line) => line.startsWith('| `S3.11`'));
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    expect(row).toContain('EventBridge');
    expect(row).not.toMatch(/counted as failing|may not count/);
  }
});
