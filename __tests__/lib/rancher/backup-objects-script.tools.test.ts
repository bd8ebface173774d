import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupObject, FIRST_BACKUP, MIGRATION_RESTORE, restoreObject, SECRET_NAME_PATTERN } from '../../../lib/rancher/backup-objects';

const SCRIPT_PATH = join(__dirname, '../../../lib/rancher/backup-objects.sh');
/** Sourced first, as the gate chart's Jobs run it (gate-chart.ts, chartJob). */
const JOB_FAILURE_PATH = join(__dirname, '../../../lib/kubernetes/job-failure.sh');

let homeDir: string | undefined;
/** The runs' HOME: an empty folder of this file's, removed after it. */
const home = () => (homeDir ??= mkdtempSync(join(tmpdir(), 'backup-objects-home-')));
afterAll(() => homeDir && rmSync(homeDir, { recursive: true, force: true }));

/**
 * Runs backup-objects.sh in a real bash with `kubectl`, `sleep` and `date`
 * replaced by functions. `sleep` only counts (POLLS, SLEPT), so a 15-minute
 * budget takes milliseconds. `apply` and `status` answer by poll number
 * (scenario functions); every kubectl call lands in CALLS, the applied object
 * in APPLIED.
 */
function run(scenario: string, env: Record<string, string> = {}) {
  const object = JSON.stringify(
    backupObject({
      name: FIRST_BACKUP,
      location: {
        bucket: 'b',
        region: 'eu-west-1',
        dnsSuffix: 'amazonaws.com',
        secrets: { credentials: 'c', encryption: 'e', restoreEncryption: 'r' },
      },
    }),
  );
  const script = [
    'POLLS=0; SLEPT=0',
    'sleep() { POLLS=$((POLLS + 1)); SLEPT=$((SLEPT + $1)); }',
    'date() { echo 00:00:00; }',
    // Defaults: the CRD is served and the operator never gets to it.
    'apply() { echo "backup.resources.cattle.io/rancher-aws-first created"; }',
    'status() { echo "1||||"; }',
    // Before the apply, a Restore's completion and file: none there.
    'before() { echo "Error from server (NotFound)"; return 1; }',
    'secrets() { printf "%s\\n" $SECRETS; }',
    'remove() { echo "secret \\"$1\\" deleted"; }',
    scenario,
    'kubectl() {',
    '  echo "kubectl $*" >>"$CALLS"',
    '  case "$*" in',
    '    "apply -f -") cat >"$APPLIED"; apply ;;',
    '    "--request-timeout=10s create -f -") { cat; echo; } >>"$CALLS" ;;',
    // The Secrets of the namespace (list, delete), for a Job that removes the stale ones.
    '    "-n cattle-resources-system get secrets -o jsonpath="*) secrets ;;',
    '    "-n cattle-resources-system delete secret "*) remove "$5" ;;',
    '    "get "*".resources.cattle.io $NAME -o jsonpath={.status.restoreCompletionTs}|{.spec.backupFilename}") before ;;',
    '    "get "*".resources.cattle.io $NAME -o jsonpath="*) status ;;',
    '    *) echo "unexpected kubectl $*" >&2; return 99 ;;',
    '  esac',
    '}',
    `. ${JSON.stringify(JOB_FAILURE_PATH)}`,
    `. ${JSON.stringify(SCRIPT_PATH)}`,
  ].join('\n');
  const scratch = `/tmp/backup-objects-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const result = spawnSync('bash', ['-c', `${script}\nstatus=$?\necho "SLEPT=$SLEPT"\nexit $status`], {
    env: {
      PATH: process.env.PATH ?? '',
      // HOME an empty folder, as the Job's (gate-chart.ts sets HOME): bash reads ~/.bashrc when its standard input is a
      // socket and SHLVL is unset, as under jest's workers, and this machine's ran `pyenv init`, about 1.2 s of CPU a run.
      HOME: home(),
      CALLS: `${scratch}.calls`,
      APPLIED: `${scratch}.applied`,
      DEADLINE_SECONDS: '900',
      RESOURCE: 'backups.resources.cattle.io',
      NAME: FIRST_BACKUP,
      OBJECT: object,
      ...env,
    },
    encoding: 'utf8',
  });
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const out = {
    status: result.status,
    out: result.stdout,
    err: result.stderr,
    calls: read(`${scratch}.calls`),
    applied: read(`${scratch}.applied`),
    slept: Number(/SLEPT=(\d+)/.exec(result.stdout)?.[1]),
  };
  rmSync(`${scratch}.calls`, { force: true });
  rmSync(`${scratch}.applied`, { force: true });
  return { ...out, object };
}

describe('backup-objects.sh (apply a Backup or Restore, wait until the operator completed it)', () => {
  it('leaves its last line as an Event on its Job when it gives up (the uninstall takes the Job and its log)', () => {
    const r = run('', { DEADLINE_SECONDS: '30', JOB_NAME: 'rancher-aws-first-backup-0a1b2c3d4e', JOB_NAMESPACE: 'cattle-resources-system' });
    expect(r.status).toBe(1);
    const [event] = r.calls
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(event).toMatchObject({
      involvedObject: { kind: 'Job', name: 'rancher-aws-first-backup-0a1b2c3d4e', namespace: 'cattle-resources-system' },
      reason: 'RancherAwsJobFailed',
      type: 'Warning',
    });
    expect(event.message).toMatch(/^backups\.resources\.cattle\.io\/rancher-aws-first: gave up after 30s: not completed yet/);
  });

  it('gives up by the clock too, when the calls hang (a lost API) although little was slept', () => {
    // 500 s of the clock per poll (the calls run in subshells: counted at the sleep); 900 s of budget.
    const r = run('sleep() { POLLS=$((POLLS + 1)); SLEPT=$((SLEPT + $1)); SECONDS=$((SECONDS + 500)); echo "POLLS=$POLLS" >>"$CALLS"; }');
    expect(r.status).toBe(1);
    expect(r.calls).toContain('POLLS=2');
    expect(r.calls).not.toContain('POLLS=3');
    expect(r.err).toContain('gave up after 900s');
  });

  it('applies the object as given and passes once the operator reports the current generation Completed', () => {
    const r = run('status() { if [ "$POLLS" -lt 3 ]; then echo "1||||"; else echo "1|1|True|Completed|"; fi; }');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.applied)).toEqual(JSON.parse(r.object));
    expect(r.out).toContain('completed (generation 1)');
    expect(r.slept).toBe(30);
  });

  it('retries the apply while the API server does not serve the new CRD yet', () => {
    const r = run(
      'apply() { if [ "$POLLS" -lt 2 ]; then echo "error: resource mapping not found for name: \\"rancher-aws-first\\": no matches for kind \\"Backup\\""; return 1; fi; echo created; }\n' +
        'status() { echo "1|1|True|Completed|"; }',
    );
    expect(r.status).toBe(0);
    expect(r.calls.match(/^kubectl apply -f -$/gm)).toHaveLength(3);
    expect(r.out).toContain('not applied: error: resource mapping not found');
  });

  it('does not take an earlier generation for the changed one (a new schedule is Completed only once observed)', () => {
    const r = run('status() { if [ "$POLLS" -lt 4 ]; then echo "2|1|True|Completed|"; else echo "2|2|True|Completed|"; fi; }');
    expect(r.status).toBe(0);
    expect(r.out).toContain('not completed yet (generation 2, observed 1, Ready True: Completed)');
    expect(r.slept).toBe(40);
  });

  it("gives up within its budget with the operator's last error as the last line", () => {
    const r = run('status() { echo "1||False|Retrying|failed to check if s3 bucket [b] exists, error: Access Denied."; }', {
      DEADLINE_SECONDS: '60',
    });
    expect(r.status).toBe(1);
    // Reads after 0, 10, ... 60 seconds slept, then no further sleep.
    expect(r.calls.match(/^kubectl get /gm)).toHaveLength(7);
    expect(r.err.trim().split('\n').pop()).toBe(
      'backups.resources.cattle.io/rancher-aws-first: gave up after 60s: not completed yet (generation 1, observed none, Ready False: Retrying); last error of the operator: failed to check if s3 bucket [b] exists, error: Access Denied.',
    );
  });

  it('gives up when the object never applies (the operator chart missing), naming why', () => {
    const r = run('apply() { echo "error: no matches for kind \\"Backup\\" in version \\"resources.cattle.io/v1\\""; return 1; }', {
      DEADLINE_SECONDS: '30',
    });
    expect(r.status).toBe(1);
    expect(r.calls).not.toContain('kubectl get');
    expect(r.err).toContain('gave up after 30s: not applied: error: no matches for kind');
  });

  it('keeps polling when the object cannot be read for a while (API restarts)', () => {
    const r = run('status() { if [ "$POLLS" -lt 2 ]; then echo "Unable to connect to the server: EOF"; return 1; fi; echo "1|1|True|Completed|"; }');
    expect(r.status).toBe(0);
    expect(r.out).toContain('cannot read it: Unable to connect to the server: EOF');
  });

  describe('a Restore (the operator runs one once: its handler returns for an object with status.restoreCompletionTs)', () => {
    const location = {
      bucket: 'b',
      region: 'eu-west-1',
      dnsSuffix: 'amazonaws.com',
      secrets: { credentials: 'c', encryption: 'e', restoreEncryption: 'r' },
    };
    const FILE = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-27T22-00-00Z.tar.gz.enc';
    const OLD = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-10-01T06-00-00Z.tar.gz.enc';
    const restore = (file: string) => ({
      RESOURCE: 'restores.resources.cattle.io',
      NAME: MIGRATION_RESTORE,
      OBJECT: JSON.stringify(restoreObject({ file, location })),
    });
    const restoreRun = (line: string, env: Record<string, string> = {}) => run(`status() { echo "${line}"; }`, { ...restore(FILE), ...env });

    it('is done once the operator completed that object of that file: generation observed, completion time set, the file it names', () => {
      const r = restoreRun(`1|1|True|Completed||2026-11-28T10:00:00Z|${FILE}`);
      expect(r.status).toBe(0);
      expect(r.out).toContain(`completed (generation 1: ${FILE} restored at 2026-11-28T10:00:00Z)`);
    });

    it('fails at once, applying nothing, where a Restore of that name completed before with another file (the old stand-in took it for done)', () => {
      const r = run(`before() { echo "2026-10-01T07:00:00Z|${OLD}"; }`, restore(FILE));
      expect(r.status).toBe(1);
      expect(r.calls).not.toContain('kubectl apply');
      expect(r.err).toContain(`restored ${OLD} at 2026-10-01T07:00:00Z under this name, and not ${FILE}: the operator runs a Restore once`);
      // Read before the apply failed: the apply changed a finished Restore's spec (generation 2, never observed).
      const after = restoreRun(`2|1|True|Completed||2026-10-01T07:00:00Z|${FILE}`);
      expect(after.status).toBe(1);
      expect(after.calls.match(/^kubectl get .* -o jsonpath=\{\.metadata/gm)).toHaveLength(1);
      expect(after.err).toContain(`and not ${FILE}: the operator runs a Restore once and takes no later change`);
    });

    it('takes a Restore found finished with its own file for done, applying nothing (its Job run again)', () => {
      const r = run(`before() { echo "2026-10-01T07:00:00Z|${FILE}"; }`, restore(FILE));
      expect(r.status).toBe(0);
      expect(r.calls).not.toContain('kubectl apply');
      expect(r.out).toContain(`${FILE} restored at 2026-10-01T07:00:00Z (found finished: not applied again)`);
    });

    it('is not done while Completed lacks a completion time or another file is named (a Backup needs neither)', () => {
      expect(restoreRun(`1|1|True|Completed|||${FILE}`, { DEADLINE_SECONDS: '20' }).status).toBe(1);
      expect(run('status() { echo "2|1|True|Completed|"; }', { DEADLINE_SECONDS: '20' }).status).toBe(1);
    });
  });

  describe('with STALE_SECRETS (a migration restore): deletes the Secrets a restore brought along, once the object is done', () => {
    const ours = ['rancher-aws-backup-s3-c0ffee', 'rancher-aws-backup-encryption-c0ffee', 'rancher-aws-restore-encryption-c0ffee'];
    const stale = ['rancher-aws-backup-s3-0a1b2c', 'rancher-aws-backup-encryption-0a1b2c', 'rancher-aws-restore-encryption-99aa00'];
    const others = ['rancher-backup-s3', 'rancher-aws-backup-s3-0a1b2c3d', 'my-rancher-aws-backup-s3-0a1b2c', 'sh.helm.release.v1.rancher-backup.v1'];
    const env = {
      STALE_SECRETS: SECRET_NAME_PATTERN,
      SECRETS_NAMESPACE: 'cattle-resources-system',
      KEEP_SECRETS: ours.join(' '),
      SECRETS: [...others, ...ours, ...stale].join(' '),
    };
    const deleted = (calls: string) =>
      [...calls.matchAll(/^kubectl -n cattle-resources-system delete secret (\S+) --ignore-not-found$/gm)].map((m) => m[1]);

    it("deletes exactly the other deployments' Secrets of this project, after Completed", () => {
      const r = run('status() { echo "1|1|True|Completed|"; }', env);
      expect(r.status).toBe(0);
      expect(deleted(r.calls)).toEqual(stale);
      expect(r.calls.indexOf('get secrets')).toBeGreaterThan(r.calls.indexOf('kubectl get backups'));
      expect(r.out).toContain('deleted the restored Secret cattle-resources-system/rancher-aws-backup-s3-0a1b2c');
    });

    it('deletes nothing before the object is done, and nothing at all when it never is', () => {
      const r = run('', { ...env, DEADLINE_SECONDS: '30' });
      expect(r.status).toBe(1);
      expect(r.calls).not.toContain('get secrets');
    });

    it('retries a failed list or delete within the budget, then reports it', () => {
      const flaky = run(
        'status() { echo "1|1|True|Completed|"; }\n' +
          'remove() { if [ "$POLLS" -lt 1 ]; then echo "Error from server (Forbidden): secrets is forbidden"; return 1; fi; echo deleted; }',
        env,
      );
      expect(flaky.status).toBe(0);
      expect(flaky.out).toContain(
        'cannot delete the restored Secret cattle-resources-system/rancher-aws-backup-s3-0a1b2c: Error from server (Forbidden)',
      );
      expect(deleted(flaky.calls)).toEqual([stale[0], ...stale]);
      const broken = run('status() { echo "1|1|True|Completed|"; }\nsecrets() { echo "Unable to connect to the server"; return 1; }', {
        ...env,
        DEADLINE_SECONDS: '20',
      });
      expect(broken.status).toBe(1);
      expect(broken.err).toContain('gave up after 20s: cannot list the Secrets of cattle-resources-system: Unable to connect to the server');
    });

    it('leaves every Secret alone without STALE_SECRETS (the Backups)', () => {
      const r = run('status() { echo "1|1|True|Completed|"; }', { SECRETS: env.SECRETS });
      expect(r.status).toBe(0);
      expect(r.calls).not.toContain('secret');
    });
  });

  it('passes shellcheck', () => {
    const result = spawnSync('shellcheck', ['--severity=style', SCRIPT_PATH], { encoding: 'utf8' });
    expect({ status: result.status, out: result.stdout }).toEqual({ status: 0, out: '' });
  });
});
