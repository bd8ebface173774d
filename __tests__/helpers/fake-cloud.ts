import { spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { scratchFolder } from './scratch';
import { runBounded, runBoundedAsync, type AsyncRun } from './subprocess';
import type { TerraformJson } from './synth';
import { testEnv } from './test-env';
import { updateWorld, worldLocked, writeWorldHeld } from './world-file';
import { buildFakeAwsEndpoint } from './fake-aws-endpoint/build';
import { accessKeyOfWorld } from './fake-aws-endpoint/world-key';

const STUB = join(__dirname, 'ops-stubs', 'fake-cloud.js');

const ROLL_STUB = join(__dirname, 'ops-stubs', 'fake-roll.js');
const DRILL_STUB = join(__dirname, 'ops-stubs', 'fake-drill.js');
const ACCEPTANCE_STUB = join(__dirname, 'ops-stubs', 'fake-acceptance.js');
const BASH_STUB = join(__dirname, 'ops-stubs', 'stub.sh');
const STUB_SERVER = join(__dirname, 'ops-stubs', 'stub-server.js');
/** The app's synth for the drill in a fake world (RANCHER_HA_AWS_SYNTH). */
export const SYNTH_STUB = join(__dirname, 'ops-stubs', 'fake-synth.js');
export { REGION } from './world-file';
import { REGION } from './world-file';
const ACCOUNT = '123456789012';
/**
 * Who runs the operations in a world that says so (world.aws.caller): a session of an assumed role, as SSO and
 * pipelines give it, and that role (with a path, which the session's ARN does not carry).
 */
export const DEPLOYER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/rancher-deployer/operator`;
export const DEPLOYER_ROLE = `arn:aws:iam::${ACCOUNT}:role/ops/rancher-deployer`;

// The servers end with their standard input: at the end of the test file that started them, rather than with the jest
// worker (a worker runs many test files, and their servers would otherwise stay up side by side until it exits).
/**
 * A helper server of this test file (the stub server, the fake AWS endpoint): `script` started with the path of a file
 * it writes its port to, awaited by looks at that file (2 ms apart, at most 5,000 of them), ended when its standard
 * input closes, which happens when this test file's process ends. Neither it nor that pipe keeps this process alive.
 */
function startServer(what: string, script: string, env: NodeJS.ProcessEnv = process.env): { port: string; portFile: string; input: { end(): void } } {
  const portFile = join(mkdtempSync(join(tmpdir(), 'fake-server-')), 'port');
  const server = spawn(process.execPath, [script, portFile], { stdio: ['pipe', 'ignore', 'inherit'], env });
  server.unref();
  (server.stdin as unknown as { unref(): void }).unref();
  for (let look = 0; look < 5000 && !existsSync(portFile); look++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  if (!existsSync(portFile)) throw new Error(`${what} did not start`);
  return { port: readFileSync(portFile, 'utf8'), portFile, input: server.stdin };
}

let serverPort: string | undefined;
let serverKube: { port: string; ca: string } | undefined;
let serverInput: { end(): void } | undefined;
afterAll(() => serverInput?.end());
/**
 * This test process's stub server (ops-stubs/stub-server.js), started at the first call: its stub port, and its
 * Kubernetes API's port and certificate. That API is HTTPS as a cluster's is (the client layer refuses plain HTTP
 * unless TLS checks are switched off, which no kubeconfig of the product does): a certificate for 127.0.0.1, made
 * with openssl once a test file, self-signed, so the kubeconfig trusts it as its cluster's CA.
 */
function stubServer(): { port: string; kube: { port: string; ca: string } } {
  if (!serverPort) {
    const tls = mkdtempSync(join(tmpdir(), 'fake-world-api-'));
    const made = runBounded('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(tls, 'key.pem'),
      '-out',
      join(tls, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=fake-world-kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    if (made.status !== 0) throw new Error(`openssl could not make the fake world API's certificate: ${made.stderr}`);
    const started = startServer('the stub server (ops-stubs/stub-server.js)', STUB_SERVER, {
      ...process.env,
      STUB_SERVER_TLS: tls,
    });
    ({ port: serverPort, input: serverInput } = started);
    serverKube = { port: readFileSync(`${started.portFile}.kube`, 'utf8'), ca: readFileSync(join(tls, 'cert.pem'), 'utf8') };
  }
  return { port: serverPort, kube: serverKube! };
}
/**
 * The port of this test process's stub server: it runs the stub calls in one process instead of a node process each.
 * Undefined with FAKE_CLOUD_STUB_SERVER=0 (every call in a node process of its own, as the server's delegated calls
 * are; the server still serves the worlds' Kubernetes API).
 */
