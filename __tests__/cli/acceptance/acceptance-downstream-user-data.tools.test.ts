import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOWNSTREAM_K3S, downstreamUserData } from '../../../cli/acceptance/acceptance-downstream';
import { recordedRelease } from '../../../lib/config/release-sums';
import { runBounded } from '../../helpers/subprocess';

// The downstream instance installs K3s as the servers do: the installer and the binary each checked against the
// recorded SHA-256 before anything runs. Run for real in sh with a curl that serves given files, the real sha256sum,
// and an `install` that copies into the sandbox.
const release = recordedRelease('k3s', DOWNSTREAM_K3S)!;
const INSTALLER = '#!/bin/sh\necho "installer $INSTALL_K3S_VERSION skip=$INSTALL_K3S_SKIP_DOWNLOAD $*" >"$SANDBOX/ran"\n';
const BINARY = 'k3s binary\n';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'downstream-user-data-'));
  mkdirSync(join(dir, 'bin'));
  // curl -sfL --retry 5 --retry-all-errors -o <file> <url>: the file served for the URL.
  writeFileSync(
    join(dir, 'bin', 'curl'),
    `#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\ncase "$3" in\n  *install.sh) printf '%s' '${INSTALLER.replaceAll("'", "'\\''")}' >"$2" ;;\n  */k3s) printf '%s' '${BINARY}' >"$2" ;;\n  *) exit 22 ;;\nesac\n`,
    { mode: 0o755 },
  );
  writeFileSync(join(dir, 'bin', 'install'), `#!/bin/sh\necho "install $*" >>"$SANDBOX/installed"\n`, { mode: 0o755 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runUserData = (text: string) =>
  runBounded('sh', ['-c', text], { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, SANDBOX: dir, TMPDIR: dir } });

describe('the downstream instance user data', () => {
  it('passes shellcheck as POSIX sh, and names the pinned installer and release file with their recorded sums', () => {
    const text = downstreamUserData();
    const check = runBounded('shellcheck', ['-s', 'sh', '-'], { input: text });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
    expect(text).toContain(release.installer.url);
    expect(text).toContain(release.installer.sha256);
    expect(text).toContain(`https://github.com/k3s-io/k3s/releases/download/${DOWNSTREAM_K3S.replace('+', '%2B')}/k3s`);
    expect(text).toContain(release.artifacts.amd64!.sha256);
    expect(text).not.toMatch(/get\.k3s\.io|\|\s*sh\b/);
  });

  it('installs when both files have their sums, the installer downloading nothing', () => {
    const text = downstreamUserData().replace(release.installer.sha256, sha(INSTALLER)).replace(release.artifacts.amd64!.sha256, sha(BINARY));
    const result = runUserData(text);
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'installed'), 'utf8')).toMatch(/^install -m 0755 \S+\/k3s \/usr\/local\/bin\/k3s\n$/);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe(`installer ${DOWNSTREAM_K3S} skip=true server --write-kubeconfig-mode 0600\n`);
  });

  it('refuses a file whose sum is not the recorded one: nothing installed, the installer never run', () => {
    const result = runUserData(downstreamUserData());
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/FAILED|did NOT match/);
    expect(existsSync(join(dir, 'installed'))).toBe(false);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
