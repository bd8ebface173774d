import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_CREDENTIALS_FILE } from '../../../lib/kubernetes/private/server-units';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runBounded } from '../../helpers/subprocess';
import { runValidator } from '../../helpers/validators';

const SCRIPT = 'lib/kubernetes/backup-credentials.sh';
const ROLE = 'arn:aws:iam::111122223333:role/rancher-ha-aws/rancher-rke-ha-rancher-backup';
const NAMESPACE = 'RancherHA/rancher-rke-ha';
const OPERATOR = 'system:serviceaccount:cattle-resources-system:rancher-backup';
const FILE = BACKUP_CREDENTIALS_FILE.replace(/^\//, '');
const FAILED = 'var/lib/rancher/rancher-aws/backup-credentials-failed';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

function server(env: Record<string, string> = { BACKUP_ROLE_ARN: ROLE, RESTART_METRIC_NAMESPACE: NAMESPACE }): NodeSandbox {
  const b = new NodeSandbox({ NODE_IP: '10.0.0.10', AWS_REGION: 'us-east-1', PARAMETER_PREFIX: '/rancher/rke-ha', ...env });
  // What the TokenReview authenticates: the operator's token and another pod's.
  b.write('tokens', `operator.jwt.sig ${OPERATOR}\nother.jwt.sig system:serviceaccount:default:curious\n`);
  boxes.push(b);
  return b;
}

const refresh = (b: NodeSandbox) => b.run({ file: SCRIPT, args: ['refresh', 'rke2'] });
/** One request on the script's stdin, as the socket unit hands a connection over. */
function serve(b: NodeSandbox, request: string): { status: number | null; output: string; stderr: string } {
  b.write('request', request);
  const path = b.prepare({ file: SCRIPT });
  const r = runBounded('bash', ['-c', `bash "$0" serve rke2 <"$1"`, path, b.path('request')], { env: b.environment() });
  return { status: r.status, output: r.stdout, stderr: r.stderr };
}
const get = (token?: string) =>
  `GET /rancher-backup HTTP/1.1\r\nHost: 10.0.0.10:9811\r\n${token === undefined ? '' : `Authorization: ${token}\r\n`}User-Agent: minio\r\n\r\n`;
const metrics = (b: NodeSandbox) => b.calls().filter((c) => c.startsWith('metric '));

describe('backup-credentials.sh (rancher-aws-backup-credentials)', () => {
  it('passes shellcheck as committed', () => {
    expect(
      runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'backup-credentials.sh'),
    ).toEqual({
      status: 0,
      output: '',
    });
  });

  it('refresh: assumes the backup role for an hour with the instance role and keeps the credentials, root only', () => {
    const b = server();
    const r = refresh(b);
    expect(r.status).toBe(0);
    expect(b.calls()).toContain(`sts AssumeRole ${ROLE} 3600`);
    expect(JSON.parse(b.read(FILE))).toEqual({
      AccessKeyId: 'ASIABACKUP',
      SecretAccessKey: 'backup-secret',
      Token: 'backup-session',
      Expiration: '2026-11-23T07:00:00Z',
    });
    expect(r.output).toContain('refreshed, valid until 2026-11-23T07:00:00Z');
    // Nothing failed before: no metric sent.
    expect(metrics(b)).toEqual([]);
  });

  it('refresh that fails: exits 1, keeps the last credentials, raises BackupCredentialsFailed=1; the next success sends 0', () => {
    const b = server();
    expect(refresh(b).status).toBe(0);
    const good = b.read(FILE);
    b.write('sts-errors', '');
    const failed = refresh(b);
    expect(failed.status).toBe(1);
    expect(failed.output).toContain(`AssumeRole of ${ROLE} failed (HTTP 403)`);
    expect(failed.output).toContain('CRITICAL: could not refresh the backup credentials');
    expect(b.read(FILE)).toBe(good);
    expect(b.exists(FAILED)).toBe(true);
    expect(metrics(b)).toEqual([`metric ${NAMESPACE} BackupCredentialsFailed 1`]);

    // Still failing: raised again on every run (the alarm ignores missing data between runs).
    expect(refresh(b).status).toBe(1);
    expect(metrics(b)).toHaveLength(2);

    b.remove('sts-errors');
    expect(refresh(b).status).toBe(0);
    expect(metrics(b).at(-1)).toBe(`metric ${NAMESPACE} BackupCredentialsFailed 0`);
    expect(b.exists(FAILED)).toBe(false);
  });

  it('refresh that fails with CloudWatch unreachable: still exits 1 and keeps the marker, so a later success sends the 0', () => {
    const b = server();
    b.write('sts-errors', '');
    b.write('metric-down', '');
    const r = refresh(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('could not send BackupCredentialsFailed=1');
    expect(b.exists(FAILED)).toBe(true);
  });

  it('refresh with alarms off (no metric namespace): fails loudly, sends nothing', () => {
    const b = server({ BACKUP_ROLE_ARN: ROLE });
    b.write('sts-errors', '');
    expect(refresh(b).status).toBe(1);
    expect(metrics(b)).toEqual([]);
  });

  it('serve: the operator, by its service account token, gets the credentials as a container-credentials answer', () => {
    const b = server();
    refresh(b);
    const r = serve(b, get('operator.jwt.sig'));
    expect(r.status).toBe(0);
    const [head, body] = r.output.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.0 200 OK');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toMatchObject({ AccessKeyId: 'ASIABACKUP', Token: 'backup-session' });
    // The token went to the API server on stdin (TokenReview), never on a command line.
    expect(b.calls().filter((c) => c.includes('operator.jwt.sig'))).toEqual([]);
    expect(b.calls()).toContain(
      `kubectl --kubeconfig ${b.path('etc/rancher/rke2/rke2.yaml')} --request-timeout=15s create -f - -o jsonpath={.status.authenticated} {.status.user.username}`,
    );
  });

  it.each([
    ['another pod', get('other.jwt.sig'), 'refused credentials to system:serviceaccount:default:curious'],
    ['an unknown token', get('forged.jwt.sig'), 'refused credentials to '],
    ['no token', get(), ''],
    ['a token that is not a JWT', get('x","audiences":["y'), ''],
    ['a POST', get('operator.jwt.sig').replace(/^GET/, 'POST'), ''],
  ])('serve: %s gets 403 and no credentials', (_, request, logged) => {
    const b = server();
    refresh(b);
    const r = serve(b, request);
    expect(r.status).toBe(0);
    expect(r.output.split('\r\n')[0]).toBe('HTTP/1.0 403 Forbidden');
    expect(r.output).not.toContain('ASIABACKUP');
    if (logged) expect(r.stderr).toContain(logged);
  });

  it('serve before any refresh succeeded: 503, which the operator retries', () => {
    const b = server();
    const r = serve(b, get('operator.jwt.sig'));
    expect(r.output.split('\r\n')[0]).toBe('HTTP/1.0 503 Service Unavailable');
    expect(r.stderr).toContain('before the first refresh succeeded');
  });

  it('without BACKUP_ROLE_ARN (backups.credentials: accessKey) does nothing', () => {
    const b = server({});
    const r = refresh(b);
    expect(r.status).toBe(0);
    expect(b.calls()).toEqual([]);
  });
});