export function stubServerPort(): string | undefined {
  if (process.env.FAKE_CLOUD_STUB_SERVER === '0') return undefined;
  return stubServer().port;
}

/** The clusters of a fake world other than the deployment's: a drill's throwaway, a standby, a k8s-ha user's own. */
export type WorldCluster = 'drill' | 'standby' | 'user';

/**
 * The kubeconfig of a fake world's cluster, as a deployment's state output carries it: the world's Kubernetes API in
 * the stub server (stub-server.js KUBE_ROUTES, the same stubs the kubectl calls run through), its CA embedded, with a
 * bearer token naming the world's folder (and `cluster`, another cluster of it, which the stubs tell from the
 * deployment's). The client layer reads it as it reads a deployment's (cli/shared/kube/client.ts). With `context`
 * (a user's kubeconfig named with --context): its current context still names the deployment's cluster, and
 * `context` names `cluster`, so a client that did not take the context named reaches the wrong one.
 */
export function worldKubeconfig(dir: string, cluster?: WorldCluster, context?: string): string {
  const { port, ca } = stubServer().kube;
  const user = (name: string, of?: WorldCluster) => `- name: ${name}\n  user:\n    token: ${accessKeyOfWorld(dir)}${of ? `.${of}` : ''}`;
  const named = (name: string) => `- name: ${name}\n  context:\n    cluster: fake-world\n    user: ${name}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: fake-world\n  cluster:\n    server: https://127.0.0.1:${port}\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
    'users:',
    ...(context ? [user('fake-world'), user(context, cluster)] : [user('fake-world', cluster)]),
    'contexts:',
    named('fake-world'),
    ...(context ? [named(context)] : []),
    'current-context: fake-world',
    '',
  ].join('\n');
}

let endpointWanted = false;
/**
 * The CLI runs of the calling test file reach the fake AWS through the fake AWS endpoint (its server started at the
 * first run). Without it they reach a closed port: no run of a test can reach AWS with a developer's credentials.
 */
export function useFakeAwsEndpoint(): void {
  endpointWanted = true;
}

let endpointPort: string | undefined;
let endpointInput: { end(): void } | undefined;
afterAll(() => endpointInput?.end());
/**
 * The port of this test file's fake AWS endpoint (fake-aws-endpoint/server.ts), started at the first run that needs
 * it: the bundled CLI's SDK clients reach the fake AWS through it, as AWS_ENDPOINT_URL tells them. It ends with the
 * test file, as the stub server does.
 */
function awsEndpointPort(): string {
  if (endpointPort) return endpointPort;
  // Node's compile cache (22.1 and later) keeps the bundle's compiled code between the files that start one.
  const cache = join(process.env.RANCHER_TEST_SYNTH_SHARE ?? tmpdir(), 'fake-aws-endpoint-compile-cache');
  // The stub server's port: the endpoint hands the SSM Run Command calls to the world's stubs through it
  // (fake-aws-endpoint/world-stubs.ts), as stub.sh hands the CLI's calls.
  ({ port: endpointPort, input: endpointInput } = startServer('the fake AWS endpoint (fake-aws-endpoint/server.ts)', fakeAwsEndpoint(), {
    ...process.env,
    NODE_COMPILE_CACHE: cache,
    FAKE_STUB_SERVER_PORT: stubServerPort() ?? '',
  }));
  return endpointPort;
}

let endpointBuilt: string | undefined;
/** The fake AWS endpoint's server, bundled: the one the tier's global setup built, else built once for this test file. */
function fakeAwsEndpoint(): string {
  endpointBuilt ??= process.env.RANCHER_TEST_FAKE_AWS_ENDPOINT;
  if (endpointBuilt) return endpointBuilt;
  const out = join(mkdtempSync(join(tmpdir(), 'fake-aws-endpoint-')), 'server.js');
  buildFakeAwsEndpoint(out);
  endpointBuilt = out;
  return out;
}

let built: string | undefined;
/**
 * The operations CLI as `npm run roll|teardown` runs it (scripts/build.js cli): the one the tier's global setup built
 * (RANCHER_TEST_OPS_CLI), else built once for this test file.
 */
export function opsCli(): string {
  built ??= process.env.RANCHER_TEST_OPS_CLI;
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), 'ops-cli-'));
  const result = runBounded(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.js'), 'cli', out]);
  if (result.status !== 0) throw new Error(`building the operations CLI failed: ${result.stderr}`);
  built = join(out, 'main.js');
  return built;
}

/**
 * A fake attribute set for a resource, deterministic from its address; a `prefix` other than `rancher` (a second
 * deployment in the same world: the drill's throwaway) makes every name and id its own.
 */
function baseAttributes(type: string, name: string, prefix = 'rancher', region = REGION): Record<string, any> {
  const short = `${prefix === 'rancher' ? '' : `${prefix}-`}${name.replace(/_[0-9A-F]{8}$/, '')}`;
  const service = type.split('_')[1];
  const a: Record<string, any> = { id: `${short}-id`, arn: `arn:aws:${service}:${region}:${ACCOUNT}:${type}/${short}` };
  if (type === 'aws_s3_bucket')
    Object.assign(a, { id: `rancher-${short}-0a1b`, bucket: `rancher-${short}-0a1b`, arn: `arn:aws:s3:::rancher-${short}-0a1b` });
  if (type === 'aws_kms_key') Object.assign(a, { key_id: `key-${short}`, id: `key-${short}` });
  if (type === 'aws_instance') a.id = `i-${short}`;
  if (type === 'aws_ebs_volume') a.id = `vol-${short}`;
  if (type === 'aws_db_instance') Object.assign(a, { identifier: `rancher-${short}` });
  if (type === 'random_id') a.hex = '0a1b2c3d';
  // The identity running Terraform as the data source reads it for the world's caller (DEPLOYER_SESSION): the role.
  if (type === 'aws_iam_session_context') a.issuer_arn = DEPLOYER_ROLE;
  // In its provider's region, as every ARN here (a standby's load balancer is in the standby's region).
  if (type === 'aws_lb') a.arn = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/net/${short}/0123`;
  if (type === 'aws_cloudwatch_log_group') a.name = `/rancher/${short}`;
  return a;
}

