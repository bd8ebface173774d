import { NodeSandbox } from '../../helpers/node-sandbox';

// cli/rotate/rotate-encryption.sh, as `rotate <stack> encryption-key` sends it through SSM, run in a real bash on the server
// sandbox (NodeSandbox: boot-lib.sh and cluster-lib.sh as the servers get them, systemctl and rke2 stubs). The status
// texts are what `rke2 secrets-encrypt status` prints at RKE2 v1.35.7+rke2r1 (k3s pkg/cli/secretsencrypt Status: three
// lines, then the key table with the active key marked "*"; the same lines the upstream e2e test
// tests/e2e/secretsencryption matches). What the fake cloud's servers answer (fake-roll.js encryptionScript) is held
// to what this script prints.

const OLD = 'aescbckey-2026-01-01T00:00:00Z';
const NEW = 'aescbckey-2026-11-25T20:02:00Z';
const status = (stage: string, hashes: string, active: string, inactive?: string) =>
  [
    'Encryption Status: Enabled',
    `Current Rotation Stage: ${stage}`,
    `Server Encryption Hashes: ${hashes}`,
    '',
    'Active  Key Type  Name',
    '------  --------  ----',
    ` *      AES-CBC   ${active}`,
    ...(inactive ? [`        AES-CBC   ${inactive}`] : []),
    '',
  ].join('\n');

let b: NodeSandbox;
beforeEach(() => {
  b = new NodeSandbox({ AWS_REGION: 'eu-west-1', PARAMETER_PREFIX: '/rancher/rke-ha', NODE_NAME: 'ip-10-0-0-10', NODE_IP: '10.0.0.10' });
  b.write('active', 'rke2-server\n');
});
afterEach(() => b.dispose());

const script = (...args: string[]) => b.run({ file: 'cli/rotate/rotate-encryption.sh', args });
const asked = () => b.calls().filter((c) => /^(rke2 secrets-encrypt rotate-keys|systemctl restart)/.test(c));

it('status: the stage, the active key (not an inactive one), and the hashes line as printed; a supervisor down is a state (unknown), not a failure', () => {
  b.write('secrets-encrypt-status', status('reencrypt_active', 'hash does not match between ip-10-0-0-10 and ip-10-0-1-10', NEW, OLD));
  const line = script('status');
  expect(line.status).toBe(0);
  expect(line.output).toMatch(
    new RegExp(
      `^rotate-encryption enabled=yes stage=reencrypt_active active=${NEW} healthy=no hashes=hash does not match between ip-10-0-0-10 and ip-10-0-1-10$`,
      'm',
    ),
  );
  b.write('secrets-encrypt-status', 'Encryption Status: Disabled, no configuration file found\n');
  expect(script('status').output).toMatch(/^rotate-encryption enabled=none stage=none active=none /m);
  b.remove('secrets-encrypt-status');
  const down = script('status');
  expect(down.status).toBe(0);
  expect(down.output).toMatch(/^rotate-encryption enabled=unknown stage=unknown active=unknown healthy=no hashes=unknown$/m);
});

it('rotate: rotate-keys once from start with every hash matching; a rerun whose active key changed does not rotate again', () => {
  b.write('secrets-encrypt-status', status('start', 'All hashes match', OLD));
  b.write('rotate-keys-status', status('reencrypt_finished', 'hash does not match between ip-10-0-0-10 and ip-10-0-1-10', NEW));
  const first = script('rotate', OLD);
  expect(first.status).toBe(0);
  expect(first.output).toContain('rotate-encryption rotated=now');
  expect(asked()).toEqual(['rke2 secrets-encrypt rotate-keys']);
  const again = script('rotate', OLD);
  expect(again.status).toBe(0);
  expect(again.output).toContain('rotate-encryption rotated=already');
  expect(asked()).toHaveLength(1);
});

it('rotate: refused (exit 3, nothing asked) when the hashes do not match or the stage is not start or reencrypt_finished', () => {
  b.write('secrets-encrypt-status', status('reencrypt_finished', 'hash does not match between ip-10-0-0-10 and ip-10-0-2-10', OLD));
  const hashes = script('rotate', OLD);
  expect(hashes.status).toBe(3);
  expect(hashes.output).toContain('rotate-encryption refused=hashes hash does not match between ip-10-0-0-10 and ip-10-0-2-10');
  b.write('secrets-encrypt-status', status('prepare', 'All hashes match', OLD));
  const stage = script('rotate', OLD);
  expect(stage.status).toBe(3);
  expect(stage.output).toContain('rotate-encryption refused=stage prepare');
  expect(asked()).toEqual([]);
});

it('rotate: the client giving up (70 s) while the server re-encrypts counts as started; a failure that changed nothing fails', () => {
  b.write('secrets-encrypt-status', status('start', 'All hashes match', OLD));
  b.write('rotate-keys-fails', 'level=fatal msg="see server log for details: context deadline exceeded"\n');
  b.write('rotate-keys-status', status('reencrypt_active', 'All hashes match', NEW, OLD));
  const timedOut = script('rotate', OLD);
  expect(timedOut.status).toBe(0);
  expect(timedOut.output).toContain('rotate-encryption rotated=now');
  b.write('secrets-encrypt-status', status('start', 'All hashes match', OLD));
  b.remove('rotate-keys-status');
  const failed = script('rotate', OLD);
  expect(failed.status).toBe(1);
  expect(failed.output).toContain('rotate-keys failed: level=fatal msg="see server log for details: context deadline exceeded"');
});

it('restart: rke2-server restarted without waiting for it', () => {
  const result = script('restart');
  expect(result.output).toContain('rotate-encryption restart=asked');
  expect(asked()).toEqual(['systemctl restart --no-block rke2-server']);
});
