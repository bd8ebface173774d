import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';

const SCRIPT = 'lib/kubernetes/rke2-restore.sh';
const TOKEN = 'K10e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855::server:s3cret';
const CONFIG = [
  'token-file: /etc/rancher/rke2/token',
  'etcd-s3: true',
  'etcd-s3-bucket: rancher-rke-ha-etcd-123',
  'etcd-s3-region: eu-west-1',
  'etcd-s3-folder: rke-ha',
  '',
].join('\n');
const ME = 'ip-10-0-0-10';
const GONE = ['ip-10-0-16-10', 'ip-10-0-32-10'];

/** ListObjectsV2's answer for snapshot objects (key, last modified). */
function listing(objects: [string, string][]): string {
  const contents = objects
    .map(([key, modified]) => `<Contents><Key>${key}</Key><LastModified>${modified}</LastModified><Size>1048576</Size></Contents>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>rancher-rke-ha-etcd-123</Name>${contents}</ListBucketResult>`;
}
const SNAPSHOTS: [string, string][] = [
  ['rke-ha/etcd-snapshot-ip-10-0-16-10-1763870400', '2026-11-23T04:00:00.000Z'],
  ['rke-ha/etcd-snapshot-ip-10-0-0-10-1763884800', '2026-11-23T08:00:00.000Z'],
  ['rke-ha/.metadata/etcd-snapshot-ip-10-0-0-10-1763884800', '2026-11-23T08:00:01.000Z'],
  ['rke-ha/etcd-snapshot-ip-10-0-32-10-1763877600', '2026-11-23T06:00:00.000Z'],
];
const NEWEST = 'etcd-snapshot-ip-10-0-0-10-1763884800';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** The stranded server: RKE2 installed and stopped, the old cluster's nodes in the snapshot. */
function stranded(objects: [string, string][] = SNAPSHOTS): NodeSandbox {
  const b = new NodeSandbox({
    NODE_NAME: ME,
    NODE_IP: '10.0.0.10',
    PEER_IPS: '10.0.16.10 10.0.32.10',
    AWS_REGION: 'eu-west-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
  });
  b.write('etc/rancher/rke2/config.yaml', CONFIG);
  b.write('etc/rancher/rke2/token', TOKEN);
  b.write('s3-list.xml', listing(objects));
  b.write('nodes', `${[ME, ...GONE].join('\n')}\n`);
  b.write('events', '');
  boxes.push(b);
  return b;
}
/** The command as a person runs it; no terminal here, so --yes stands for the typed confirmation (except with --list). */
const restore = (b: NodeSandbox, ...args: string[]) =>
  b.run(
    { file: SCRIPT, args: args.includes('--list') || args.includes('--no-yes') ? args.filter((a) => a !== '--no-yes') : ['--yes', ...args] },
    { READY_SECONDS: '60' },
  );
const events = (b: NodeSandbox) => b.read('events').split('\n').filter(Boolean);
const MARKER = 'var/lib/rancher/rancher-aws/bootstrapped';

describe('rke2-restore.sh (rancher-aws-restore)', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'rke2-restore.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('--list: lists the snapshots in the bucket folder, oldest first, without the metadata objects, and changes nothing', () => {
    const b = stranded();
    const r = restore(b, '--list');
    expect(r.status).toBe(0);
    expect(r.output.trim().split('\n')).toEqual([
      '2026-11-23T04:00:00.000Z etcd-snapshot-ip-10-0-16-10-1763870400',
      '2026-11-23T06:00:00.000Z etcd-snapshot-ip-10-0-32-10-1763877600',
      `2026-11-23T08:00:00.000Z ${NEWEST}`,
    ]);
    expect(b.calls()).toContain('s3-list https://rancher-rke-ha-etcd-123.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=rke-ha/');
    expect(b.calls().filter((c) => c.startsWith('rke2') || c.startsWith('systemctl'))).toEqual([]);
  });

  it('restores the newest snapshot, starts rke2-server, waits for its API, forgets the gone servers so their replacements can join', () => {
    const b = stranded();
    const r = restore(b);
    expect(r.status).toBe(0);
    expect(b.calls()).toContain(`rke2 server --cluster-reset --cluster-reset-restore-path=${NEWEST}`);
    const calls = b.calls().filter((c) => /^(rke2|systemctl (enable|start))/.test(c));
    expect(calls).toEqual([
      `rke2 server --cluster-reset --cluster-reset-restore-path=${NEWEST}`,
      'systemctl enable rke2-server.service',
      'systemctl start --no-block rke2-server.service',
    ]);
    expect(events(b)).toEqual([
      `deleted secret ${ME}.node-password.rke2`,
      `deleted node ${GONE[0]}`,
      `deleted secret ${GONE[0]}.node-password.rke2`,
      `deleted node ${GONE[1]}`,
      `deleted secret ${GONE[1]}.node-password.rke2`,
      expect.stringMatching(/^configmap rancher-aws-restore restoredLeaseVersion= resetBegan=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    ]);
    // The restore record: no restart Lease in the snapshot (no version), and when the reset began, for a person.
    const resetAt = b.read('var/lib/rancher/rancher-aws/restored-at').trim();
    expect(b.read('configmap-rancher-aws-restore')).toBe(`restoredLeaseVersion=\nresetBegan=${resetAt}\n`);
    expect(b.read('nodes')).toBe(`${ME}\n`);
    expect(b.exists(MARKER)).toBe(true);
    expect(r.output).toContain(`restored from ${NEWEST}: replace the other servers one at a time`);
  });

  it('--snapshot NAME restores that one, and refuses a name not in the bucket', () => {
    const b = stranded();
    expect(restore(b, '--snapshot', 'etcd-snapshot-ip-10-0-16-10-1763870400').status).toBe(0);
    expect(b.calls()).toContain('rke2 server --cluster-reset --cluster-reset-restore-path=etcd-snapshot-ip-10-0-16-10-1763870400');
    const other = stranded();
    const r = restore(other, '--snapshot', 'etcd-snapshot-nope');
    expect(r.status).toBe(1);
    expect(r.output).toContain('no snapshot etcd-snapshot-nope in s3://rancher-rke-ha-etcd-123/rke-ha/');
    expect(other.calls().some((c) => c.startsWith('rke2'))).toBe(false);
  });

  it('no snapshot in the bucket: says so and changes nothing', () => {
    const b = stranded([]);
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('no snapshot in s3://rancher-rke-ha-etcd-123/rke-ha/: nothing to restore from');
    expect(b.calls().some((c) => c.startsWith('rke2') || c.startsWith('systemctl enable'))).toBe(false);
  });

  it('China: lists the bucket at <bucket>.s3.cn-north-1.amazonaws.com.cn, as a stack in cn-north-1 ships the script', () => {
    const b = stranded().inRegion('cn-north-1');
    b.write('etc/rancher/rke2/config.yaml', CONFIG.replace('eu-west-1', 'cn-north-1'));
    const r = restore(b, '--list');
    expect(r.status).toBe(0);
    expect(r.output).toContain(NEWEST);
    expect(b.calls()).toContain('s3-list https://rancher-rke-ha-etcd-123.s3.cn-north-1.amazonaws.com.cn/?list-type=2&prefix=rke-ha/');
  });

  it('China, the bucket cannot be listed: retried there, then stops without changing anything', () => {
    const b = stranded().inRegion('cn-north-1');
    b.write('etc/rancher/rke2/config.yaml', CONFIG.replace('eu-west-1', 'cn-north-1'));
    b.write('s3-down', '');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('cannot list s3://rancher-rke-ha-etcd-123/rke-ha/');
    expect(
      new Set(
        b
          .calls()
          .filter((c) => c.startsWith('s3-list'))
          .map((c) => new URL(c.split(' ')[1]).host),
      ),
    ).toEqual(new Set(['rancher-rke-ha-etcd-123.s3.cn-north-1.amazonaws.com.cn']));
    expect(b.calls().some((c) => c.startsWith('rke2'))).toBe(false);
  });

  it('the bucket cannot be listed: retried, then stops without changing anything', () => {
    const b = stranded();
    b.write('s3-down', '');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('cannot list s3://rancher-rke-ha-etcd-123/rke-ha/');
    expect(b.calls().filter((c) => c.startsWith('s3-list'))).toHaveLength(3);
    expect(b.calls().some((c) => c.startsWith('rke2'))).toBe(false);
  });

  it('the download or the cluster reset fails: rke2-server is not started', () => {
    const b = stranded();
    b.write('rke2-fails', 'failed to download snapshot from S3: Access Denied\n');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('failed to download snapshot from S3: Access Denied');
    expect(r.output).toContain(`the cluster reset from ${NEWEST} failed`);
    expect(b.calls().some((c) => c.startsWith('systemctl enable') || c.startsWith('systemctl start'))).toBe(false);
    expect(events(b)).toEqual([]);
    expect(b.exists(MARKER)).toBe(false);
  });

  it('rke2-server never answers after the restore: bounded wait, then says where to look, deletes nothing', () => {
    const b = stranded();
    b.write('api-down', '');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('rke2-server did not answer within 60 s after the restore: see journalctl -u rke2-server');
    // Three probes of the peers 10 s apart, then the 60 s budget for the API.
    expect(b.slept()).toBe(80);
    expect(events(b)).toEqual([]);
    expect(b.exists(MARKER)).toBe(false);
  });

  it('refuses while rke2-server runs here, or is (re)starting, or while another server answers (the cluster exists: join it)', () => {
    const running = stranded();
    running.write('active', 'rke2-server.service\n');
    expect(restore(running).output).toContain('rke2-server is active on this server');
    // A crash-looping service is not "active" but activating: still refused.
    const looping = stranded();
    looping.write('active-state-rke2-server.service', 'activating\n');
    expect(restore(looping).output).toContain('rke2-server is activating on this server');
    expect(looping.calls().some((c) => c.startsWith('rke2'))).toBe(false);
    const peer = stranded();
    peer.write('live', '10.0.32.10\n');
    const r = restore(peer);
    expect(r.status).toBe(1);
    expect(r.output).toContain('the server at 10.0.32.10 answers: the cluster exists');
    for (const b of [running, peer]) expect(b.calls().some((c) => c.startsWith('rke2'))).toBe(false);
  });

  it('without a terminal and without --yes: refuses before anything changes (the confirmation names the snapshot)', () => {
    const b = stranded();
    const r = restore(b, '--no-yes');
    expect(r.status).toBe(1);
    expect(r.output).toContain(`no terminal to confirm on: rerun with --yes to restore from ${NEWEST}`);
    expect(b.calls().some((c) => c.startsWith('rke2') || c.startsWith('systemctl enable'))).toBe(false);
  });

  it("refuses over this server's own etcd data (a server that ran) unless --force", () => {
    const b = stranded();
    b.write('var/lib/rancher/rke2/server/db/etcd/member/snap/db', 'data');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('this server has run');
    expect(b.calls().some((c) => c.startsWith('rke2'))).toBe(false);
    const marked = stranded();
    marked.write(MARKER, '');
    expect(restore(marked).output).toContain('rerun with --force');
    const forced = stranded();
    forced.write('var/lib/rancher/rke2/server/db/etcd/member/snap/db', 'data');
    expect(restore(forced, '--force').status).toBe(0);
    expect(forced.calls()).toContain(`rke2 server --cluster-reset --cluster-reset-restore-path=${NEWEST}`);
  });

  it('a peer that answers only on the third probe is not taken for gone', () => {
    const b = stranded();
    // Answers from 20 s on: the third probe, after two 10 s pauses.
    b.write('live', '10.0.16.10 20\n');
    const r = restore(b);
    expect(r.output).toContain('the server at 10.0.16.10 answers');
    expect(b.calls().some((c) => c.startsWith('rke2'))).toBe(false);
  });

  it('reads every page of the listing: the newest snapshot can be on a later page', () => {
    const page1 = listing(SNAPSHOTS.slice(0, 2)).replace(
      '</ListBucketResult>',
      '<IsTruncated>true</IsTruncated><NextContinuationToken>1/a+b=</NextContinuationToken></ListBucketResult>',
    );
    const later: [string, string][] = [['rke-ha/etcd-snapshot-ip-10-0-32-10-1763899200', '2026-11-23T12:00:00.000Z']];
    const b = stranded();
    b.write('s3-list.xml', page1);
    b.write('s3-list-1%2Fa%2Bb%3D.xml', listing(later));
    const r = restore(b, '--list');
    expect(r.status).toBe(0);
    expect(r.output.trim().split('\n')).toEqual([
      '2026-11-23T04:00:00.000Z etcd-snapshot-ip-10-0-16-10-1763870400',
      `2026-11-23T08:00:00.000Z ${NEWEST}`,
      '2026-11-23T12:00:00.000Z etcd-snapshot-ip-10-0-32-10-1763899200',
    ]);
    expect(b.calls().filter((c) => c.startsWith('s3-list'))).toEqual([
      's3-list https://rancher-rke-ha-etcd-123.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=rke-ha/',
      's3-list https://rancher-rke-ha-etcd-123.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=rke-ha/&continuation-token=1%2Fa%2Bb%3D',
    ]);
  });

  it("--forget-only: after a restore whose API came up late, removes the gone servers and records the restore (the restart Lease's version as the snapshot put it back), nothing else", () => {
    const b = stranded();
    b.write('var/lib/rancher/rancher-aws/restored-at', '2026-11-26T10:00:00Z\n');
    // The snapshot held a dead roll's Lease with a server out, at resourceVersion 812 (node-stubs/kubectl's lease file).
    b.write('lease', 'laptop/4242/2026-11-26T08:00:00.000Z 2026-11-26T09:00:00.000000Z 3600 812 10.0.0.10\n');
    const r = restore(b, '--forget-only');
    expect(r.status).toBe(0);
    expect(events(b)).toContain(`deleted node ${GONE[0]}`);
    expect(events(b)).toContain('configmap rancher-aws-restore restoredLeaseVersion=812 resetBegan=2026-11-26T10:00:00Z');
    expect(b.calls().some((c) => c.startsWith('rke2') || c.startsWith('s3-list'))).toBe(false);
    const down = stranded();
    down.write('api-down', '');
    expect(restore(down, '--forget-only').output).toContain('--forget-only runs once the restored cluster is up');
  });
});