/** Replaces references (${type.name.attr}, whole or within a string) with the referenced resource's fake attribute, deeply. */
function resolve(value: unknown, lookup: (type: string, name: string, attr: string) => unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (whole, type, name, attr) => {
      const found = lookup(type, name, attr);
      return typeof found === 'string' ? found : whole;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, lookup));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, lookup)]));
  return value;
}

/** Terraform's state after a successful apply of this synthesized module, with fake attributes (as `terraform state pull` prints it). */
export function stateOf(json: TerraformJson, prefix = 'rancher', region = REGION): any {
  const base = new Map<string, Record<string, any>>();
  const blocks: [string, string, string, any][] = [];
  // A resource of an aliased provider (`aws.us_west_2`: a standby's copies) is in that provider's region; the default
  // provider's is `region`, whatever the module says (the world's region, unless told: a drill's throwaway in a standby's).
  const aliases = new Map<string, string>(
    ((json as any).provider?.aws ?? []).filter((p: any) => p.alias).map((p: any) => [`aws.${p.alias}`, p.region]),
  );
  for (const [mode, section] of [
    ['managed', (json as any).resource],
    ['data', (json as any).data],
  ] as const) {
    for (const [type, byName] of Object.entries(section ?? {})) {
      for (const [name, body] of Object.entries(byName as Record<string, any>)) {
        base.set(`${type}.${name}`, baseAttributes(type, name, prefix, aliases.get(body.provider) ?? region));
        blocks.push([mode, type, name, body]);
      }
    }
  }
  const lookup = (type: string, name: string, attr: string) => base.get(`${type}.${name}`)?.[attr];
  const resources = blocks.map(([mode, type, name, body]) => {
    // Meta-arguments and cdktf's `//` comment block (its construct path) are configuration, never attributes in a
    // state; the comment was a sixth of the roll's world, which every stub call reads and writes.
    const { lifecycle: _l, depends_on: _d, provider: _p, provisioner: _pr, connection: _c, '//': _comment, ...config } = body;
    // Nested blocks are lists in the state.
    const attributes = listBlocks(resolve(config, lookup) as Record<string, any>);
    return {
      mode,
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: { ...attributes, ...base.get(`${type}.${name}`) } }],
    };
  });
  const outputs: Record<string, { value: string; sensitive: boolean }> = { join_token: { value: 'K10-the-cluster-token', sensitive: true } };
  if (json.output?.rancher_backup_encryption_config)
    outputs.rancher_backup_encryption_config = { value: FAKE_BACKUP_ENCRYPTION_CONFIG, sensitive: true };
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'fake', outputs, resources };
}

