import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { BOOT_APPLIED_STAMP, BOOT_LOADER_PATH, BOOT_LOADER_UNIT } from '../../../lib/nodes/private/boot-loader';
import { NodeSandbox, sha256 } from '../../helpers/node-sandbox';
import { runBounded } from '../../helpers/subprocess';
import { resources, userDataOf, userDataSentOf, type TerraformJson } from '../../helpers/synth';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';
import { RKE_HA_STACK, synthSettings, variantSettings } from '../../helpers/variants';

/**
 * The servers' user data as a loader (boot-loader.sh) and its unit, booted in a NodeSandbox against a stand-in S3 (the
 * curl stub's GetObject: SigV4 checked again with openssl, throttling, a brownout, no connection), the loader run as
 * the unit's ExecStart and Environment say: the loaders of the default, air-gap and closed-egress variants (with and
 * without a proxy) pass cloud-init's schema, yamllint, shellcheck and systemd-analyze verify, and fetch, check and
 * apply the variant's own boot document (its paths moved into the sandbox); a document whose SHA-256 is not the one
 * the user data carries, or with anything the loader does not implement, is refused before a file is written; a store
 * that does not answer is retried, capped at a minute apart, past 30 minutes and across a reboot, until it answers.
 * The sandbox's sleep only counts seconds: the tests count attempts and simulated seconds, never wait. Over the tier's
 * budget per case: each boot is the loader's own processes (curl stubs, python3 twice) and the stand-in's signature
 * check (openssl six times a request), and each variant one synth, shared with the other files of the run.
 */
const HOST = 'demo-boot.s3.eu-west-1.amazonaws.com';
const KEY = 'server-0.yaml';
const VARIANTS = [
  'rke-ha defaults',
  'rke-ha proxy, closed egress, air gap, audit log',
  'rke-ha closed egress without a proxy, air gap',
  'rke-ha k3s on PostgreSQL',
] as const;

interface BootFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content: string;
}

/** Server 0's loader and boot document of a variant, Terraform references rendered, in the bucket's region eu-west-1. */
function firstServer(variant: string): { loader: string; document: string } {
  const { json } = synthSettings(RKE_HA_STACK, { ...variantSettings(variant), region: 'eu-west-1' } as never);
  const server = Object.values<any>(resources(json as TerraformJson, 'aws_instance'))[0];
  const document = renderTemplate(userDataOf(json, server), placeholderValue);
  return { loader: userDataSentOf(json, server), document };
}

/** The loader's user data rendered for `served` (its SHA-256), the bucket's name HOST. */
function renderLoader(loader: string, served: string): string {
  return renderTemplate(loader, (expression) =>
    expression.endsWith('.bucket_regional_domain_name')
      ? HOST
      : expression.startsWith('sha256(local.')
        ? sha256(served)
        : placeholderValue(expression),
  );
}

/** `systemd-analyze verify` of a unit as written, its command swapped for /bin/true (the loader is not installed here). */
function verifyUnit(name: string, content: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'units-'));
  try {
    writeFileSync(join(dir, name), content.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
    const r = runBounded('systemd-analyze', ['verify', '--man=no', join(dir, name)]);
    if (r.error) throw new Error(`systemd-analyze is needed to check the unit (apt-get install systemd): ${r.error.message}`);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The words of the unit's ExecStart and the assignments of its Environment (systemd's quoting undone). */
function unitCommand(unit: string): { argv: string[]; env: Record<string, string> } {
  const argv = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
  const line = /^Environment=(.*)$/m.exec(unit)?.[1] ?? '';
  const env = Object.fromEntries(
    [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => {
      const assignment = m[1].replace(/\\(.)/g, '$1').replaceAll('%%', '%');
      return [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)];
    }),
  );
  return { argv, env };
}

/** The document with its files' paths moved under `root` (and their owner this process's, when it is not root). */
function relocated(document: string, root: string): { text: string; files: BootFile[] } {
  const doc = parse(document) as { write_files: BootFile[]; runcmd: string[][] };
  const owner = process.getuid?.() === 0 ? undefined : `${runBounded('id', ['-un']).stdout.trim()}:${runBounded('id', ['-gn']).stdout.trim()}`;
  const files = doc.write_files.map((f) => ({ ...f, path: join(root, f.path), owner: owner ?? f.owner }));
  return { text: `#cloud-config\n${stringify({ ...doc, write_files: files }, { lineWidth: 0 })}`, files };
}

