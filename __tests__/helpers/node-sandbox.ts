import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { SERVER_BOOT_LIB } from '../../lib/nodes/private/boot-files';
import { forPartition } from '../../lib/nodes/private/partition-endpoints';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runBounded } from './subprocess';

const ROOT = join(__dirname, '..', '..');
/** boot-lib.sh as the RKE2 and K3s servers get it (SERVER_BOOT_LIB, with the cluster helpers). */
export const BOOT_LIB = [SERVER_BOOT_LIB, readFileSync(join(ROOT, 'lib/kubernetes/cluster-lib.sh'), 'utf8')].join('\n');
/** The stub commands (curl, sleep, systemctl), shellchecked like the scripts they serve. */
export const STUBS = join(__dirname, 'node-stubs');

/** An installer script that records its INSTALL_* environment in `calls` (and its artifact folder's files). */
export const INSTALLER_STUB = [
  '#!/bin/sh',
  'echo "installer $(env | grep ^INSTALL_ | grep -v ARTIFACT_PATH | sort | tr "\\n" " ")" >>"$T/calls"',
  '[ -z "$INSTALL_RKE2_ARTIFACT_PATH" ] || echo "artifacts $(cd "$INSTALL_RKE2_ARTIFACT_PATH" && ls | tr "\\n" " ")$(cat "$INSTALL_RKE2_ARTIFACT_PATH"/sha256sum-*.txt)" >>"$T/calls"',
  '',
].join('\n');

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let python: string | undefined;
/**
 * The interpreter the scripts' `python3` resolves to, found once: the node's
 * own (/usr/bin/python3 on the Ubuntu AMIs, and on the Debian machines that
 * run these tests, where cloud-init pulls it in) when there is one, else
 * whatever `python3` is. Not a version manager's: a pyenv shim and its
 * site hooks cost 0.1 s a start, which would dominate the polling tests.
 */
function python3(): string {
  python ??= existsSync(NODE_PYTHON)
    ? NODE_PYTHON
    : spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  if (!python) throw new Error('python3 is needed to run the node scripts (they parse JSON with it, as on the node)');
  return python;
}
const NODE_PYTHON = '/usr/bin/python3';

/**
 * A fake node for running the bootstrap scripts in a real bash: the shared
 * boot helpers (lib/nodes/boot-lib.sh) run unchanged, the scripts' fixed
 * paths are moved into a scratch directory, and the outside world is a set of
 * stub commands driven by files:
 *
 * - `curl`: IMDSv2 and the instance role's credentials, every HTTPS host
 *   asked landing in `endpoints`; SSM GetParameter,
 *   answering from `ssm/<name>.json` (GetParameter's answer), SSM's own
 *   ParameterNotFound when there is no such file, or errors: `ssm-errors/<name>`
 *   holds how many calls fail (HTTP 400 ThrottlingException) first, and
 *   `ssm-down` makes every call fail to connect; the peers' supervisor `/ping`
 *   (`live`: lines "IP [FROM_SECOND]", `starting`: IPs answering "starting") and
 *   `/db/info` (`members`: lines "IP voting|learner [VOTER_FROM_SECOND]");
 *   release files and installer scripts (`release/<name>`, see `release`; `download-errors/<name>` counts
 *   transfers that fail first, `download-down` fails them all).
 *   S3 ListObjectsV2 (`s3-list.xml`, or `s3-down`), S3 GetObject (`s3-objects/<key>`, its SigV4 signature
 *   checked; `s3-errors/<key>` counts 503 SlowDown answers first, `s3-down` no connection) and etcd members' `/health`.
 * - `sleep` only adds to `slept` (the clock the peers' FROM_SECOND refer to).
 * - `systemctl` and the installer record what they were asked: every call
 *   lands in `calls`; `systemctl` also keeps the started units (`active`) and
 *   plays a server's restart (see the stub).
 * - `kubectl` plays the cluster a server's admin kubeconfig sees (nodes, the
 *   restart Lease, deletions), `openssl` answers `x509 -checkend` for
 *   certificate files holding `days=N`, `rke2` records a cluster reset.
 *   Files shared by the servers of one test live in `CLUSTER` (an env var of
 *   `run`; the sandbox itself by default).
 * The stubs live in `node-stubs/`.
 */
export class NodeSandbox {
  readonly dir: string;