/**
 * A state without its long values (over 2,000 characters as JSON: the Helm releases' values, the user data, the gates'
 * manifests), each put as `(long)`: every stub call reads and writes the whole world, and these were most of its bytes
 * (the app's rke-ha: 420 KB of world, 180 KB of it the charts' values), while no operation reads them (the CLI reads
 * addresses, ids, outputs and the deployment record, a short terraform_data input). In place; returns the state.
 */
export function withoutLongValues(state: any): any {
  for (const r of state.resources)
    for (const [k, v] of Object.entries(r.instances[0].attributes)) if (JSON.stringify(v).length > 2000) r.instances[0].attributes[k] = '(long)';
  return state;
}

/** Nested blocks as the state holds them: lists of objects (maps such as tags and terraform_data's input stay maps). */
function listBlocks(value: Record<string, any>): Record<string, any> {
  const block = (v: any): any => (Array.isArray(v) ? v.map(block) : v && typeof v === 'object' ? listBlocks(v) : v);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === 'tags' || k === 'input' || Array.isArray(v) || !v || typeof v !== 'object' ? block(v) : [block(v)],
    ]),
  );
}

/** The value of the sensitive `rancher_backup_encryption_config` output in a fake state (where the stack has it). */
export const FAKE_BACKUP_ENCRYPTION_CONFIG = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';

/** The AWS side of that state: load balancers and databases as deletion protection has them, buckets with snapshots in them. */
export function awsOf(state: any): any {
  const aws: any = { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] };
  const of = (type: string) => state.resources.filter((r: any) => r.mode === 'managed' && r.type === type).map((r: any) => r.instances[0].attributes);
  for (const lb of of('aws_lb')) aws.lbs[lb.arn] = { protection: lb.enable_deletion_protection === true };
  // RDS finds an instance in its own region only (as KMS a key, below): one of another region than the world's says which.
  for (const db of of('aws_db_instance')) {
    const region = String(db.arn).split(':')[3];
    aws.dbs[db.identifier] = { protection: db.deletion_protection === true, ...(region && region !== REGION ? { region } : {}) };
  }
  // KMS finds a key in its own region only: a key of another region than the world's says which (its ARN's).
  for (const k of of('aws_kms_key')) {
    const region = String(k.arn).split(':')[3];
    aws.keys[k.key_id] = { state: 'Enabled', ...(region !== REGION ? { region } : {}) };
  }
  for (const g of of('aws_cloudwatch_log_group')) aws.logGroups[g.name] = { exists: true };
  for (const v of of('aws_ebs_volume')) aws.volumes[v.id] = ['snap-scheduled-1'];
  const encryption = of('aws_s3_bucket_server_side_encryption_configuration');
  // The servers' boot documents' bucket holds only what Terraform wrote from the module (force_destroy: the destroy
  // removes it with its objects); it is no store, and the world's buckets are the stores, with snapshots in them.
  const bootBuckets = new Set(
    state.resources
      .filter((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('boot-documents_'))
      .map((r: any) => r.instances[0].attributes.bucket),
  );
  for (const b of of('aws_s3_bucket').filter((b: any) => !bootBuckets.has(b.bucket))) {
    const key = encryption.find((e: any) => e.bucket === b.bucket)?.rule?.[0]?.apply_server_side_encryption_by_default?.[0]?.kms_master_key_id;
    const keyId = of('aws_kms_key').find((k: any) => k.arn === key)?.key_id;
    const objects = Array.from({ length: 3 }, (_, i) => ({ key: `etcd-snapshot-${i}`, version: `v${i}` }));
    aws.buckets[b.bucket] = { exists: true, guarded: true, key: keyId, objects };
  }
  return aws;
}