describe('the servers boot loader', () => {
  const boxes: NodeSandbox[] = [];
  const sandbox = () => {
    const box = new NodeSandbox({});
    boxes.push(box);
    return box;
  };
  afterAll(() => boxes.forEach((box) => box.dispose()));

  /**
   * Serves `served` as the object, and runs the loader as its unit does (ExecStart, Environment; checking `expected`),
   * its stamp moved into the sandbox: one boot's run of the unit.
   */
  function boot(box: NodeSandbox, loaderUserData: string, served: string, env: Record<string, string> = {}) {
    box.write(`s3-objects/${KEY}`, served);
    const doc = parse(loaderUserData) as { write_files: BootFile[]; runcmd: string[][] };
    box.write('sbin/rancher-aws-boot-loader', doc.write_files[0].content.replaceAll(BOOT_APPLIED_STAMP, box.path('stamp')));
    chmodSync(box.path('sbin/rancher-aws-boot-loader'), 0o700);
    const unit = unitCommand(doc.write_files[1].content);
    const argv = unit.argv.map((word) => (word === BOOT_LOADER_PATH ? box.path('sbin/rancher-aws-boot-loader') : word));
    const run = runBounded(argv[0], argv.slice(1), { env: box.environment({ ...unit.env, ...env }) });
    return { status: run.status, output: `${run.stdout}${run.stderr}`, unit };
  }

  describe.each(VARIANTS)('%s', (variant) => {
    const { loader, document } = firstServer(variant);

    it('passes cloud-init schema, yamllint, shellcheck and systemd-analyze verify', () => {
      const files = validateCloudConfig(renderLoader(loader, document));
      expect(files.map((f) => f.path)).toEqual([BOOT_LOADER_PATH, `/etc/systemd/system/${BOOT_LOADER_UNIT}`]);
      expect(verifyUnit(BOOT_LOADER_UNIT, files[1].content)).toEqual({ status: 0, output: '' });
    });

    it('fetches the document signed with the role, writes every file with its mode, then runs its commands in order', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const run = boot(box, renderLoader(loader, served.text), served.text);
      expect(run).toMatchObject({ status: 0 });
      for (const file of served.files) {
        expect({ path: file.path, content: box.read(file.path.slice(box.dir.length + 1)) }).toEqual({ path: file.path, content: file.content });
        expect({ path: file.path, mode: (statSync(file.path).mode & 0o7777).toString(8).padStart(4, '0') }).toEqual({
          path: file.path,
          mode: file.permissions,
        });
      }
      const commands = (parse(served.text).runcmd as string[][]).map((c) => c.join(' '));
      expect(box.calls().filter((c) => c.startsWith('s3-') || c.startsWith('systemctl'))).toEqual([`s3-get ${KEY}`, ...commands]);
      expect(box.endpoints()).toEqual([HOST]);
    });
  });

  it('goes through the servers proxy for S3 when they have one, never for the instance metadata', () => {
    const unitOf = (variant: string) => unitCommand((parse(renderLoader(firstServer(variant).loader, '')).write_files as BootFile[])[1].content);
    const proxied = unitOf('rke-ha proxy, closed egress, air gap, audit log');
    expect(proxied.env).toEqual({ HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '169.254.169.254' });
    expect(proxied.argv[0]).toBe(BOOT_LOADER_PATH);
    expect(unitOf('rke-ha closed egress without a proxy, air gap')).toEqual({
      argv: [BOOT_LOADER_PATH, expect.any(String), 'eu-west-1', expect.any(String)],
      env: {},
    });
  });

  describe('refusals and failures', () => {
    const { loader, document } = firstServer('rke-ha defaults');

    it('applies nothing from a document whose SHA-256 is not the one the user data carries, and says why at each attempt', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      // Retried as any other answer of the store (the object may be written back); two attempts here.
      const run = boot(box, renderLoader(loader, served.text), `${served.text}# changed after the apply\n`, { BOOT_FETCH_ATTEMPTS: '2' });
      expect(run.status).toBe(1);
      expect(
        run.output.match(new RegExp(`this server's user data expects ${sha256(served.text)}: refusing it; nothing applied yet`, 'g')),
      ).toHaveLength(2);
      expect(box.exists('stamp')).toBe(false);
      expect(served.files.filter((f) => box.exists(f.path.slice(box.dir.length + 1)))).toEqual([]);
      expect(box.calls().filter((c) => c.startsWith('systemctl'))).toEqual([]);
    });

    it.each([
      [
        'a cloud-init key it does not implement',
        (text: string) => text.replace('#cloud-config\n', '#cloud-config\nbootcmd:\n  - [touch, /tmp/x]\n'),
        /it has bootcmd/,
      ],
      [
        'a file key it does not implement',
        (text: string) => text.replace(/ {4}owner: /, '    encoding: b64\n    owner: '),
        /exactly path, content, owner and permissions/,
      ],
      ['a command written as a shell line', (text: string) => text.replace(/runcmd:\n/, 'runcmd:\n  - systemctl daemon-reload\n'), /a list of words/],
    ])('refuses a document with %s before writing any file', (_what, change, message) => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const changed = change(served.text);
      expect(changed).not.toBe(served.text);
      const run = boot(box, renderLoader(loader, changed), changed);
      // 78: the unit does not run the loader again for it (RestartPreventExitStatus); the same bytes stay refused.
      expect(run.status).toBe(78);
      expect(run.output).toMatch(message);
      expect(box.exists('stamp')).toBe(false);
      expect(served.files.filter((f) => box.exists(f.path.slice(box.dir.length + 1)))).toEqual([]);
      expect(box.calls().filter((c) => c.startsWith('systemctl'))).toEqual([]);
    });

    it('retries S3 throttling with a growing pause, then applies the document', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      box.write(`s3-errors/${KEY}`, '3');
      const run = boot(box, renderLoader(loader, served.text), served.text);
      expect(run.status).toBe(0);
      expect(box.calls().filter((c) => c.startsWith('s3-'))).toEqual(Array(4).fill(`s3-get ${KEY}`));
      expect(box.slept()).toBe(2 + 4 + 8);
    });

    it('waits out a 10-minute S3 brownout, a line on the console for each attempt, then applies the document once', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      box.write('s3-brownout-until', '600');
      const run = boot(box, renderLoader(loader, served.text), served.text);
      expect(run.status).toBe(0);
      // Attempts at 0, 2, 6, 14, 30, 62 s, then a minute apart: the 15th, at 602 s, is the first after the brownout.
      const s3 = box.calls().filter((c) => c.startsWith('s3-'));
      expect(s3.filter((c) => c === `s3-get ${KEY}`)).toHaveLength(15);
      expect(s3.filter((c) => c === `s3-unavailable ${KEY}`)).toHaveLength(14);
      expect(box.slept()).toBe(2 + 4 + 8 + 16 + 32 + 60 * 9);
      const lines = run.output.split('\n').filter((line) => line.startsWith('rancher-aws-boot-loader: attempt '));
      expect(lines).toHaveLength(14);
      expect(lines[13]).toBe(
        `rancher-aws-boot-loader: attempt 14: GET https://${HOST}/${KEY}: HTTP 503 ServiceUnavailable: Service is unable to handle request.; nothing applied yet, next attempt in 60 s`,
      );
      expect(run.output).toContain(`applied https://${HOST}/${KEY} (${sha256(served.text)}) after 15 attempts`);
      expect(run.output).not.toContain('not applied after 30 minutes');
      for (const file of served.files)
        expect({ path: file.path, content: box.read(file.path.slice(box.dir.length + 1)) }).toEqual({ path: file.path, content: file.content });
      const commands = (parse(served.text).runcmd as string[][]).map((c) => c.join(' '));
      expect(box.calls().filter((c) => c.startsWith('systemctl'))).toEqual(commands);
      expect(box.read('stamp')).toMatch(new RegExp(`^${sha256(served.text)} \\d{4}-\\d\\d-\\d\\dT`));
    });

    it('keeps trying a minute apart past 30 minutes, saying so once, and after a reboot applies the document, once', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const userData = renderLoader(loader, served.text);
      // An instance profile that has not reached the instance metadata yet.
      box.write('imds-no-role', '');
      // The first boot's run, stopped by the test after 35 attempts (the loader itself has no bound): 34 pauses.
      const first = boot(box, userData, served.text, { BOOT_FETCH_ATTEMPTS: '35' });
      expect(first.status).toBe(1);
      expect(box.calls()).toEqual(Array(35).fill('imds-no-role'));
      expect(box.slept()).toBe(2 + 4 + 8 + 16 + 32 + 60 * 29);
      expect(first.output.match(/not applied after 30 minutes: trying every 60 s until it is \(docs\/recover\.md\)/g)).toHaveLength(1);
      expect(first.output).toContain('attempt 35: no instance role in the instance metadata yet; nothing applied yet, next attempt in 60 s');
      expect(served.files.filter((f) => box.exists(f.path.slice(box.dir.length + 1)))).toEqual([]);
      // The reboot: the unit runs the loader again (no stamp yet); the role is there now.
      box.remove('imds-no-role');
      const second = boot(box, userData, served.text);
      expect(second.status).toBe(0);
      expect(second.output).toContain('after 1 attempts');
      // Any later start (a reboot, a restart by hand) applies nothing again.
      const third = boot(box, userData, served.text);
      expect(third).toMatchObject({ status: 0, output: expect.stringContaining('applied already') });
      const commands = (parse(served.text).runcmd as string[][]).map((c) => c.join(' '));
      expect(box.calls().filter((c) => !c.startsWith('imds-'))).toEqual([`s3-get ${KEY}`, ...commands]);
    });

    it('is refused by S3 when its signature is for another region (the stand-in checks it), and says so without the token', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const wrongRegion = renderLoader(loader, served.text).replace(/(\n {6}ExecStart=\S+ \S+ )eu-west-1 /, '$1us-east-1 ');
      expect(wrongRegion).toContain(' us-east-1 ');
      // Three attempts (the test's bound; the loader has none): the stand-in's own check runs a dozen processes a call.
      const run = boot(box, wrongRegion, served.text, { BOOT_FETCH_ATTEMPTS: '3' });
      expect(run.status).not.toBe(0);
      expect(run.output).toContain(
        'HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.; nothing applied yet',
      );
      // S3's answer names the session token (its canonical request); the console does not.
      expect(run.output).not.toContain('x-amz-security-token');
      expect(box.calls().filter((c) => c.startsWith('s3-refused'))).toHaveLength(3);
    });
  });
});
