import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DISARM_NAME, HELD_NAMESPACES } from '../../../lib/rancher/backup-object-jobs';
import { MIGRATION_RESTORE, SECRET_NAME_PATTERN } from '../../../lib/rancher/backup-objects';

const LIB = join(__dirname, '../../../lib');
const DISARM_PATH = join(LIB, 'rancher/restore-disarm.sh');
const OBJECTS_PATH = join(LIB, 'rancher/backup-objects.sh');
const JOB_FAILURE_PATH = join(LIB, 'kubernetes/job-failure.sh');

/**
 * What production's full-resource-set backup brings into the throwaway (rancher-backup 109.0.7+up10.0.8,
 * `files/default/sensitive-resourceset-contents` and `basic-resourceset-contents`): `namespace name type` per Secret,
 * `namespace name` per Deployment. The operator's Restore creates them as they are, with no filter
 * (`pkg/controllers/restore/controller.go`).
 */
const RESTORED_SECRETS = [
  'cattle-global-data cc-7x2kq provisioning.cattle.io/cloud-credential',
  'c-m-4hq8n cc-downstream provisioning.cattle.io/cloud-credential',
  'cattle-global-data cluster-serviceaccounttoken-9p2w4 kubernetes.io/service-account-token',
  'cattle-global-data c-m-4hq8n-eks-credentials Opaque',
  'fleet-default pool1-7d9f-machine-driver-secret Opaque',
  'fleet-default pool1-7d9f-machine-state rke.cattle.io/machine-state',
  'fleet-default harvesterconfig8kz2p Opaque',
  'fleet-default pool1-7d9f-machine-plan rke.cattle.io/machine-plan',
  'cattle-system tls-rancher-ingress kubernetes.io/tls',
  'cattle-resources-system rancher-aws-backup-s3-0a1b2c Opaque',
];
const CREDENTIALS = [
  'c-m-4hq8n/cc-downstream',
  'cattle-global-data/c-m-4hq8n-eks-credentials',
  'cattle-global-data/cc-7x2kq',
  'cattle-global-data/cluster-serviceaccounttoken-9p2w4',
  'fleet-default/harvesterconfig8kz2p',
  'fleet-default/pool1-7d9f-machine-driver-secret',
  'fleet-default/pool1-7d9f-machine-state',
];
const RESTORED_DEPLOYMENTS = ['cattle-system eks-config-operator', 'cattle-fleet-system gitjob', 'cattle-elemental-system elemental-operator'];

/** The API server's stand-in (its header says what it models). */
const STUB_PATH = join(__dirname, '../../helpers/restore-stubs/api.sh');

interface Run {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
  readonly calls: string;
  /** Restored pods that started while production's credentials were in the cluster. */
  readonly ran: string[];
  readonly refused: string[];
  readonly pods: string[];
  readonly secrets: string[];
  readonly policy: string;
  readonly binding: string;
}

/**
 * Runs the Job's script as the gate chart's Job runs it for a drill's Restore (job-failure.sh, restore-disarm.sh,
 * backup-objects.sh, in a real bash) against the stand-in.
 */
function run(env: Record<string, string> = {}): Run {
  const w = mkdtempSync(join(tmpdir(), 'restore-disarm-'));
  for (const file of [
    'calls',
    'secrets',
    'deployments',
    'pods',
    'ran',
    'refused',
    'policy',
    'binding',
    'policy.written',
    'binding.written',
    'loaded',
  ])
    writeFileSync(join(w, file), '');
  const script = [
    'SLEPT=0',
    `RESTORED_SECRETS=(${RESTORED_SECRETS.map((s) => JSON.stringify(s)).join(' ')})`,
    `RESTORED_DEPLOYMENTS=(${RESTORED_DEPLOYMENTS.map((s) => JSON.stringify(s)).join(' ')})`,
    `. ${JSON.stringify(STUB_PATH)}`,
    `. ${JSON.stringify(JOB_FAILURE_PATH)}`,
    `. ${JSON.stringify(DISARM_PATH)}`,
    `. ${JSON.stringify(OBJECTS_PATH)}`,
  ].join('\n');
  const result = spawnSync('bash', ['-c', script], {
    env: {
      PATH: process.env.PATH ?? '',
      // bash reads ~/.bashrc when its standard input is a socket (as under jest's workers): none here.
      HOME: w,
      W: w,
      DEADLINE_SECONDS: '900',
      RESOURCE: 'restores.resources.cattle.io',
      NAME: MIGRATION_RESTORE,
      OBJECT: JSON.stringify({ apiVersion: 'resources.cattle.io/v1', kind: 'Restore', metadata: { name: MIGRATION_RESTORE } }),
      STALE_SECRETS: SECRET_NAME_PATTERN,
      SECRETS_NAMESPACE: 'cattle-resources-system',
      KEEP_SECRETS: 'rancher-aws-backup-s3-c0ffee',
      DISARM: 'true',
      HOLD_POLICY: DISARM_NAME,
      HOLD_NAMESPACES: HELD_NAMESPACES,
      PROBE_NAMESPACE: 'cattle-system',
      ...env,
    },
    encoding: 'utf8',
  });
  const read = (file: string) => readFileSync(join(w, file), 'utf8');
  const lines = (file: string) => read(file).split('\n').filter(Boolean);
  const r: Run = {
    status: result.status,
    out: result.stdout,
    err: result.stderr,
    calls: read('calls'),
    ran: lines('ran'),
    refused: lines('refused'),
    pods: lines('pods'),
    secrets: lines('secrets'),
    policy: read('policy.written'),
    binding: read('binding.written'),
  };
  rmSync(w, { recursive: true, force: true });
  return r;
}