/** A scratch world: the module folder (cdk.tf.json), the stubs first on PATH, world.json and the call log. */
export class FakeCloud {
  readonly dir: string;
  readonly moduleDir: string;
  readonly bin: string;
  /**
   * The stubs on PATH for every run that names none (`tools`): a command's world names the tools it may start, so a
   * call of any other (an `aws` process the command no longer needs) finds no such tool and fails its test.
   */
  tools?: readonly string[];
  /** The CLI runs started so far (each registers its pid under its number: see `started`). */
  private runs = 0;

  constructor(json: TerraformJson, world: Record<string, unknown>) {
    this.dir = scratchFolder('fake-cloud-');
    this.moduleDir = join(this.dir, 'module');
    this.bin = join(this.dir, 'bin');
    mkdirSync(this.moduleDir);
    mkdirSync(this.bin);
    writeFileSync(join(this.moduleDir, 'cdk.tf.json'), JSON.stringify(json, null, 1));
    // The node stubs (every call ran in one before the stub server; the server's delegated calls still do), and,
    // with the server, the bash stubs that hand a call to it, under the tools' names first on PATH.
    const port = stubServerPort();
    const nodeStubs = port ? join(this.bin, '.node') : this.bin;
    mkdirSync(nodeStubs, { recursive: true });
    const bashStub = readFileSync(BASH_STUB, 'utf8')
      .replace('__PORT__', port ?? '')
      .replace('__NODE__', process.execPath)
      .replace('__STUBS__', nodeStubs);
    for (const tool of ['terraform', 'aws', 'kubectl', 'curl']) {
      copyFileSync(STUB, join(nodeStubs, tool));
      chmodSync(join(nodeStubs, tool), 0o755);
      if (port) writeFileSync(join(this.bin, tool), bashStub, { mode: 0o755 });
    }
    for (const bin of new Set([this.bin, nodeStubs])) {
      if (existsSync(ROLL_STUB)) symlinkSync(ROLL_STUB, join(bin, 'fake-roll.js'));
      symlinkSync(DRILL_STUB, join(bin, 'fake-drill.js'));
      symlinkSync(ACCEPTANCE_STUB, join(bin, 'fake-acceptance.js'));
    }
    // The deployment's kubeconfig names the world's Kubernetes API, where the state has one.
    const outputs = (world.state as { outputs?: Record<string, { value: unknown }> } | undefined)?.outputs;
    if (outputs?.kubeconfig) outputs.kubeconfig = { ...outputs.kubeconfig, value: worldKubeconfig(this.dir) };
    this.write(world);
    writeFileSync(join(this.dir, 'calls.jsonl'), '');
    writeFileSync(join(this.dir, 'violations'), '');
  }

  world(): any {
    return JSON.parse(readFileSync(join(this.dir, 'world.json'), 'utf8'));
  }

  /**
   * Written beside and renamed over, as the stubs write it: a new file, which the stub server (its cache of the world,
   * ops-stubs/stub-server.js) tells from the one it wrote itself even within the same clock tick and at the same size.
   * Under the world's lock, as every stub call writes it (worldLocked).
   */
  write(world: unknown): void {
    worldLocked(this.dir, () => this.writeHeld(world));
  }

  /**
   * Changes the world between runs, under the world's lock: a stub call still running when its caller ended (a run
   * killed with SIGKILL by the call it made: the call goes on and writes the world as it finishes) would otherwise
   * write its own copy over this change. Seen: a k8s-ha acceptance run killed during its backup, whose `clusterDown`
   * was lost that way on a loaded machine, so the teardown found the cluster up.
   */
  update(change: (world: any) => void): void {
    updateWorld(this.dir, change);
  }

  private writeHeld(world: unknown): void {
    writeWorldHeld(this.dir, world);
  }

  /** Every stub call so far, as "tool arg arg ...". */
  calls(): string[] {
    return readFileSync(join(this.dir, 'calls.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const { tool, args } = JSON.parse(l) as { tool: string; args: string[] };
        return [tool, ...args].join(' ');
      });
  }

