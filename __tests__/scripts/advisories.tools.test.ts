import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { opsCli } from '../helpers/fake-cloud';
import { runBoundedAsync } from '../helpers/subprocess';

// scripts/advisories.js as run, against registries on loopback (never the network): one that answers the bulk
// advisory endpoint as npm's registry does, one that refuses it with 405 as the registry these machines reach does
// (docs/design-notes.md, "Advisories"), and an address where nothing listens.

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'advisories.js');
/** The committed table's age is not what these cases are about: the limit is set out of their way. */
const AGE = ['--max-age', '36500'];

interface Bulk {
  readonly [name: string]: readonly { id: number; url: string; title: string; severity: string; vulnerable_versions: string }[];
}

/**
 * A registry's bulk advisory endpoint as npm audit meets it (npm/cli workspaces/arborist/lib/audit-report.js): POST
 * /-/npm/v1/security/advisories/bulk with a gzip-compressed `{ name: [versions] }`, answered with the advisories
 * `known` holds for the names asked, `{ name: [{ id, url, title, severity, vulnerable_versions }] }` (the registry
 * leaves out names without one). `status` other than 200 refuses every request with it. Records each request body.
 */
async function registry(known: Bulk, status = 200): Promise<{ url: string; asked: Record<string, string[]>[]; close: () => Promise<void> }> {
  const asked: Record<string, string[]>[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (code: number, body: unknown) => {
        response.writeHead(code, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (status !== 200) return reply(status, { error: 'Method Not Allowed' });
      if (request.method !== 'POST' || request.url !== '/-/npm/v1/security/advisories/bulk') return reply(404, { error: 'Not found' });
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, string[]>;
      asked.push(body);
      reply(200, Object.fromEntries(Object.keys(body).flatMap((name) => (known[name] ? [[name, known[name]]] : []))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The SBOM of the tier's build of the CLI (global setup): the script would otherwise build the checkout's own. */
const SBOM = () => ['--sbom', join(dirname(opsCli()), 'sbom.cdx.json')];
const run = (...args: string[]) =>
  runBoundedAsync(process.execPath, [SCRIPT, ...args, ...SBOM()], { env: { ...process.env, npm_config_registry: '' } });

const LODASH = {
  id: 1112453,
  url: 'https://github.com/advisories/GHSA-xxjr-mmjv-4gpg',
  title: 'Prototype pollution in _.unset and _.omit',
  severity: 'moderate',
  vulnerable_versions: '>=4.0.0 <4.17.23',
};

describe('scripts/advisories.js against a registry', () => {
  it('asks the bulk endpoint for every installed package; an advisory it reports that the table and docs/security.md hold passes (exit 0) and says the registry answered', async () => {
    const fake = await registry({ lodash: [LODASH] });
    try {
      const r = await run('--registry', fake.url, ...AGE);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`The registry answered (${fake.url}-/npm/v1/security/advisories/bulk)`);
      // cdktf 0.21.0's bundled copies went with the one core: the tree holds no advisory's copy any more.
      expect(r.stdout).toContain('0 installed copies inside 0 advisories');
      // One request naming every installed package with its versions: both lodash copies' versions, yaml and zod.
      expect(fake.asked).toHaveLength(1);
      expect(Object.keys(fake.asked[0]!).length).toBeGreaterThan(500);
      expect(fake.asked[0]!.yaml).toEqual(['2.9.1']);
    } finally {
      await fake.close();
    }
  });

  it('an advisory only the registry knows, on a package the library installs for its users: fails (exit 1) naming each thing to do', async () => {
    const yaml = { id: 1, url: 'https://github.com/advisories/GHSA-2222-3333-4444', title: 'new', severity: 'high', vulnerable_versions: '<=2.9.1' };
    const fake = await registry({ yaml: [yaml] });
    try {
      const r = await run('--registry', fake.url, ...AGE);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('GHSA-2222-3333-4444 yaml@2.9.1 (high) node_modules/yaml: INSTALLED BY THE PACKED LIBRARY FOR ITS USERS');
      expect(r.stderr.split('\n').filter(Boolean)).toEqual([
        "GHSA-2222-3333-4444 yaml@2.9.1 is installed for the library's users (node_modules/yaml)",
        'GHSA-2222-3333-4444 is found but not named in docs/security.md',
        'GHSA-2222-3333-4444 (yaml@2.9.1) is reported by the registry but not in scripts/advisories.json: add it with its ranges and source',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('an advisory on a package bundled into the CLI (undici, a development package to the lockfile): fails (exit 1), reported as bundled for its users', async () => {
    const undici = {
      id: 2,
      url: 'https://github.com/advisories/GHSA-3333-4444-5555',
      title: 'new',
      severity: 'high',
      vulnerable_versions: '<99.0.0',
    };
    const fake = await registry({ undici: [undici] });
    try {
      const r = await run('--registry', fake.url, ...AGE);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^GHSA-3333-4444-5555 undici@[\d.]+ \(high\) node_modules\/undici: BUNDLED INTO THE CLI FOR ITS USERS$/m);
      expect(r.stdout).toMatch(/; 1 in the \d+ packages bundled into the CLI \(its SBOM\)\.$/m);
      expect(r.stdout).toContain(`The CLI's bundled packages were read from `);
      expect(r.stderr).toMatch(/^GHSA-3333-4444-5555 undici@[\d.]+ is bundled into the CLI for its users \(node_modules\/undici\)/m);
    } finally {
      await fake.close();
    }
  });

  it('a registry that refuses the query (405): says plainly it could not ask, reports from the table, exit 2', async () => {
    const fake = await registry({}, 405);
    try {
      const r = await run('--registry', fake.url, ...AGE);
      expect(r.status).toBe(2);
      expect(r.stdout).toContain(
        `COULD NOT ASK THE REGISTRY: ${fake.url}-/npm/v1/security/advisories/bulk answered 405 Method Not Allowed: {"error":"Method Not Allowed"}. This report rests on scripts/advisories.json alone.`,
      );
      expect(r.stdout).toContain('0 installed copies inside 0 advisories');
    } finally {
      await fake.close();
    }
  });

  it('no registry listening: says it could not ask and why, exit 2', async () => {
    const fake = await registry({});
    await fake.close();
    const r = await run('--registry', fake.url, ...AGE);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`COULD NOT ASK THE REGISTRY: no answer from ${fake.url}-/npm/v1/security/advisories/bulk (ECONNREFUSED)`);
  });

  it('--table-only: the registry not asked, said so, exit 0; a table checked longer ago than --max-age fails it (exit 1)', async () => {
    const fine = await run('--table-only', ...AGE);
    expect(fine.status).toBe(0);
    expect(fine.stdout).toContain('The registry was not asked (--table-only)');
    // A table checked before today is more than 0 days old; on the day it was checked it is 0 days old, within the limit.
    const { checked } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scripts', 'advisories.json'), 'utf8')) as { checked: string };
    const stale = await run('--table-only', '--max-age', '0');
    if (checked === new Date().toISOString().slice(0, 10)) expect(stale.status).toBe(0);
    else {
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(
        new RegExp(
          `^scripts/advisories\\.json is stale: checked ${checked}, \\d+ days ago \\(more than 0\\): check the GitHub advisory database`,
          'm',
        ),
      );
    }
  });
});
