import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_BOOT_LIB } from '../../../lib/nodes/private/boot-files';
import { runValidator } from '../../helpers/validators';

const LIB = readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8');
const CLUSTER_LIB = readFileSync(join(__dirname, '../../../lib/kubernetes/cluster-lib.sh'), 'utf8');

describe('boot-lib.sh', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], LIB, 'boot-lib.sh')).toEqual({ status: 0, output: '' });
  });

  it('passes shellcheck as the Kubernetes servers get it (SERVER_BOOT_LIB: run_installer out, every curl bounded)', () => {
    expect(runValidator('shellcheck', ['--severity=style'], SERVER_BOOT_LIB, 'server-boot-lib.sh')).toEqual({ status: 0, output: '' });
  });

  it('leaves the cluster-only helpers to cluster-lib.sh, which passes shellcheck and defines them once', () => {
    expect(LIB).not.toContain('place_cluster_cas');
    expect(runValidator('shellcheck', ['--severity=style'], CLUSTER_LIB, 'cluster-lib.sh')).toEqual({ status: 0, output: '' });
    const helpers = [
      'place_cluster_cas',
      'server_paths',
      'kube',
      'servers_ready',
      'etcd_healthy',
      'cluster_healthy',
      'expected_servers',
      'lease_verdict',
      'write_restore_record',
      'wait_for',
      'aws_post',
      'put_metric',
      'put_server_metric',
      'fetch_verified',
      'refusal_count',
      'check_release_sums',
      'body_description',
      'refuse_unverified',
      'selinux_policy_from_image',
    ];
    expect(CLUSTER_LIB.match(/^[a-z_]+\(\) \{/gm)).toEqual(helpers.map((fn) => `${fn}() {`));
    for (const fn of helpers) expect(LIB).not.toContain(`${fn}() {`);
  });
});
