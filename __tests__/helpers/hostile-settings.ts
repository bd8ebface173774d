import { execFileSync } from 'node:child_process';
import fs, { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingsError, SettingsFileError } from '../../lib/config/errors';
import { EXIT_CODES } from '../../app/config/exit-codes';
import { loadSettings } from '../../app/config/load';
import { MAX_SETTINGS_FILE_BYTES } from '../../app/config/settings-file';

/**
 * Issue 11: hostile and mistaken settings files. Every file below is loaded
 * the way the synth loads it (RANCHER_CONFIG); none may crash, read past the
 * size cap (a hang on /dev/zero, a FIFO, a huge file), print a stack trace
 * or write output. A rejected file must be refused with
 * its own exit code and name the field given. A few run through the compiled
 * CLI (the app bundle scripts/synth.js runs) for exit codes, stderr and
 * cdktf.out. Classes: 1 template text in free-text fields, 2 crashes and
 * hangs of the loader, 3 accepted here but refused later, 4 security posture
 * (FSBP), 5 secrets in local state.
 */

const REPO = resolve(__dirname, '..', '..');
const CERTS = join(REPO, '__tests__/fixtures/certs');
/** Files one load may open: the settings file and the certificate files it names. */
export const MAX_FILES_OPENED = 4;
export const STACK_TRACE_LINE = /^\s+at .+[(:]\d+/m;
export const SECRET = 'hunter2-9f8e7d6c';

type Expect =
  /** Refused, naming `field`, with the exit code of its kind. */
  | { readonly outcome: 'rejected'; readonly field: string; readonly exit: 1 | 2; readonly message?: RegExp }
  | { readonly outcome: 'accepted' }
  /** Owned by another part of issue 11 (template escaping, security posture): either outcome, but a refusal names `field`. */
  | { readonly outcome: 'either'; readonly field: string };

export interface HostileCase {
  readonly id: string;
  readonly cls: 1 | 2 | 3 | 4 | 5;
  /** YAML text or bytes (written to `<id>.yaml`), or a function making the file and returning its path. */
  readonly file: string | Buffer | ((dir: string) => string);
  readonly expect: Expect;
}

const rejected = (field: string, message?: RegExp): Expect => ({ outcome: 'rejected', field, exit: 1, message });
const unusable = (message?: RegExp): Expect => ({ outcome: 'rejected', field: '(file)', exit: 2, message });
const accepted: Expect = { outcome: 'accepted' };
const either = (field: string): Expect => ({ outcome: 'either', field });

const y = (lines: string[]) => `${lines.join('\n')}\n`;
const blank = (certificateFile: string, extra: string[] = []) =>
  y([
    'hostname: rancher.example.com',
    'rancher:',
    '  tls:',
    '    issuer: blank',
    `    certificateFile: ${JSON.stringify(certificateFile)}`,
    ...extra,
  ]);
const keys = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
/** A named pipe (mkfifo: a process, so the cases that use one run in the tools tier). */
export const fifo = (dir: string, name: string) => {
  const path = join(dir, name);
  if (!existsSync(path)) execFileSync('mkfifo', [path]);
  return path;
};

// Class 1: template syntax in free text. Refused where the field's own format excludes it; elsewhere escaping is the
// other engineers' part, so either outcome is fine as long as nothing crashes.
const class1: HostileCase[] = [
  ['tag-value-interpolation', 'tags:\n  Team: "${file(\\"/etc/passwd\\")}"\n', rejected('tags.Team')],
  ['tag-value-directive', 'tags:\n  Team: "%{ if true }x%{ endif }"\n', rejected('tags.Team')],
  ['tag-key-interpolation', 'tags:\n  "${var.x}": a\n', rejected('tags.${var.x}')],
  ['name-interpolation', 'name: "${var.x}"\n', rejected('name')],
  ['region-interpolation', 'region: "${var.region}"\n', rejected('region')],
  ['hostname-interpolation', 'hostname: "${var.x}.example.com"\n', rejected('hostname')],
  ['zone-directive', 'hostedZone: "%{x}.com"\n', rejected('hostedZone')],
  ['proxy-interpolation', 'proxy:\n  http: "http://${var.x}:3128"\n', rejected('proxy.http')],
  ['no-proxy-directive', 'proxy:\n  noProxy: ["%{x}"]\n', rejected('proxy.noProxy.0')],
  ['mirror-key-interpolation', 'airGap:\n  registryMirrors:\n    "${x}": ["https://m.internal"]\n', rejected('airGap.registryMirrors.${x}')],
  ['installer-interpolation', 'airGap:\n  installerUrl: "https://get.internal/${x}"\n', rejected('airGap.installerUrl')],
  ['rke2-version-interpolation', 'versions:\n  rke2: "${x}"\n', rejected('versions.rke2')],
  ['kms-interpolation', 'backend:\n  type: s3\n  bucket: acme-state\n  kmsKeyId: "alias/${x}"\n', rejected('backend.kmsKeyId')],
  ['ingress-class-directive', 'k8sHa:\n  ingress:\n    className: "%{x}"\n', rejected('k8sHa.ingress.className')],
  ['dns-target-interpolation', 'k8sHa:\n  dns:\n    target: "${x}.elb.amazonaws.com"\n', rejected('k8sHa.dns.target')],
  [
    'certificate-path-interpolation',
    'rancher:\n  tls:\n    issuer: blank\n    certificateFile: "${x}.pem"\n',
    rejected('rancher.tls.certificateFile'),
  ],
  ['ssh-key-interpolation', 'rkeHa:\n  sshKeyName: "${var.x}"\n', either('rkeHa.sshKeyName')],
  ['docker-ssh-key-directive', 'docker:\n  sshKeyName: "%{ if true }x%{ endif }"\n', either('docker.sshKeyName')],
  [
    'kubeconfig-context-interpolation',
    'k8sHa:\n  access:\n    kubeconfig:\n      context: "${file(\\"/etc/passwd\\")}"\n',
    either('k8sHa.access.kubeconfig.context'),
  ],
  ['kubeconfig-path-interpolation', 'k8sHa:\n  access:\n    kubeconfig:\n      path: "~/${x}"\n', either('k8sHa.access.kubeconfig.path')],
  ['backend-key-interpolation', 'backend:\n  type: s3\n  bucket: acme-state\n  key: "rancher/${x}/<stack>.tfstate"\n', either('backend.key')],
  ['backend-path-interpolation', 'backend:\n  path: "${path.root}/<stack>.tfstate"\n', either('backend.path')],
  [
    'cron-interpolation',
    'rkeHa:\n  etcdSnapshots:\n    scheduleCron: "${x} * * * *"\n',
    rejected('rkeHa.etcdSnapshots.scheduleCron', /not a number, range, list or step/),
  ],
  ['acme-email-interpolation', 'rancher:\n  tls:\n    issuer: acme\n    acme:\n      email: "${x}@example.com"\n', either('rancher.tls.acme.email')],
].map(([id, file, expect]) => ({ id: id as string, cls: 1, file: file as string, expect: expect as Expect }));

// Class 2: crashes and hangs of the loader: YAML features, file types and sizes.
export const BOMB = y([
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  'tags: *g',
]);
const class2: HostileCase[] = [
  { id: 'alias-bomb', cls: 2, file: BOMB, expect: rejected('b.0', /YAML aliases \(\*a\) are not supported/) },
  { id: 'alias-bomb-small', cls: 2, file: 'a: &a [1, 1]\nb: &b [*a, *a]\nadminCidrs: [*b, *b]\n', expect: rejected('b.0') },
  { id: 'alias-undefined', cls: 2, file: 'name: *nothing\n', expect: rejected('name', /aliases/) },
  { id: 'alias-recursive', cls: 2, file: 'tags: &t\n  a: *t\n', expect: rejected('tags.a') },
  { id: 'alias-recursive-list', cls: 2, file: 'adminCidrs: &l [*l]\n', expect: rejected('adminCidrs.0') },
  { id: 'alias-as-key', cls: 2, file: 'x: &k region\n*k : eu-west-1\n', expect: rejected('(file)', /aliases/) },
  { id: 'merge-key', cls: 2, file: 'base: &b {replicas: 3}\nrancher:\n  <<: *b\n', expect: rejected('rancher.<<') },
  { id: 'anchor-only', cls: 2, file: 'name: &n prod\n', expect: accepted },
  { id: 'tag-omap', cls: 2, file: 'tags: !!omap\n  - team: a\n', expect: rejected('tags', /!!omap is not supported/) },
  { id: 'tag-set', cls: 2, file: 'adminCidrs: !!set\n  ? 10.0.0.0/8\n', expect: rejected('adminCidrs', /!!set/) },
  { id: 'tag-binary', cls: 2, file: 'name: !!binary cmFuY2hlcg==\n', expect: rejected('name', /!!binary/) },
  { id: 'tag-timestamp', cls: 2, file: 'name: !!timestamp 2026-01-01\n', expect: rejected('name') },
  { id: 'tag-custom', cls: 2, file: 'region: !Ref Region\n', expect: rejected('region', /YAML tag !Ref/) },
  { id: 'tag-verbatim', cls: 2, file: 'region: !<tag:example.com:x> eu-west-1\n', expect: rejected('region') },
  { id: 'tag-mismatch', cls: 2, file: 'rancher:\n  replicas: !!float 3\n', expect: rejected('(file)', /a tag that does not fit/) },
  { id: 'tag-str-core', cls: 2, file: 'name: !!str prod\n', expect: accepted },
  {
    id: 'yaml-1.1-directive',
    cls: 2,
    file: '%YAML 1.1\n---\nrkeHa:\n  privateNodes: yes\n',
    expect: rejected('rkeHa.privateNodes', /true or false/),
  },
  { id: 'tag-directive', cls: 2, file: '%TAG !e! tag:example.com,2000:\n---\nname: !e!x prod\n', expect: rejected('name') },
  { id: 'duplicate-key', cls: 2, file: 'region: eu-west-1\nregion: eu-central-1\n', expect: rejected('region', /duplicate key.*at line 2/) },
  { id: 'duplicate-nested-key', cls: 2, file: 'rkeHa:\n  nodeCount: 1\n  nodeCount: 3\n', expect: rejected('rkeHa.nodeCount', /duplicate key/) },
  { id: 'duplicate-key-number-vs-string', cls: 2, file: 'tags:\n  1: a\n  "1": b\n', expect: rejected('tags.1', /duplicate key/) },
  { id: 'key-list', cls: 2, file: '? [a, b]\n: c\n', expect: rejected('(file)', /plain string/) },
  { id: 'key-mapping', cls: 2, file: 'tags:\n  {a: 1}: x\n', expect: rejected('tags', /plain string/) },
  { id: 'key-null', cls: 2, file: '~: x\n', expect: rejected('(file)', /plain string/) },
  { id: 'key-proto', cls: 2, file: '__proto__:\n  name: evil\n', expect: rejected('__proto__', /__proto__ is not supported/) },
  { id: 'key-proto-nested', cls: 2, file: 'rkeHa:\n  __proto__:\n    nodeCount: 2\n', expect: rejected('rkeHa.__proto__') },
  { id: 'key-proto-tag', cls: 2, file: 'tags:\n  "__proto__": x\n', expect: rejected('tags.__proto__') },
  { id: 'key-constructor', cls: 2, file: 'constructor: 1\n', expect: rejected('constructor', /unknown setting/) },
  { id: 'key-number', cls: 2, file: '42: x\n', expect: rejected('42', /unknown setting/) },
  { id: 'key-escape-sequence', cls: 2, file: '"\\e[2J\\e[31mred": 1\n', expect: rejected('\u001b[2J\u001b[31mred') },
  { id: 'key-bidi-override', cls: 2, file: 'rkeHa:\n  "size\\u202eGb": 1\n', expect: rejected('rkeHa.size\u202eGb') },
  { id: 'key-newline', cls: 2, file: '"a\\n  - b: fake line": 1\n', expect: rejected('a\n  - b: fake line') },
  { id: 'deep-flow-nesting', cls: 2, file: `tags: ${'['.repeat(3000)}${']'.repeat(3000)}\n`, expect: rejected('(file)', /nesting too deep/) },
  { id: 'deep-flow-unclosed', cls: 2, file: '{'.repeat(5000), expect: rejected('(file)') },
  {
    id: 'deep-block-nesting',
    cls: 2,
    file: keys(40, (i) => `${' '.repeat(i)}k:`),
    expect: rejected('k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k', /nested deeper than 16/),
  },
  { id: 'string-over-4096', cls: 2, file: `region: ${'a'.repeat(100_000)}\n`, expect: rejected('region', /100000 characters/) },
  { id: 'key-over-4096', cls: 2, file: `? ${'k'.repeat(5000)}\n: 1\n`, expect: rejected('(file)', /a key of 5000 characters/) },
  { id: 'many-keys', cls: 2, file: keys(2_000, (i) => `k${i}: ${i}`), expect: rejected('(file)', /none of its 2000 top-level keys is a setting/) },
  { id: 'many-keys-beside-a-setting', cls: 2, file: `name: prod\n${keys(2_000, (i) => `k${i}: ${i}`)}`, expect: rejected('k0', /unknown setting/) },
  { id: 'many-duplicate-keys', cls: 2, file: keys(2_000, () => 'name: prod'), expect: rejected('name', /duplicate key/) },
  { id: 'many-tags', cls: 2, file: `tags:\n${keys(2_000, (i) => `  k${i}: v`)}`, expect: rejected('tags', /2000 tags/) },
  { id: 'many-bad-cidrs', cls: 2, file: `adminCidrs:\n${keys(2_000, (i) => `  - x${i}`)}`, expect: rejected('adminCidrs.0') },
  { id: 'many-syntax-errors', cls: 2, file: 'a: [\n'.repeat(20_000), expect: rejected('(file)', /YAML: /) },
  { id: 'multiple-documents', cls: 2, file: 'name: a\n---\nname: b\n', expect: rejected('(file)', /more than one YAML document/) },
  { id: 'tab-indentation', cls: 2, file: 'rkeHa:\n\tnodeCount: 1\n', expect: rejected('(file)', /tab/) },
  { id: 'unclosed-quote', cls: 2, file: `region: "eu-west-1\nname: ${SECRET}\n`, expect: rejected('(file)', /closing quote/) },
  { id: 'top-level-list', cls: 2, file: '- name: a\n', expect: rejected('(file)', /got a list/) },
  { id: 'top-level-number', cls: 2, file: '42\n', expect: rejected('(file)', /got a single number value/) },
  { id: 'top-level-text', cls: 2, file: `DB_PASSWORD=${SECRET}\n`, expect: rejected('(file)', /got a single text value/) },
  {
    id: 'private-key-as-settings',
    cls: 2,
    file: `-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIE${SECRET}\n-----END PRIVATE KEY-----\n`,
    expect: rejected('(file)'),
  },
  {
    id: 'aws-credentials-as-settings',
    cls: 2,
    file: `[default]\naws_access_key_id = AKIA${SECRET}\naws_secret_access_key = ${SECRET}\n`,
    expect: rejected('(file)'),
  },
  {
    id: 'kubeconfig-as-settings',
    cls: 2,
    file: y(['apiVersion: v1', 'kind: Config', 'clusters: []', 'users:', '- name: admin', '  user:', `    token: ${SECRET}`, 'current-context: x']),
    expect: rejected('(file)', /none of its 5 top-level keys is a setting/),
  },
  { id: 'json-settings', cls: 2, file: '{"name": "prod", "region": "eu-west-1"}', expect: accepted },
  { id: 'byte-order-mark', cls: 2, file: '\ufeffname: prod\n', expect: accepted },
  { id: 'crlf-line-ends', cls: 2, file: 'name: prod\r\nregion: eu-west-1\r\n', expect: accepted },
  { id: 'empty-file', cls: 2, file: '', expect: rejected('(file)', /holds no settings/) },
  { id: 'document-marker-only', cls: 2, file: '---\n', expect: rejected('(file)', /holds no settings/) },
  {
    id: 'comments-up-to-the-cap',
    cls: 2,
    file: `${'#'.repeat(99)}\n`.repeat(Math.floor(MAX_SETTINGS_FILE_BYTES / 100)),
    expect: rejected('(file)', /holds no settings/),
  },
  { id: 'utf16', cls: 2, file: Buffer.from('\ufeffname: prod\n', 'utf16le'), expect: unusable(/binary file/) },
  { id: 'latin1', cls: 2, file: Buffer.from('tags:\n  team: caf\xe9\n', 'latin1'), expect: unusable(/not UTF-8/) },
  { id: 'nul-byte', cls: 2, file: Buffer.from(`name: prod\n\0${SECRET}`), expect: unusable(/NUL/) },
  { id: 'over-the-cap', cls: 2, file: `# ${'x'.repeat(MAX_SETTINGS_FILE_BYTES)}\n`, expect: unusable(/larger than the limit of 128 KiB/) },
  { id: 'multi-megabyte', cls: 2, file: (dir) => writeTo(dir, 'big.yaml', Buffer.alloc(8 * 1024 * 1024, 'a')), expect: unusable(/8,388,608 bytes/) },
  { id: 'directory', cls: 2, file: (dir) => dir, expect: unusable(/a directory/) },
  { id: 'fifo', cls: 2, file: (dir) => fifo(dir, 'settings.fifo'), expect: unusable(/named pipe/) },
  { id: 'dev-zero', cls: 2, file: () => '/dev/zero', expect: unusable(/character device/) },
  { id: 'dev-null', cls: 2, file: () => '/dev/null', expect: unusable(/character device/) },
  { id: 'dev-urandom', cls: 2, file: () => '/dev/urandom', expect: unusable(/character device/) },
  { id: 'proc-environ', cls: 2, file: () => '/proc/self/environ', expect: unusable(/binary file/) },
  { id: 'proc-cmdline', cls: 2, file: () => '/proc/self/cmdline', expect: unusable(/binary file/) },
  { id: 'proc-status', cls: 2, file: () => '/proc/self/status', expect: rejected('(file)', /top-level keys is a setting/) },
  { id: 'proc-mem', cls: 2, file: () => '/proc/self/mem', expect: unusable(/cannot be read/) },
  { id: 'missing-file', cls: 2, file: (dir) => join(dir, 'missing.yaml'), expect: unusable(/does not exist/) },
  { id: 'path-through-a-file', cls: 2, file: (dir) => join(writeTo(dir, 'plain.yaml', 'name: a\n'), 'x.yaml'), expect: unusable(/not a directory/) },
  { id: 'symlink-loop', cls: 2, file: (dir) => loop(dir), expect: unusable(/loop of symbolic links/) },
  { id: 'dangling-symlink', cls: 2, file: (dir) => link(dir, 'nowhere.yaml', 'dangling.yaml'), expect: unusable(/does not exist/) },
  { id: 'path-too-long', cls: 2, file: (dir) => join(dir, 'a'.repeat(5000)), expect: unusable(/too long/) },
  {
    id: 'certificate-directory',
    cls: 2,
    file: (dir) => writeTo(dir, 'cert-dir.yaml', blank(dir)),
    expect: rejected('rancher.tls.certificateFile', /a directory/),
  },
  {
    id: 'certificate-fifo',
    cls: 2,
    file: (dir) => writeTo(dir, 'cert-fifo.yaml', blank(fifo(dir, 'cert.fifo'))),
    expect: rejected('rancher.tls.certificateFile', /named pipe/),
  },
  { id: 'certificate-dev-zero', cls: 2, file: blank('/dev/zero'), expect: rejected('rancher.tls.certificateFile', /character device/) },
  { id: 'certificate-proc-environ', cls: 2, file: blank('/proc/self/environ'), expect: rejected('rancher.tls.certificateFile', /binary file/) },
  {
    id: 'certificate-huge',
    cls: 2,
    file: (dir) => writeTo(dir, 'cert-huge.yaml', blank(writeTo(dir, 'huge.pem', Buffer.alloc(4 * 1024 * 1024, 'a')))),
    expect: rejected('rancher.tls.certificateFile', /larger than the limit/),
  },
  { id: 'certificate-missing', cls: 2, file: blank('no-such.pem'), expect: rejected('rancher.tls.certificateFile', /file not found/) },
  {
    id: 'certificate-garbage',
    cls: 2,
    file: (dir) => writeTo(dir, 'cert-garbage.yaml', blank(writeTo(dir, 'garbage.pem', `-----BEGIN CERTIFICATE-----\n${SECRET}\n`))),
    expect: rejected('rancher.tls.certificateFile', /not a PEM certificate/),
  },
  { id: 'number-infinity', cls: 2, file: 'rancher:\n  replicas: .inf\n', expect: rejected('rancher.replicas', /expected a number/) },
  { id: 'number-nan', cls: 2, file: 'rancher:\n  replicas: .nan\n', expect: rejected('rancher.replicas') },
  { id: 'number-overflow', cls: 2, file: 'rancher:\n  replicas: 1e400\n', expect: rejected('rancher.replicas') },
  { id: 'number-huge-integer', cls: 2, file: `rkeHa:\n  rootVolumeGb: ${'9'.repeat(400)}\n`, expect: rejected('rkeHa.rootVolumeGb') },
  {
    id: 'redos-email',
    cls: 2,
    file: `rancher:\n  tls:\n    issuer: acme\n    acme:\n      email: "a@${'.a'.repeat(2000)}@"\n`,
    expect: rejected('rancher.tls.acme.email'),
  },
  {
    id: 'redos-registry',
    cls: 2,
    file: `airGap:\n  systemDefaultRegistry: "${'a-'.repeat(2000)}!"\n`,
    expect: rejected('airGap.systemDefaultRegistry'),
  },
  { id: 'redos-url', cls: 2, file: `airGap:\n  installerUrl: "https://${'a.'.repeat(2000)}!"\n`, expect: rejected('airGap.installerUrl') },
  { id: 'redos-hostname', cls: 2, file: `hostname: "${'a-.'.repeat(1300)}com"\n`, expect: rejected('hostname') },
  {
    id: 'redos-cron',
    cls: 2,
    file: `rkeHa:\n  etcdSnapshots:\n    scheduleCron: "${'* '.repeat(2000)}"\n`,
    expect: rejected('rkeHa.etcdSnapshots.scheduleCron'),
  },
];

// Class 3: accepted here, refused later by AWS, Terraform or the product; and the messages that misled.
const class3: HostileCase[] = [
  // name: every AWS name built from it
  ...(
    [
      ['internal', /load balancer name may not start with "internal-"/],
      ['internal-prod', /"internal-prod-rke-ha"/],
      ['sg', /security group name prefix may not start with "sg-"/],
      ['sg-prod', /"sg-prod-rke-ha-lb-"/],
      ['sthree', /S3 bucket name prefix may not start with "sthree-"/],
      ['sthree-x', /"sthree-x-rke-ha-etcd-"/],
      ['amzn-s3-demo', /may not start with "amzn-s3-demo-"/],
      ['amzn-s3-demo-x', /"amzn-s3-demo-x-rke-ha-etcd-"/],
      ['xn--abc', /must not contain "--"/],
      ['a--b', /RDS identifiers/],
      ['rancher-', /^must end with a letter or digit/],
      ['-rancher', /^must start with a lower-case letter/],
      ['1rancher', /^must start with a lower-case letter/],
      ['Rancher', /^expected lower-case letters, digits and "-" only/],
      ['ran cher', /^expected lower-case letters, digits and "-" only/],
      ['rançher', /^expected lower-case letters, digits and "-" only/],
      ['a2345678901234567', /ALB target group "<name>-rke-ha-alb-http", may have 32/],
      ['a', /^expected 2-16 characters/],
      ['aws-prod', /reserved by SSM Parameter Store/],
      ['ssm', /reserved by SSM Parameter Store/],
    ] as const
  ).map(([name, message]): HostileCase => ({
    id: `name-${name}`,
    cls: 3,
    file: `name: ${JSON.stringify(name)}\n`,
    expect: rejected('name', message),
  })),
  { id: 'name-number', cls: 3, file: 'name: 42\n', expect: rejected('name', /expected a string/) },
  { id: 'name-list', cls: 3, file: 'name: [a]\n', expect: rejected('name') },
  { id: 'name-empty-key', cls: 3, file: 'name:\n', expect: accepted },
  { id: 'name-longest', cls: 3, file: 'name: a234567890123456\n', expect: accepted },
  // tags: the intersection of every tagged service's rules, 50 per resource
  { id: 'tag-key-aws', cls: 3, file: 'tags:\n  aws:cost: x\n', expect: rejected('tags.aws:cost', /"aws:" are AWS's/) },
  { id: 'tag-key-aws-upper', cls: 3, file: 'tags:\n  AWS:cost: x\n', expect: rejected('tags.AWS:cost') },
  { id: 'tag-key-product', cls: 3, file: 'tags:\n  rancher-aws:deployment: x\n', expect: rejected('tags.rancher-aws:deployment') },
  { id: 'tag-key-129', cls: 3, file: `tags:\n  ${'k'.repeat(129)}: x\n`, expect: rejected(`tags.${'k'.repeat(129)}`, /1-128/) },
  { id: 'tag-value-257', cls: 3, file: `tags:\n  team: ${'v'.repeat(257)}\n`, expect: rejected('tags.team', /at most 256/) },
  { id: 'tag-value-quote', cls: 3, file: "tags:\n  team: 'a\"b'\n", expect: rejected('tags.team', /every tagged AWS service/) },
  { id: 'tag-value-newline', cls: 3, file: 'tags:\n  team: "a\\nb"\n', expect: rejected('tags.team') },
  { id: 'tag-value-comma', cls: 3, file: 'tags:\n  team: "a,b"\n', expect: rejected('tags.team') },
  { id: 'tag-value-emoji', cls: 3, file: 'tags:\n  team: "🚀"\n', expect: rejected('tags.team') },
  { id: 'tag-key-empty', cls: 3, file: 'tags:\n  "": x\n', expect: rejected('tags.', /1-128/) },
  { id: 'tag-value-null', cls: 3, file: 'tags:\n  team:\n', expect: rejected('tags.team', /expected a string/) },
  { id: 'tag-value-number', cls: 3, file: 'tags:\n  cost-center: 42\n', expect: rejected('tags.cost-center', /expected a string/) },
  { id: 'tag-keys-case', cls: 3, file: 'tags:\n  Team: a\n  team: b\n', expect: rejected('tags.team', /case/) },
  { id: 'tags-48', cls: 3, file: `tags:\n${keys(48, (i) => `  k${i}: v`)}\n`, expect: rejected('tags', /make 51/) },
  { id: 'tags-47', cls: 3, file: `tags:\n${keys(47, (i) => `  k${i}: v`)}\n`, expect: accepted },
  { id: 'tags-list', cls: 3, file: 'tags:\n  - team: a\n', expect: rejected('tags', /a mapping/) },
  { id: 'tags-unicode-letters', cls: 3, file: 'tags:\n  Équipe: "Plateforme Ops"\n', expect: accepted },
  // adminCidrs
  { id: 'admin-halves', cls: 3, file: 'adminCidrs: [0.0.0.0/1, 128.0.0.0/1]\n', expect: rejected('adminCidrs', /cover the whole internet/) },
  {
    id: 'admin-quarters',
    cls: 3,
    file: 'adminCidrs: [0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/2, 192.0.0.0/2]\n',
    expect: rejected('adminCidrs', /cover the whole internet/),
  },
  {
    id: 'admin-256-slash-8',
    cls: 3,
    file: `adminCidrs:\n${keys(256, (i) => `  - ${i}.0.0.0/8`)}\n`,
    expect: rejected('adminCidrs', /cover the whole internet/),
  },
  { id: 'admin-zero', cls: 3, file: 'adminCidrs: [0.0.0.0/0]\n', expect: rejected('adminCidrs.0', /whole internet/) },
  { id: 'admin-host-bits', cls: 3, file: 'adminCidrs: [10.8.0.7/24]\n', expect: rejected('adminCidrs.0') },
  { id: 'admin-leading-zero', cls: 3, file: 'adminCidrs: [010.0.0.0/8]\n', expect: rejected('adminCidrs.0') },
  { id: 'admin-prefix-00', cls: 3, file: 'adminCidrs: [10.0.0.0/08]\n', expect: rejected('adminCidrs.0') },
  { id: 'admin-ipv6', cls: 3, file: 'adminCidrs: ["fd12:3456::/32"]\n', expect: rejected('adminCidrs', /only of a dual-stack deployment/) },
  {
    id: 'admin-ipv6-upper-case',
    cls: 3,
    file: 'rkeHa:\n  dualStack: true\nadminCidrs: ["2001:DB8::/32"]\n',
    expect: rejected('adminCidrs.0', /canonical form/),
  },
  { id: 'admin-string', cls: 3, file: 'adminCidrs: 10.0.0.0/8\n', expect: rejected('adminCidrs', /a list/) },
  { id: 'admin-too-many', cls: 3, file: `adminCidrs:\n${keys(59, (i) => `  - 10.${i}.0.0/16`)}\n`, expect: rejected('adminCidrs', /too many/) },
  {
    id: 'admin-too-many-with-ssh',
    cls: 3,
    file: `rkeHa:\n  sshKeyName: ops\nadminCidrs:\n${keys(46, (i) => `  - 10.${i}.0.0/16`)}\n`,
    expect: rejected('adminCidrs', /at most 45/),
  },
  // backend: one state per stack, keys and KMS keys as the S3 backend takes them
  {
    id: 'backend-path-shared',
    cls: 3,
    file: 'backend:\n  path: ../../../terraform.tfstate\n',
    expect: rejected('backend.path', /must contain <stack>/),
  },
  {
    id: 'backend-path-dotdot',
    cls: 3,
    file: 'backend:\n  path: state/<stack>/../shared.tfstate\n',
    expect: rejected('backend.path', /different file for each stack/),
  },
  { id: 'backend-path-directory', cls: 3, file: 'backend:\n  path: state/<stack>/\n', expect: rejected('backend.path', /file name at the end/) },
  { id: 'backend-path-absolute', cls: 3, file: 'backend:\n  path: /var/lib/<stack>.tfstate\n', expect: rejected('backend.path', /relative path/) },
  {
    id: 'backend-path-control',
    cls: 3,
    file: 'backend:\n  path: "state/<stack>\\r.tfstate"\n',
    expect: rejected('backend.path', /control characters/),
  },
  {
    id: 'backend-key-shared',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  key: rancher/terraform.tfstate\n',
    expect: rejected('backend.key', /must contain <stack>/),
  },
  {
    id: 'backend-key-leading-slash',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  key: /rancher/<stack>.tfstate\n',
    expect: rejected('backend.key', /must not start with "\/"/),
  },
  {
    id: 'backend-key-trailing-slash',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  key: rancher/<stack>/\n',
    expect: rejected('backend.key'),
  },
  {
    id: 'backend-key-double-slash',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  key: rancher//<stack>\n',
    expect: rejected('backend.key'),
  },
  {
    id: 'backend-key-1025',
    cls: 3,
    file: `backend:\n  type: s3\n  bucket: acme-state\n  key: <stack>/${'k'.repeat(1020)}\n`,
    expect: rejected('backend.key', /at most 1024/),
  },
  {
    id: 'backend-kms-doc-example',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab\n',
    expect: rejected('backend.kmsKeyId'),
  },
  {
    id: 'backend-kms-alias-empty',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  kmsKeyId: alias/\n',
    expect: rejected('backend.kmsKeyId'),
  },
  { id: 'backend-bucket-upper', cls: 3, file: 'backend:\n  type: s3\n  bucket: Acme-State\n', expect: rejected('backend.bucket') },
  {
    id: 'backend-bucket-with-local',
    cls: 3,
    file: 'backend:\n  type: local\n  bucket: acme-state\n',
    expect: rejected('backend.bucket', /^applies to backend.type s3 only \(this one is local\); allowed with local: type, path$/),
  },
  {
    id: 'backend-path-with-s3',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  path: x/<stack>.tfstate\n',
    expect: rejected('backend.path', /applies to backend.type local only/),
  },
  { id: 'backend-type-gcs', cls: 3, file: 'backend:\n  type: gcs\n', expect: rejected('backend.type') },
  {
    id: 'backend-s3-valid',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  key: rancher/prod/<stack>.tfstate\n  kmsKeyId: alias/terraform-state\n',
    expect: accepted,
  },
  // TLS: what would only fail at the final /ping
  {
    id: 'certificate-self-signed',
    cls: 3,
    file: blank(join(CERTS, 'self-signed.rancher.example.com.pem')),
    expect: rejected('rancher.tls.certificateFile', /self-signed.*privateCA: true/),
  },
  {
    id: 'certificate-self-signed-private-ca',
    cls: 3,
    file: blank(join(CERTS, 'self-signed.rancher.example.com.pem'), ['    privateCA: true']),
    expect: accepted,
  },
  { id: 'certificate-ca-signed', cls: 3, file: blank(join(CERTS, 'rancher.example.com.pem')), expect: accepted },
  {
    id: 'certificate-wrong-host',
    cls: 3,
    file: blank(join(CERTS, 'other.example.org.pem')),
    expect: rejected('rancher.tls.certificateFile', /does not name hostname/),
  },
  {
    id: 'docker-private-ca-ca',
    cls: 3,
    file: 'docker:\n  tls:\n    issuer: ca\n    privateCA: true\n',
    expect: rejected('docker.tls.privateCA', /issuer "ca"/),
  },
  {
    id: 'docker-private-ca-acme',
    cls: 3,
    file: 'docker:\n  tls:\n    issuer: acme\n    privateCA: true\n',
    expect: rejected('docker.tls.privateCA'),
  },
  { id: 'docker-private-ca-rancher', cls: 3, file: 'docker:\n  tls:\n    privateCA: true\n', expect: rejected('docker.tls.privateCA') },
  // DNS
  {
    id: 'apex-cname',
    cls: 3,
    file: 'hostname: acme.io\nhostedZone: acme.io\nk8sHa:\n  dns:\n    target: lb.other-cloud.net\n',
    expect: rejected('k8sHa.dns.target', /no CNAME at the apex/),
  },
  {
    id: 'apex-alias',
    cls: 3,
    file: 'hostname: acme.io\nhostedZone: acme.io\nk8sHa:\n  dns:\n    target: k8s-x-0123456789.elb.us-east-1.amazonaws.com\n',
    expect: accepted,
  },
  { id: 'apex-address', cls: 3, file: 'hostname: acme.io\nhostedZone: acme.io\nk8sHa:\n  dns:\n    target: 203.0.113.10\n', expect: accepted },
  { id: 'zone-trailing-dot', cls: 3, file: 'hostedZone: acme.io.\n', expect: rejected('hostedZone', /without the trailing dot, "acme.io"/) },
  { id: 'hostname-trailing-dot', cls: 3, file: 'hostname: rancher.acme.io.\n', expect: rejected('hostname', /trailing dot/) },
  { id: 'hostname-capitals', cls: 3, file: 'hostname: Rancher.Acme.io\n', expect: rejected('hostname', /lower case, "rancher.acme.io"/) },
  {
    id: 'hostname-65-with-acm',
    cls: 3,
    file: `hostname: ${'r'.repeat(57)}.acme.io\nrancher:\n  tls:\n    mode: external\n    issuer: acme\n`,
    expect: rejected('hostname', /ACM .* takes at most 64/),
  },
  {
    id: 'hostname-outside-zone',
    cls: 3,
    file: 'hostname: rancher.acme.io\nhostedZone: acme.com\n',
    expect: rejected('hostname', /inside hostedZone/),
  },
  // messages that misled
  { id: 'kubeconfig-empty-section', cls: 3, file: 'k8sHa:\n  access:\n    kubeconfig:\n', expect: accepted },
  { id: 'installer-query', cls: 3, file: 'airGap:\n  installerUrl: https://mirror.internal/install.sh?version=1&sig=ab%2F\n', expect: accepted },
  {
    id: 'chart-repository-query',
    cls: 3,
    file: 'airGap:\n  rancherChartRepository: https://charts.internal/stable?ref=main\n',
    expect: rejected('airGap.rancherChartRepository'),
  },
  { id: 'unknown-key-empty', cls: 3, file: 'rkeHa:\n  instanceTyp:\n', expect: rejected('rkeHa.instanceTyp', /unknown setting/) },
  { id: 'mirror-list-empty', cls: 3, file: 'airGap:\n  registryMirrors:\n    docker.io:\n', expect: rejected('airGap.registryMirrors.docker.io') },
  { id: 'ssh-key-non-ascii', cls: 3, file: 'rkeHa:\n  sshKeyName: clé\n', expect: rejected('rkeHa.sshKeyName', /ASCII/) },
  { id: 'ssh-key-edge-space', cls: 3, file: 'docker:\n  sshKeyName: " ops"\n', expect: rejected('docker.sshKeyName') },
  // other mistakes people make under pressure
  { id: 'region-zone', cls: 3, file: 'region: eu-west-1a\n', expect: rejected('region') },
  { id: 'rke2-two-nodes', cls: 3, file: 'rkeHa:\n  nodeCount: 2\n', expect: rejected('rkeHa.nodeCount') },
  { id: 'node-count-string', cls: 3, file: 'rkeHa:\n  nodeCount: "3"\n', expect: rejected('rkeHa.nodeCount') },
  { id: 'vpc-overlaps-pods', cls: 3, file: 'rkeHa:\n  vpcCidr: 10.42.0.0/16\n', expect: rejected('rkeHa.vpcCidr') },
  { id: 'version-out-of-range', cls: 3, file: 'versions:\n  rke2: v1.30.1+rke2r1\n', expect: rejected('versions.rke2') },
  { id: 'acme-at-external', cls: 3, file: 'rancher:\n  tls:\n    mode: external\n    issuer: rancher\n', expect: rejected('rancher.tls.issuer') },
  { id: 'proxy-credentials', cls: 3, file: `proxy:\n  http: http://admin:${SECRET}@proxy.internal:3128\n`, expect: rejected('proxy.http') },
  {
    id: 'kubeconfig-absolute',
    cls: 3,
    file: 'k8sHa:\n  access:\n    kubeconfig:\n      path: /home/me/.kube/config\n',
    expect: rejected('k8sHa.access.kubeconfig.path'),
  },
  {
    id: 'cron-minute-60',
    cls: 3,
    file: 'rkeHa:\n  etcdSnapshots:\n    scheduleCron: "60 */6 * * *"\n',
    expect: rejected('rkeHa.etcdSnapshots.scheduleCron', /outside 0-59/),
  },
  {
    id: 'cron-weekday-7',
    cls: 3,
    file: 'rkeHa:\n  etcdSnapshots:\n    scheduleCron: "0 3 * * 7"\n',
    expect: rejected('rkeHa.etcdSnapshots.scheduleCron', /outside 0-6/),
  },
  {
    id: 'egress-closed-without-proxy',
    cls: 3,
    file: 'proxy:\n  egressOnlyTo: [10.9.0.0/24]\n',
    expect: rejected('proxy.egressOnlyTo', /set airGap\.installerUrl/),
  },
  {
    id: 'egress-closed-without-proxy-mirrored',
    cls: 3,
    file: 'proxy:\n  egressOnlyTo: [10.9.0.0/24]\nairGap:\n  installerUrl: https://mirror.internal/install.sh\n  systemDefaultRegistry: registry.internal:5000\n  registryMirrors:\n    quay.io: [https://registry.internal:5000/quay]\n',
    expect: accepted,
  },
  {
    id: 'restore-volume-id',
    cls: 3,
    file: 'docker:\n  dataVolume:\n    restoreSnapshotId: vol-0123456789abcdef0\n',
    expect: rejected('docker.dataVolume.restoreSnapshotId'),
  },
  // Issue 22: values AWS or the release servers refuse, accepted until then.
  {
    id: 'backend-bucket-adjacent-dots',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: a..b\n',
    expect: rejected('backend.bucket', /two adjacent periods/),
  },
  {
    id: 'backend-bucket-ip-address',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: 192.168.5.4\n',
    expect: rejected('backend.bucket', /formatted as an IP address/),
  },
  {
    id: 'backend-bucket-reserved-suffix',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: state-s3alias\n',
    expect: rejected('backend.bucket', /-s3alias/),
  },
  { id: 'rke2-tag-leading-zero', cls: 3, file: 'versions:\n  rke2: v1.035.7+rke2r1\n', expect: rejected('versions.rke2', /expected a version like/) },
  { id: 'k3s-tag-leading-zero', cls: 3, file: 'versions:\n  k3s: v1.35.07+k3s1\n', expect: rejected('versions.k3s', /expected a version like/) },
  {
    id: 'rancher-tag-leading-zero',
    cls: 3,
    file: 'versions:\n  rancher: 2.014.3\n',
    expect: rejected('versions.rancher', /expected a version like/),
  },
  {
    id: 'cert-manager-tag-leading-zero',
    cls: 3,
    file: 'versions:\n  certManager: v1.021.1\n',
    expect: rejected('versions.certManager', /expected a version like/),
  },
  { id: 'region-unknown', cls: 3, file: 'region: eu-west-9\n', expect: rejected('region', /is not an AWS region \(did you mean eu-west-1\?\)/) },
  {
    id: 'region-unknown-backend',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: acme-state\n  region: us-north-1\n',
    expect: rejected('backend.region', /is not an AWS region/),
  },
  {
    id: 'registry-port-above-65535',
    cls: 3,
    file: 'airGap:\n  systemDefaultRegistry: registry.internal:70000\n',
    expect: rejected('airGap.systemDefaultRegistry', /expected a registry/),
  },
  {
    id: 'registry-port-zero',
    cls: 3,
    file: 'airGap:\n  systemDefaultRegistry: registry.internal:0\n',
    expect: rejected('airGap.systemDefaultRegistry', /expected a registry/),
  },
  {
    id: 'mirror-port-above-65535',
    cls: 3,
    file: 'airGap:\n  registryMirrors:\n    docker.io: ["https://mirror.internal:65536"]\n',
    expect: rejected('airGap.registryMirrors.docker.io.0', /https:\/\/ URL/),
  },
  {
    id: 'mirror-host-port-above-65535',
    cls: 3,
    file: 'airGap:\n  registryMirrors:\n    "registry.internal:99999": ["https://mirror.internal"]\n',
    expect: rejected('airGap.registryMirrors.registry.internal:99999', /registry host/),
  },
  {
    id: 'proxy-port-above-65535',
    cls: 3,
    file: 'proxy:\n  http: http://proxy.internal:99999\n',
    expect: rejected('proxy.http', /port from 1 to 65535/),
  },
  { id: 'registry-port-65535', cls: 3, file: 'airGap:\n  systemDefaultRegistry: registry.internal:65535\n', expect: accepted },
  // Issue 33: the last bad inputs a settings fuzz (about 1,000 cases) still accepted, each refused with the rule it breaks.
  {
    id: 'acme-email-documentation-domain-upper-case',
    cls: 3,
    file: 'rancher:\n  tls:\n    issuer: acme\n    acme:\n      email: ops@EXAMPLE.COM\n',
    expect: rejected('rancher.tls.acme.email', /domain reserved for documentation/),
  },
  {
    id: 'alarms-email-documentation-domain',
    cls: 3,
    file: 'alarms:\n  email: ops@Example.Org\n',
    expect: rejected('alarms.email', /domain reserved for documentation/),
  },
  {
    id: 'restore-bucket-reserved-suffix',
    cls: 3,
    file: 'rancher:\n  bootstrap:\n    enabled: false\nbackups:\n  restoreFrom:\n    file: rancher-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz\n    bucket: abc--ol-s3\n',
    expect: rejected('backups.restoreFrom.bucket', /S3 reserves the suffix --ol-s3/),
  },
  {
    id: 'alarms-email-258-characters',
    cls: 3,
    file: `alarms:\n  email: ${'a'.repeat(60)}@${'b'.repeat(193)}.org\n`,
    expect: rejected('alarms.email', /at most 254 characters/),
  },
  {
    id: 'backend-bucket-period-hyphen',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: a.-b\n',
    expect: rejected('backend.bucket', /a hyphen beside a period/),
  },
  {
    id: 'backend-bucket-hyphen-period',
    cls: 3,
    file: 'backend:\n  type: s3\n  bucket: a-.b\n',
    expect: rejected('backend.bucket', /a hyphen beside a period/),
  },
  {
    id: 'proxy-https-port-zero',
    cls: 3,
    file: 'proxy:\n  https: http://proxy.internal:0\n',
    expect: rejected('proxy.https', /port from 1 to 65535/),
  },
  { id: 'ami-id-12-digits', cls: 3, file: 'rkeHa:\n  amiId: ami-0123456789ab\n', expect: rejected('rkeHa.amiId', /8 or 17 hexadecimal digits/) },
  {
    id: 'snapshot-id-12-digits',
    cls: 3,
    file: 'docker:\n  dataVolume:\n    restoreSnapshotId: snap-0123456789ab\n',
    expect: rejected('docker.dataVolume.restoreSnapshotId', /8 or 17 hexadecimal digits/),
  },
  {
    id: 'backups-schedule-never-runs',
    cls: 3,
    file: 'backups:\n  schedule: 0 0 31 2 *\n',
    expect: rejected('backups.schedule', /never runs/),
  },
  {
    id: 'instance-type-below-rancher-minimum',
    cls: 3,
    file: 'rkeHa:\n  instanceType: t3.micro\n',
    expect: rejected('rkeHa.instanceType', /below Rancher's smallest documented server size/),
  },
  {
    id: 'instance-type-typo',
    cls: 3,
    file: 'rkeHa:\n  instanceType: m6i.xlarg\n',
    expect: rejected('rkeHa.instanceType', /did you mean m6i\.xlarge\?/),
  },
  { id: 'instance-type-small-allowed', cls: 3, file: 'rkeHa:\n  instanceType: t3.large\n  allowSmallInstanceType: true\n', expect: accepted },
  {
    id: 'instance-type-at-the-top',
    cls: 3,
    file: 'instanceType: m6i.2xlarge\n',
    expect: rejected('instanceType', /did you mean rkeHa\.instanceType or docker\.instanceType\?/),
  },
];

// Class 4: security posture choices (another part of issue 11 decides their rules): no crash, a refusal names the field.
const class4: HostileCase[] = [
  ['posture-force-destroy-bucket', 'rkeHa:\n  etcdSnapshots:\n    forceDestroyBucket: true\n', 'rkeHa.etcdSnapshots.forceDestroyBucket'],
  ['posture-single-az-datastore', 'rkeHa:\n  distribution: k3s\n  datastore:\n    multiAz: false\n', 'rkeHa.datastore.multiAz'],
  ['posture-short-backups', 'rkeHa:\n  distribution: k3s\n  datastore:\n    backupRetentionDays: 1\n', 'rkeHa.datastore.backupRetentionDays'],
  [
    'posture-no-deletion-protection',
    'rkeHa:\n  distribution: k3s\n  datastore:\n    deletionProtection: false\n',
    'rkeHa.datastore.deletionProtection',
  ],
  ['posture-ssh', 'rkeHa:\n  sshKeyName: ops\nadminCidrs: [10.8.0.0/24]\n', 'rkeHa.sshKeyName'],
  ['posture-public-nodes', 'rkeHa:\n  privateNodes: false\n', 'rkeHa.privateNodes'],
  ['posture-no-final-snapshot', 'docker:\n  dataVolume:\n    finalSnapshot: false\n', 'docker.dataVolume.finalSnapshot'],
  ['posture-lb-unprotected', 'rkeHa:\n  loadBalancer:\n    deletionProtection: false\n', 'rkeHa.loadBalancer.deletionProtection'],
].map(([id, file, field]) => ({ id, cls: 4, file, expect: either(field) }));

// Class 4, the options this part of issue 11 added: their mistakes are refused naming the field.
const class4Options: HostileCase[] = [
  {
    id: 'posture-flow-log-retention',
    cls: 4,
    file: 'vpc:\n  flowLogs:\n    destination: cloudwatch\n    retentionDays: 100\n',
    expect: rejected('vpc.flowLogs.retentionDays'),
  },
  { id: 'posture-flow-log-kinesis', cls: 4, file: 'vpc:\n  flowLogs:\n    destination: kinesis\n', expect: rejected('vpc.flowLogs.destination') },
  { id: 'posture-endpoint-twice', cls: 4, file: 'vpc:\n  endpoints: [ssm, ssm]\n', expect: rejected('vpc.endpoints') },
  { id: 'posture-endpoint-unknown', cls: 4, file: 'vpc:\n  endpoints: [dynamodb]\n', expect: rejected('vpc.endpoints.0') },
  {
    id: 'posture-monitoring-interval',
    cls: 4,
    file: 'rkeHa:\n  distribution: k3s\n  datastore:\n    monitoringInterval: 120\n',
    expect: rejected('rkeHa.datastore.monitoringInterval'),
  },
  {
    id: 'posture-datastore-port-low',
    cls: 4,
    file: 'rkeHa:\n  distribution: k3s\n  datastore:\n    port: 80\n',
    expect: rejected('rkeHa.datastore.port'),
  },
  {
    id: 'posture-object-lock',
    cls: 4,
    file: 'rkeHa:\n  etcdSnapshots:\n    objectLock: true\n    accessLogging: true\n    eventNotifications: true\n',
    expect: accepted,
  },
];

// Class 5: secrets in local state. The loader's part: one state per stack; the file modes are checked through the CLI below.
const class5: HostileCase[] = [
  { id: 'state-default-local', cls: 5, file: 'backend:\n  type: local\n', expect: accepted },
  { id: 'state-custom-path', cls: 5, file: 'backend:\n  path: ../../../state/<stack>.tfstate\n', expect: accepted },
  {
    id: 'state-one-file-for-all',
    cls: 5,
    file: 'backend:\n  path: ../../../all.tfstate\n',
    expect: rejected('backend.path', /share one state file/),
  },
  { id: 'state-into-output', cls: 5, file: 'backend:\n  path: <stack>\n', expect: accepted },
];

export const CASES: readonly HostileCase[] = [...class1, ...class2, ...class3, ...class4, ...class4Options, ...class5];

export function writeTo(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
function link(dir: string, target: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) symlinkSync(join(dir, target), path);
  return path;
}
function loop(dir: string): string {
  link(dir, 'loop-b.yaml', 'loop-a.yaml');
  return link(dir, 'loop-a.yaml', 'loop-b.yaml');
}

/** The cases whose file is a named pipe: made with mkfifo, so hostile-settings.tools.test.ts runs them. */
export const MKFIFO_CASES = new Set(['fifo', 'certificate-fifo']);

export interface Tally {
  tried: number;
  rejected: number;
  accepted: number;
  slowestMs: number;
  slowest: string;
  /** The most files one case opened, and the most bytes one case read. */
  filesOpened: number;
  mostBytes: number;
  byClass: Map<number, { tried: number; rejected: number }>;
}

export const newTally = (): Tally => ({
  tried: 0,
  rejected: 0,
  accepted: 0,
  slowestMs: 0,
  slowest: '',
  filesOpened: 0,
  mostBytes: 0,
  byClass: new Map(),
});

/**
 * Loads a hostile file as the synth does and holds the outcome to the case (no crash, the field named) and its work
 * to a bound: at most MAX_FILES_OPENED files opened, each read no further than one byte past the size cap (the
 * parser then sees at most the cap). Its time is only reported (the tally's slowest), never asserted: a busy machine
 * takes any time.
 */
export function expectHandled(hostile: HostileCase, dir: string, tally: Tally): void {
  const path = typeof hostile.file === 'function' ? hostile.file(dir) : writeTo(dir, `${hostile.id}.yaml`, hostile.file);
  // The loader reads every file through openSync/readSync (app/config/settings-file.ts); node's module, shared with it.
  const opened = jest.spyOn(fs, 'openSync');
  const read = jest.spyOn(fs, 'readSync');
  const start = Date.now();
  let thrown: unknown;
  try {
    loadSettings({ env: { RANCHER_CONFIG: path }, cwd: dir });
  } catch (error) {
    thrown = error;
  }
  const elapsed = Date.now() - start;
  const files = opened.mock.calls.length;
  const bytes = read.mock.results.reduce((sum, result) => sum + (result.type === 'return' ? Number(result.value) : 0), 0);
  opened.mockRestore();
  read.mockRestore();
  tally.tried += 1;
  const perClass = tally.byClass.get(hostile.cls) ?? { tried: 0, rejected: 0 };
  tally.byClass.set(hostile.cls, { tried: perClass.tried + 1, rejected: perClass.rejected + (thrown === undefined ? 0 : 1) });
  if (elapsed > tally.slowestMs) Object.assign(tally, { slowestMs: elapsed, slowest: hostile.id });
  expect(files).toBeLessThanOrEqual(MAX_FILES_OPENED);
  expect(bytes).toBeLessThanOrEqual(files * (MAX_SETTINGS_FILE_BYTES + 1));
  tally.filesOpened = Math.max(tally.filesOpened, files);
  tally.mostBytes = Math.max(tally.mostBytes, bytes);
  // Only a person's mistake, never a crash.
  if (thrown !== undefined && !(thrown instanceof SettingsError)) throw thrown;
  const error = thrown as SettingsError | undefined;
  if (error) {
    tally.rejected += 1;
    expect(error.message).not.toMatch(STACK_TRACE_LINE);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(process.env.PATH ?? 'no PATH');
    expect(error.message.split('\n').length).toBeLessThanOrEqual(52);
    expect(error.message.length).toBeLessThan(30_000);
    // Nothing unprintable reaches the terminal.
    expect(error.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
  } else {
    tally.accepted += 1;
  }

  const { expect: wanted } = hostile;
  if (wanted.outcome === 'accepted') {
    expect(error?.message).toBeUndefined();
    return;
  }
  if (wanted.outcome === 'either') {
    if (error) expect(error.problems.map((p) => p.field)).toContain(wanted.field);
    return;
  }
  expect(error).toBeDefined();
  expect(error instanceof SettingsFileError ? EXIT_CODES.settingsFile : EXIT_CODES.invalidSettings).toBe(wanted.exit);
  const named = error!.problems.filter((p) => p.field === wanted.field);
  expect({ fields: error!.problems.slice(0, 5).map((p) => p.field), named: named.length > 0 }).toEqual(expect.objectContaining({ named: true }));
  if (wanted.message) expect(named.map((p) => p.message)).toContainEqual(expect.stringMatching(wanted.message));
}
