import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { BOOT_LOADER_PATH } from '../../../lib/nodes/private/boot-loader';
import { NodeSandbox, sha256 } from '../../helpers/node-sandbox';
import { runBounded } from '../../helpers/subprocess';
import { resources, userDataOf, userDataSentOf, type TerraformJson } from '../../helpers/synth';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';
import { RKE_HA_STACK, synthSettings, variantSettings } from '../../helpers/variants';

/**
 * The servers' user data as a loader (boot-loader.sh), booted in a NodeSandbox against a stand-in S3 (the curl stub's
 * GetObject: SigV4 checked again with openssl, throttling, no connection): the loaders of the default, air-gap and
 * closed-egress variants (with and without a proxy) pass cloud-init's schema, yamllint and shellcheck, and fetch,
 * check and apply the variant's own boot document (its paths moved into the sandbox); a document whose SHA-256 is
 * not the one the user data carries, or with anything the loader does not implement, is refused before a file is
 * written; a store that does not answer is given up on after the loader's bounded retries. Over the tier's budget per
 * case: each boot is the loader's own processes (curl stubs, python3 twice) and the stand-in's signature check (openssl
 * six times a request), and each variant one synth, shared with the other files of the run.
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

  /** Serves `served` as the object, and runs the loader's runcmd as the user data has it (checking `expected`). */
  function boot(box: NodeSandbox, loaderUserData: string, served: string, env: Record<string, string> = {}) {
    box.write(`s3-objects/${KEY}`, served);
    const doc = parse(loaderUserData) as { write_files: BootFile[]; runcmd: string[][] };
    box.write('sbin/rancher-aws-boot-loader', doc.write_files[0].content);
    chmodSync(box.path('sbin/rancher-aws-boot-loader'), 0o700);
    const [command] = doc.runcmd;
    const argv = command.map((word) => (word === BOOT_LOADER_PATH ? box.path('sbin/rancher-aws-boot-loader') : word));
    const run = runBounded(argv[0], argv.slice(1), { env: box.environment(env) });
    return { status: run.status, output: `${run.stdout}${run.stderr}`, command };
  }

  describe.each(VARIANTS)('%s', (variant) => {
    const { loader, document } = firstServer(variant);

    it('passes cloud-init schema, yamllint and shellcheck', () => {
      const files = validateCloudConfig(renderLoader(loader, document));
      expect(files.map((f) => f.path)).toEqual([BOOT_LOADER_PATH]);
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
    const { loader } = firstServer('rke-ha proxy, closed egress, air gap, audit log');
    const [command] = parse(renderLoader(loader, '')).runcmd as string[][];
    expect(command.slice(0, 4)).toEqual(['env', 'HTTPS_PROXY=http://proxy.internal:3128', 'NO_PROXY=169.254.169.254', BOOT_LOADER_PATH]);
    const [direct] = parse(renderLoader(firstServer('rke-ha closed egress without a proxy, air gap').loader, '')).runcmd as string[][];
    expect(direct[0]).toBe(BOOT_LOADER_PATH);
  });

  describe('refusals and failures', () => {
    const { loader, document } = firstServer('rke-ha defaults');

    it('applies nothing from a document whose SHA-256 is not the one the user data carries, and says why', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const run = boot(box, renderLoader(loader, served.text), `${served.text}# changed after the apply\n`);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain(`this server's user data expects ${sha256(served.text)}: refusing it, nothing was applied`);
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
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(message);
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

    it('gives up after its bounded retries when S3 does not answer, applying nothing', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      box.write('s3-down', '');
      const run = boot(box, renderLoader(loader, served.text), served.text);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('giving up after 10 attempts');
      expect(box.calls().filter((c) => c.startsWith('s3-'))).toEqual(Array(10).fill(`s3-get ${KEY}`));
      // 2, 4, 8, 16, then 30 s apart: about three minutes in all.
      expect(box.slept()).toBe(2 + 4 + 8 + 16 + 30 * 5);
      expect(served.files.filter((f) => box.exists(f.path.slice(box.dir.length + 1)))).toEqual([]);
    });

    it('is refused by S3 when its signature is for another region (the stand-in checks it), and gives up', () => {
      const box = sandbox();
      const served = relocated(document, box.path('root'));
      const wrongRegion = renderLoader(loader, served.text).replace(/(\n {4}- )eu-west-1\n/, '$1us-east-1\n');
      expect(wrongRegion).toContain('- us-east-1\n');
      // Three attempts (the loader's budget as tests shorten it): the stand-in's own check runs a dozen processes a call.
      const run = boot(box, wrongRegion, served.text, { BOOT_FETCH_ATTEMPTS: '3' });
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('SignatureDoesNotMatch');
      expect(box.calls().filter((c) => c.startsWith('s3-refused'))).toHaveLength(3);
    });
  });
});