  /**
   * The environment of a run whose `tool` exits 1 at once, its input closed unread, on a call whose arguments start
   * with `prefix` (every other call goes to the fake): a child that ends before taking its input, the race in which
   * Node's write to it fails with EPIPE.
   */
  exitingAtOnce(tool: string, prefix: string): Record<string, string> {
    const dir = join(this.dir, `bin-exits-${tool}`);
    mkdirSync(dir, { recursive: true });
    const script = `#!/bin/sh\ncase "$*" in\n  "${prefix}"*) exec 0<&-; exit 1 ;;\nesac\nexec "${join(this.bin, tool)}" "$@"\n`;
    writeFileSync(join(dir, tool), script, { mode: 0o755 });
    return { PATH: `${dir}${delimiter}${this.bin}${delimiter}${process.env.PATH}` };
  }

  /**
   * Deletes the scratch world; with FAKE_CLOUD_CALL_COUNTS=<file>, first appends the count of its calls by tool to that
   * file, one JSON line a world (a measurement: how many processes of each tool a file's runs started, and how many
   * requests reached the world's Kubernetes API instead).
   */
  remove(): void {
    const counts = process.env.FAKE_CLOUD_CALL_COUNTS;
    if (counts && existsSync(join(this.dir, 'calls.jsonl'))) {
      const byTool: Record<string, number> = {};
      for (const call of this.calls()) byTool[call.split(' ')[0]] = (byTool[call.split(' ')[0]] ?? 0) + 1;
      appendFileSync(counts, `${JSON.stringify(byTool)}\n`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  violations(): string {
    return readFileSync(join(this.dir, 'violations'), 'utf8');
  }

  /** Runs the real CLI with the stubs first on PATH; with `tools`, a PATH holding only those stubs and node. */
  run(
    args: readonly string[],
    options: {
      input?: string;
      env?: Record<string, string>;
      tools?: readonly string[];
      /** another build of the CLI (the packed package's) */ cli?: string;
      /** another Node.js binary to run it on. @default the one running the tests */ node?: string;
      /** Start the CLI as the leader of a process group of its own, as a shell starts a foreground job. */ ownGroup?: boolean;
      /** Its working directory. @default the scratch world's folder */ cwd?: string;
    } = {},
  ): { code: number | null; out: string; err: string } {
    const run = this.started(options.node ?? process.execPath, [options.cli ?? opsCli(), ...args]);
    const result = runBounded(run.command, run.args, {
      cwd: options.cwd ?? this.dir,
      input: options.input,
      env: this.env(options, run.number),
      detached: options.ownGroup ?? false,
    });
    // A run ended by a signal (kill -9 sent by the call it made) leaves that call running, as the real tool would go on
    // without its caller; what it leaves in the world is what the test looks at next.
    if (result.status === null) this.awaitOrphanedCalls();
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  /**
   * Waits until no process of this world's calls runs (a process whose environment names this world: a stub call in a
   * node process of its own, its bash wrapper). A call whose caller was killed writes the world as it finishes, and
   * its caller's pipes, which the test waited on, closed with the caller. Seen: `drill` killed during its apply, whose
   * state the test read before the apply's stub wrote it (a fresh-clone .ci/run, stop 80). Bounded by looks, 2 ms or
   * more apart, as the world's lock is.
   */
  private awaitOrphanedCalls(): void {
    const mark = Buffer.from(`FAKE_WORLD=${this.dir}\0`);
    const running = () =>
      readdirSync('/proc').some((pid) => {
        if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
        try {
          return readFileSync(`/proc/${pid}/environ`).includes(mark) && !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false; // ended meanwhile
        }
      });
    for (let look = 0; running(); look++) {
      if (look === 30_000) throw new Error(`a call of the fake world ${this.dir} still ran 30,000 looks after its caller was killed`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  /** As `run`, without blocking this process (a server of the test answers the CLI meanwhile). */
  async runAsync(
    args: readonly string[],
    options: { env?: Record<string, string>; tools?: readonly string[] } = {},
  ): Promise<{ code: number | null; out: string; err: string }> {
    const run = this.started(process.execPath, [opsCli(), ...args]);
    const result = await runBoundedAsync(run.command, run.args, { cwd: this.dir, env: this.env(options, run.number) });
    if (result.status === null) this.awaitOrphanedCalls();
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  /**
   * Runs the real CLI on a pseudo-terminal (`script`, util-linux), as a person at a terminal does: `answer` is typed,
   * with Enter, once `prompt` is on the screen and not before (without a prompt, nothing is typed). Returns the exit
   * code and what the terminal showed, control sequences and all.
   */
  async runInTerminal(
    args: readonly string[],
    prompt?: string,
    answer?: string,
    env: Record<string, string> = {},
    /** A file of the world's folder its standard output is redirected to (`> file`), the rest left on the terminal. */
    stdoutTo?: string,
  ): Promise<{ code: number | null; screen: string }> {
    const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
    const started = this.started(process.execPath, [opsCli(), ...args]);
    const command = [started.command, ...started.args].map(quote).join(' ') + (stdoutTo ? ` > ${quote(join(this.dir, stdoutTo))}` : '');
    let typed = false;
    // `script` from the tests' own PATH: a world's `tools` leave only its stubs and node on the run's.
    const script =
      (process.env.PATH ?? '')
        .split(delimiter)
        .map((dir) => join(dir, 'script'))
        .find(existsSync) ?? 'script';
    const run: AsyncRun = await runBoundedAsync(script, ['-qec', command, '/dev/null'], {
      cwd: this.dir,
      env: { ...this.env({ env }, started.number), SHELL: '/bin/sh' },
      onStdout: (screen, child) => {
        if (typed || prompt === undefined || !screen.includes(prompt)) return;
        typed = true;
        child.stdin?.end(`${answer}\r`);
      },
    });
    return { code: run.status, screen: `${run.stdout}${run.stderr}` };
  }

  /**
   * A CLI run, numbered, started through a shell that writes its pid to `<world>/callers/<number>` and then becomes
   * the CLI (exec: the same pid, process group and descriptors). The fake AWS endpoint reads it there to give the
   * world's stubs their caller (fake-aws-endpoint/world-stubs.ts): the run's SDK requests name the number in their
   * access key, and the CLI sends nothing else for it.
   */
  private started(node: string, args: readonly string[]): { number: number; command: string; args: string[] } {
    const number = ++this.runs;
    mkdirSync(join(this.dir, 'callers'), { recursive: true });
    return { number, command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', join(this.dir, 'callers', String(number)), node, ...args] };
  }

  /** The CLI's environment: the stubs first on PATH (with `tools`, only those stubs and node), the world, no poll waits. */
  private env(options: { env?: Record<string, string>; tools?: readonly string[] }, run?: number): NodeJS.ProcessEnv {
    let path = `${this.bin}${delimiter}${process.env.PATH}`;
    const tools = options.tools ?? this.tools;
    if (tools) {
      path = join(this.dir, `bin-${tools.join('-') || 'none'}`);
      mkdirSync(path, { recursive: true });
      for (const tool of [...tools, 'fake-roll.js', 'fake-drill.js', 'fake-acceptance.js'])
        if (existsSync(join(this.bin, tool)) && !existsSync(join(path, tool))) symlinkSync(join(this.bin, tool), join(path, tool));
      if (!existsSync(join(path, 'node'))) symlinkSync(process.execPath, join(path, 'node'));
    }
    return testEnv({ PATH: path, FAKE_WORLD: this.dir, RANCHER_HA_AWS_POLL_MS: '0', ...this.awsEnvironment(run), ...options.env });
  }

  /**
   * AWS for the CLI's SDK clients: the fake AWS endpoint, signed for with a key that names this world, and nothing of
   * the caller's AWS configuration (a profile, a region, the instance metadata service).
   */
  awsEnvironment(run?: number): Record<string, string> {
    return {
      // Port 9 (discard) is closed here: a call reaching it is refused at once.
      AWS_ENDPOINT_URL: `http://127.0.0.1:${endpointWanted ? awsEndpointPort() : '9'}`,
      AWS_ACCESS_KEY_ID: accessKeyOfWorld(this.dir, run),
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }
}

/** Who holds a Lease of the fake world: undefined when there is none, or it was released (no holder). */
export function holderOf(lease: { holderIdentity?: string } | undefined): string | undefined {
  return lease?.holderIdentity || undefined;
}
