import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runValidator } from '../../helpers/validators';

/**
 * Runs lib/docker/docker-bootstrap.sh against a scratch root: its fixed paths
 * are moved into a temporary directory, the system commands it calls (docker,
 * blkid, mkfs.ext4, mount, systemctl, ...) are stubs that record their calls,
 * and the shared boot helpers are replaced by a stub that "fetches" from SSM.
 */
const SCRIPT = readFileSync(join(__dirname, '../../../lib/docker/docker-bootstrap.sh'), 'utf8');

const STUBS: Record<string, string> = {
  // -p probe: exit code from $T/blkid-probe (2: nothing on the device); -s TYPE/UUID: fixed values.
  blkid: `case "$*" in
  -p*) exit "$(cat "$T/blkid-probe")" ;;
  *TYPE*) echo ext4 ;;
  *UUID*) echo 0f0e0d0c-aaaa-bbbb-cccc-000000000001 ;;
esac`,
  docker: `case "$1" in
  inspect) [ -f "$T/container-label" ] && cat "$T/container-label" || exit 1 ;;
  run) for a in "$@"; do case "$a" in --label=rancher-aws.config=*) echo "\${a#--label=rancher-aws.config=}" >"$T/container-label" ;; esac; done ;;
  rm) rm -f "$T/container-label" ;;
esac`,
  mountpoint: 'exit 1',
  'mkfs.ext4': 'exit 0',
  mount: 'exit 0',
  systemctl: 'exit 0',
  resize2fs: 'exit 0',
  'apt-get': 'exit 0',
};

const FAKE_BOOT_LIB = `
log() { echo "test: $*" >&2; }
retry() { shift 2; "$@"; }
fetch_to() { mkdir -p "$(dirname "$2")"; printf '%s%s\\n' "\${3:-}" "fake-$1" >"$2"; }
# EC2 as the host sees it through cluster-lib.sh's aws_post: the call recorded, the answer and status from $T.
aws_post() {
  echo "aws_post $1 $2 $4" >>"$T/calls"
  AWS_STATUS=$(cat "$T/ec2-status")
  cp "$T/ec2-answer" "$3"
  [ "$AWS_STATUS" = 200 ]
}
`;

/** CreateSnapshot's answer (EC2 Query API, 2016-11-15), the fields the script reads. */
const SNAPSHOT_ANSWER =
  '<CreateSnapshotResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><snapshotId>snap-0fedcba9876543210</snapshotId><volumeId>vol-0123456789abcdef0</volumeId><status>pending</status></CreateSnapshotResponse>';
/** EC2's refusal when the role may not snapshot (the shape of its error document). */
const UNAUTHORIZED_ANSWER =
  '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors></Response>';

interface Host {
  readonly dir: string;
  run(): { status: number | null; output: string };
  calls(): string[];
  read(path: string): string;
  write(path: string, text: string): void;
}

function scratchHost(): Host {
  const dir = mkdtempSync(join(tmpdir(), 'docker-bootstrap-'));
  const path = (p: string) => join(dir, p);
  for (const sub of ['bin', 'etc', 'lib', 'dev', 'data']) mkdirSync(path(sub));
  for (const [name, body] of Object.entries(STUBS)) {
    writeFileSync(path(`bin/${name}`), `#!/bin/bash\necho "${name} $*" >>"$T/calls"\n${body}\n`);
    chmodSync(path(`bin/${name}`), 0o755);
  }
  writeFileSync(path('lib/boot-lib.sh'), FAKE_BOOT_LIB);
  writeFileSync(path('fstab'), 'LABEL=cloudimg-rootfs / ext4 discard,errors=remount-ro 0 1\n');
  writeFileSync(path('blkid-probe'), '2');
  writeFileSync(path('ec2-status'), '200');
  writeFileSync(path('ec2-answer'), SNAPSHOT_ANSWER);
  writeFileSync(path('dev/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0'), '');
  writeFileSync(
    path('etc/docker.env'),
    'AWS_REGION="us-east-1"\nPARAMETER_PREFIX="/rancher/docker"\nDATA_VOLUME_ID="vol-0123456789abcdef0"\nRANCHER_IMAGE="rancher/rancher:v2.14.4"\nTLS_FILES="cert key cacerts"\n' +
      'UPGRADE_SNAPSHOT_NAME="demo-docker-data-before-2.14.4"\nUPGRADE_SNAPSHOT_TAG="rancher-aws:before-upgrade=demo-docker"\n',
  );
  writeFileSync(path('etc/rancher-run.args'), '--name=rancher\n--detach\n--restart=unless-stopped\nrancher/rancher:v2.14.4\n');
  writeFileSync(path('etc/rancher.env'), '# none\n');
  const script = SCRIPT.replaceAll('/usr/local/lib/rancher-aws/boot-lib.sh', path('lib/boot-lib.sh'))
    .replaceAll('/etc/rancher-aws', path('etc'))
    .replaceAll('/etc/fstab', path('fstab'))
    .replaceAll('/dev/disk/by-id/', `${path('dev')}/`)
    .replaceAll('/dev/xvdf', path('dev/xvdf'))
    .replaceAll('DATA_DIR=/var/lib/rancher', `DATA_DIR=${path('data')}`)
    // A stub device is a plain file.
    .replace('[ -b "$candidate" ]', '[ -e "$candidate" ]');
  writeFileSync(path('script.sh'), script);
  return {
    dir,
    run() {
      const result = spawnSync('bash', [path('script.sh')], {
        env: { ...process.env, T: dir, PATH: `${path('bin')}:${process.env.PATH}` },
        encoding: 'utf8',
      });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    },
    calls: () => (existsSync(path('calls')) ? readFileSync(path('calls'), 'utf8').trimEnd().split('\n') : []),
    read: (p) => readFileSync(path(p), 'utf8'),
    write: (p, text) => writeFileSync(path(p), text),
  };
}