// One run of the whole Job: the stand-in is cheap, but each case reads the same story.
const drill = run();

describe("restore-disarm.sh (a drill's Restore): production's credentials never act from the restored cluster", () => {
  it('holds the pods of the restored Deployments while the Restore runs: none starts with a credential there', () => {
    expect(drill.err).toBe('');
    expect(drill.status).toBe(0);
    expect(drill.ran).toEqual([]);
    // The Deployment controller tried, and admission refused each of them, until the credentials were gone.
    expect(new Set(drill.refused)).toEqual(new Set(RESTORED_DEPLOYMENTS.map((d) => `${d.split(' ')[0]}/${d.split(' ')[1]} refused`)));
    // Released at the end: they start, with nothing of production's to act with.
    expect(drill.pods.sort()).toEqual([...RESTORED_DEPLOYMENTS].sort());
  });

  it('applies the Restore only once the API server refuses a pod in Rancher’s namespace (the hold in force, not just written)', () => {
    const calls = drill.calls.split('\n');
    const applied = calls.indexOf('kubectl apply -f -');
    const probes = calls.map((c, i) => (c === 'kubectl -n cattle-system create --dry-run=server -f -' ? i : -1)).filter((i) => i >= 0);
    // The API server loads the policy two calls after it is written: the first probe is admitted, and the Job waits.
    expect(probes.filter((i) => i < applied).length).toBeGreaterThanOrEqual(2);
    expect(drill.out).toContain(`the hold ${DISARM_NAME} is not in force in cattle-system yet`);
    expect(drill.out).toContain(`the hold ${DISARM_NAME} refuses pods in cattle-system`);
    expect(calls.indexOf('kubectl create -f -')).toBeLessThan(applied);
  });

  it("deletes every credential the backup brought (cloud credentials anywhere, cattle-global-data, node drivers' Secrets), and nothing else", () => {
    const left = drill.secrets.map((s) => s.split(' ').slice(0, 2).join('/'));
    for (const credential of CREDENTIALS) expect(left).not.toContain(credential);
    // Not credentials of production's cloud: Rancher's TLS Secret, a downstream node's plan (its agent dials production's hostname).
    expect(left.sort()).toEqual(['cattle-system/tls-rancher-ingress', 'fleet-default/pool1-7d9f-machine-plan']);
    expect(drill.out).toContain('deleted the restored Secret cattle-resources-system/rancher-aws-backup-s3-0a1b2c');
    expect(drill.out).toContain("production's credentials are out of the restored cluster");
  });

  it('writes a policy that refuses with Fail and a binding that denies, and removes both at the end', () => {
    const calls = drill.calls;
    expect(calls).toContain(`kubectl delete validatingadmissionpolicybindings.admissionregistration.k8s.io ${DISARM_NAME} --ignore-not-found`);
    expect(calls).toContain(`kubectl delete validatingadmissionpolicies.admissionregistration.k8s.io ${DISARM_NAME} --ignore-not-found`);
    expect(drill.out).toContain(`the hold ${DISARM_NAME} is released`);
    const policy = JSON.parse(drill.policy);
    const binding = JSON.parse(drill.binding);
    expect(policy.spec).toMatchObject({
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
    });
    expect(binding).toMatchObject({ metadata: { name: DISARM_NAME }, spec: { policyName: DISARM_NAME, validationActions: ['Deny'] } });
  });

  it('keeps the hold when a credential cannot be deleted: Rancher, which waits for this Job, never starts beside one', () => {
    // The API refuses one delete every time (a finalizer's webhook, RBAC): the Job fails.
    const stuck = run({ DEADLINE_SECONDS: '20', REFUSE_DELETE: 'cattle-global-data/cc-7x2kq' });
    expect(stuck.status).toBe(1);
    expect(stuck.ran).toEqual([]);
    expect(stuck.pods).toEqual([]);
    expect(stuck.err).toContain("gave up after 20s: production's credentials are still in the restored cluster: cattle-global-data/cc-7x2kq");
    expect(stuck.calls).not.toContain('delete validatingadmissionpolicies');
  });

  it('passes shellcheck', () => {
    const result = spawnSync('shellcheck', ['--severity=style', DISARM_PATH], { encoding: 'utf8' });
    expect({ status: result.status, out: result.stdout }).toEqual({ status: 0, out: '' });
  });
});