  constructor(env: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), 'node-sandbox-'));
    for (const sub of ['bin', 'etc', 'lib', 'ssm', 'ssm-errors', 'run', 'var', 'sbin']) mkdirSync(this.path(sub), { recursive: true });
    this.write('nodes', '');
    this.write('slept', '0');
    this.write('calls', '');
    this.write('live', '');
    this.write('starting', '');
    this.write('members', '');
    this.write(
      'etc/bootstrap.env',
      `${Object.entries(env)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n')}\n`,
    );
    this.write('lib/boot-lib.sh', this.relocate(BOOT_LIB));
    for (const name of readdirSync(STUBS)) {
      copyFileSync(join(STUBS, name), this.path(`bin/${name}`));
      chmodSync(this.path(`bin/${name}`), 0o755);
    }
    symlinkSync(python3(), this.path('bin/python3'));
  }

  path(relative: string): string {
    return join(this.dir, relative);
  }

  write(relative: string, text: string): void {
    mkdirSync(dirname(this.path(relative)), { recursive: true });
    writeFileSync(this.path(relative), text);
  }

  read(relative: string): string {
    return readFileSync(this.path(relative), 'utf8');
  }

  remove(relative: string): void {
    rmSync(this.path(relative), { force: true });
  }

  exists(relative: string): boolean {
    return existsSync(this.path(relative));
  }

  /** An SSM parameter under the node's prefix. */
  parameter(name: string, value: string): this {
    this.write(`ssm/${name}.json`, JSON.stringify({ Parameter: { Value: value } }));
    return this;
  }

  /** The first `count` calls for a parameter fail (throttling). */
  failing(name: string, count: number): this {
    this.write(`ssm-errors/${name}`, String(count));
    return this;
  }

  /**
   * Ships the scripts as a stack in `region` writes them into the user data
   * (forPartition: its partition's endpoints), boot-lib.sh at once, the
   * scripts `run` and `install` from now on.
   */
  inRegion(region: string): this {
    this.region = region;
    this.write('lib/boot-lib.sh', this.shipped(this.relocate(BOOT_LIB)));
    return this;
  }

  private region?: string;

  private shipped(text: string): string {
    return this.region === undefined ? text : forPartition(text, this.region);
  }

  /**
   * Files the download server (the curl stub) serves by name, `release/<name>`; returns each one's SHA-256, the sum a
   * test records for it. INSTALLER_STUB is an installer that only records what it was asked.
   */
  release(files: Record<string, string>): Record<string, string> {
    const sums: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) {
      this.write(`release/${name}`, text);
      sums[name] = sha256(text);
    }
    return sums;
  }

  calls(): string[] {
    return this.read('calls').split('\n').filter(Boolean);
  }

  /** The HTTPS hosts the scripts asked, in order (none yet: []). */
  endpoints(): string[] {
    return this.exists('endpoints') ? this.read('endpoints').split('\n').filter(Boolean) : [];
  }

  slept(): number {
    return Number(this.read('slept'));
  }

  /** A script's text with its fixed paths moved into the sandbox. */
  private relocate(text: string): string {
    for (const [from, to] of [
      ['/usr/local/lib/rancher-aws/boot-lib.sh', 'lib/boot-lib.sh'],
      ['/etc/rancher/bootstrap.env', 'etc/bootstrap.env'],
      ['/usr/local/sbin/', 'sbin/'],
      ['/etc/rancher/', 'etc/rancher/'],
      ['/var/lib/rancher/', 'var/lib/rancher/'],
      ['/run/rancher-aws', 'run/rancher-aws'],
      ['/usr/local/bin/', 'usr/local/bin/'],
      ['/etc/pki/', 'etc/pki/'],
      ['/etc/yum.repos.d', 'etc/yum.repos.d'],
    ] as const) {
      text = text.replaceAll(from, this.path(to));
    }
    return text;
  }

  /**
   * Writes a shipped script (its fixed paths moved into the sandbox) or, with
   * `source`, a bash snippet after sourcing the env file and boot-lib.sh, as
   * the sandbox's script.sh; returns its path.
   */
  prepare(script: { file: string; args?: readonly string[] } | { source: string }): string {
    let text: string;
    if ('file' in script) {
      text = readFileSync(join(ROOT, script.file), 'utf8');
    } else {
      text = ['set -euo pipefail', 'set -a; . /etc/rancher/bootstrap.env; set +a', '. /usr/local/lib/rancher-aws/boot-lib.sh', script.source].join(
        '\n',
      );
    }
    this.write('script.sh', this.shipped(this.relocate(text)));
    return this.path('script.sh');
  }

  /** The environment a script runs with: the stubs first on PATH, `T` naming the sandbox, and `env`. */
  environment(env: Record<string, string> = {}): Record<string, string> {
    return { PATH: `${this.path('bin')}:${process.env.PATH}`, T: this.dir, HOME: this.dir, ...env };
  }

  /** Runs `prepare`'s script (with `args`, for a file) in a real bash. */
  run(
    script: { file: string; args?: readonly string[] } | { source: string },
    env: Record<string, string> = {},
  ): { status: number | null; output: string } {
    const path = this.prepare(script);
    const result = runBounded('bash', [path, ...('args' in script ? (script.args ?? []) : [])], { env: this.environment(env) });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  /**
   * Runs several sandboxes' scripts at the same time (real concurrency: each
   * in its own bash, started together), e.g. the servers of one cluster
   * sharing a `CLUSTER` folder; returns each one's status and output.
   */
  static runTogether(
    runs: readonly { box: NodeSandbox; script: { file: string; args?: readonly string[] }; env?: Record<string, string> }[],
  ): { status: number; output: string }[] {
    const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
    const lines = runs.map(({ box, script, env }, i) => {
      const path = box.prepare(script);
      const vars = Object.entries(box.environment(env))
        .map(([k, v]) => `${k}=${quote(v)}`)
        .join(' ');
      return `(env -i ${vars} bash ${quote(path)} ${(script.args ?? []).map(quote).join(' ')} >${quote(box.path('out'))} 2>&1; echo $? >${quote(box.path('status'))}) & pids[${i}]=$!`;
    });
    runBounded('bash', ['-c', [...lines, 'wait'].join('\n')]);
    return runs.map(({ box }) => ({ status: Number(box.read('status')), output: box.read('out') }));
  }

  /** Installs a shipped helper script into the sandbox's sbin (paths moved as for `run`). */
  install(file: string, name: string): void {
    this.write(`sbin/${name}`, this.shipped(this.relocate(readFileSync(join(ROOT, file), 'utf8'))));
    chmodSync(this.path(`sbin/${name}`), 0o755);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