describe('docker-bootstrap.sh', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], SCRIPT, 'docker-bootstrap.sh')).toEqual({ status: 0, output: '' });
  });

  describe('on a scratch root', () => {
    let host: Host;
    beforeEach(() => {
      host = scratchHost();
    });
    afterEach(() => rmSync(host.dir, { recursive: true, force: true }));

    it('formats a new volume, mounts it with nofail, fetches the secrets and starts the container', () => {
      const first = host.run();
      expect(first).toMatchObject({ status: 0 });
      const device = join(host.dir, 'dev/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0');
      expect(host.calls()).toContain(`mkfs.ext4 -q -L rancher-data ${device}`);
      expect(
        host
          .read('fstab')
          .split('\n')
          .filter((l) => l.includes('/data ')),
      ).toEqual([`UUID=0f0e0d0c-aaaa-bbbb-cccc-000000000001 ${join(host.dir, 'data')} ext4 defaults,nofail,x-systemd.device-timeout=5min 0 2`]);
      expect(host.calls()).toContain(`mount ${join(host.dir, 'data')}`);
      expect(host.calls()).toContain('systemctl enable --now docker.service');
      expect(host.calls().some((c) => c.startsWith('apt-get'))).toBe(false);
      expect(host.read('etc/rancher-secrets.env')).toBe('CATTLE_BOOTSTRAP_PASSWORD=fake-bootstrap-password\n');
      expect(['cert', 'key', 'cacerts'].map((f) => host.read(`etc/ssl/${f}.pem`))).toEqual([
        'fake-tls-cert\n',
        'fake-tls-key\n',
        'fake-tls-cacerts\n',
      ]);
      const run = host.calls().find((c) => c.startsWith('docker run'))!;
      expect(run).toMatch(
        /^docker run --label=rancher-aws\.config=[0-9a-f]{64} --name=rancher --detach --restart=unless-stopped rancher\/rancher:v2\.14\.4$/,
      );
      expect(host.calls().indexOf('docker pull -q rancher/rancher:v2.14.4')).toBeLessThan(host.calls().indexOf(run));
    });

    it('is idempotent: a second run keeps the data, the fstab entry and the container', () => {
      expect(host.run().status).toBe(0);
      host.write('blkid-probe', '0'); // the volume now holds the file system
      host.write('calls', '');
      const second = host.run();
      expect(second.status).toBe(0);
      expect(second.output).toContain('holds a file system: keeping its data');
      expect(host.calls().some((c) => c.startsWith('mkfs'))).toBe(false);
      expect(host.read('fstab').match(/nofail/g)).toHaveLength(1);
      expect(host.calls().filter((c) => c.startsWith('docker ') && !c.startsWith('docker inspect'))).toEqual(['docker start rancher']);
    });

    it('recreates the container (same data) when what it was created from changed', () => {
      expect(host.run().status).toBe(0);
      const label = host.read('container-label');
      host.write('blkid-probe', '0');
      host.write('etc/rancher-run.args', '--name=rancher\n--detach\n--restart=unless-stopped\nrancher/rancher:v2.14.5\n');
      host.write('calls', '');
      expect(host.run().status).toBe(0);
      const dockerCalls = host.calls().filter((c) => c.startsWith('docker ') && !c.startsWith('docker inspect'));
      expect(dockerCalls[0]).toBe('docker pull -q rancher/rancher:v2.14.4');
      expect(dockerCalls[1]).toBe('docker rm -f rancher');
      expect(dockerCalls[2]).toMatch(/^docker run .*rancher\/rancher:v2\.14\.5$/);
      expect(host.read('container-label')).not.toBe(label);
    });

    describe('the snapshot before another Rancher version starts on the data', () => {
      /** The host after a first boot on a new volume (Rancher v2.14.3 wrote the data), then replaced by one that runs `image`. */
      const upgradedHost = (image = 'rancher/rancher:v2.14.4') => {
        host.write('etc/rancher-run.args', '--name=rancher\n--detach\nrancher/rancher:v2.14.3\n');
        host.write('etc/docker.env', host.read('etc/docker.env').replace('rancher/rancher:v2.14.4', 'rancher/rancher:v2.14.3'));
        expect(host.run().status).toBe(0);
        // The new host: a new root volume (no container), the same data volume with its file system.
        rmSync(join(host.dir, 'container-label'));
        host.write('blkid-probe', '0');
        host.write('etc/rancher-run.args', `--name=rancher\n--detach\n${image}\n`);
        host.write('etc/docker.env', host.read('etc/docker.env').replace('rancher/rancher:v2.14.3', image));
        host.write('calls', '');
      };
      const snapshotCalls = () => host.calls().filter((c) => c.startsWith('aws_post ec2'));
      /** The query of an EC2 call, decoded. */
      const query = (call: string) => Object.fromEntries(new URLSearchParams(call.replace(/^aws_post ec2 us-east-1 /, '')));

      it('takes none on a volume it formatted, and records the image that now runs on the data', () => {
        expect(host.run().status).toBe(0);
        expect(snapshotCalls()).toEqual([]);
        expect(host.read('data/.rancher-aws-image')).toBe('rancher/rancher:v2.14.4\n');
      });

      it('takes one, named and tagged, with the old container stopped, before the new version starts', () => {
        upgradedHost();
        const result = host.run();
        expect(result.status).toBe(0);
        const [call] = snapshotCalls();
        expect(snapshotCalls()).toHaveLength(1);
        expect(query(call)).toEqual({
          Action: 'CreateSnapshot',
          Version: '2016-11-15',
          VolumeId: 'vol-0123456789abcdef0',
          Description: 'Rancher data before rancher/rancher:v2.14.4 (last served by rancher/rancher:v2.14.3)',
          'TagSpecification.1.ResourceType': 'snapshot',
          'TagSpecification.1.Tag.1.Key': 'Name',
          'TagSpecification.1.Tag.1.Value': 'demo-docker-data-before-2.14.4',
          'TagSpecification.1.Tag.2.Key': 'rancher-aws:before-upgrade',
          'TagSpecification.1.Tag.2.Value': 'demo-docker',
        });
        const calls = host.calls();
        expect(calls.indexOf('docker stop rancher')).toBeLessThan(calls.indexOf(call));
        expect(calls.indexOf(call)).toBeLessThan(calls.findIndex((c) => c.startsWith('docker run')));
        expect(result.output).toContain(
          'took snapshot snap-0fedcba9876543210 (demo-docker-data-before-2.14.4) of vol-0123456789abcdef0 before rancher/rancher:v2.14.4; the data was last served by rancher/rancher:v2.14.3',
        );
        expect(host.read('data/.rancher-aws-image')).toBe('rancher/rancher:v2.14.4\n');
      });

      it('takes one of data an older bootstrap left (no record of its image)', () => {
        upgradedHost();
        rmSync(join(host.dir, 'data/.rancher-aws-image'));
        expect(host.run().status).toBe(0);
        expect(query(snapshotCalls()[0]).Description).toBe('Rancher data before rancher/rancher:v2.14.4 (last served by an image not recorded)');
      });

      it('starts no new version when EC2 refuses the snapshot, says why, and leaves the data and its record alone', () => {
        upgradedHost();
        host.write('ec2-status', '403');
        host.write('ec2-answer', UNAUTHORIZED_ANSWER);
        const result = host.run();
        expect(result.status).not.toBe(0);
        expect(result.output).toContain(
          'not starting rancher/rancher:v2.14.4: EC2 did not take the snapshot of vol-0123456789abcdef0 it needs first (HTTP 403: <Response><Errors><Error><Code>UnauthorizedOperation',
        );
        expect(host.calls().some((c) => c.startsWith('docker run') || c.startsWith('docker rm'))).toBe(false);
        expect(host.read('data/.rancher-aws-image')).toBe('rancher/rancher:v2.14.3\n');
        // The way forward once the call can succeed: the same script again, which now takes it.
        host.write('ec2-status', '200');
        host.write('ec2-answer', SNAPSHOT_ANSWER);
        host.write('calls', '');
        expect(host.run().status).toBe(0);
        expect(snapshotCalls()).toHaveLength(1);
      });

      it('takes none for the same release from another registry, or a container recreated for its configuration', () => {
        upgradedHost('registry.internal:5000/rancher/rancher:v2.14.3');
        expect(host.run().status).toBe(0);
        expect(snapshotCalls()).toEqual([]);
      });
    });

    it('finds the volume as /dev/xvdf on instance types without NVMe', () => {
      rmSync(join(host.dir, 'dev/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0'));
      host.write('dev/xvdf', '');
      expect(host.run().status).toBe(0);
      expect(host.calls()).toContain(`mkfs.ext4 -q -L rancher-data ${join(host.dir, 'dev/xvdf')}`);
    });

    it('leaves a volume it cannot read alone: no format, no container', () => {
      host.write('blkid-probe', '8'); // blkid: ambivalent probing result
      const result = host.run();
      expect(result.status).not.toBe(0);
      expect(result.output).toContain('not touching it');
      expect(host.calls().some((c) => c.startsWith('mkfs') || c.startsWith('docker run'))).toBe(false);
    });
  });
});
