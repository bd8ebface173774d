import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, runTool, validateCloudConfig } from './validators';

/** The validators themselves: a check that cannot fail proves nothing. */
describe('validateCloudConfig', () => {
  const userData = (files: { path: string; content: string }[]) =>
    [
      '#cloud-config',
      'write_files:',
      ...files.flatMap((f) => [`  - path: ${f.path}`, "    permissions: '0644'", '    content: |', ...f.content.trimEnd().split('\n').map((line) => `      ${line}`)]),
    ].join('\n') + '\n';

  const good = { path: '/usr/local/sbin/good.sh', content: '#!/bin/bash\nset -euo pipefail\necho "ok"\n' };

  it('accepts a clean document and returns its files', () => {
    expect(validateCloudConfig(userData([good])).map((f) => f.path)).toEqual([good.path]);
  });

  it('names a script shellcheck objects to, even beside a script it already passed', () => {
    const bad = { path: '/usr/local/sbin/bad.sh', content: '#!/bin/bash\necho $UNQUOTED\n' };
    expect(() => validateCloudConfig(userData([good, bad]))).toThrow(/(?=[\s\S]*bad\.sh)(?=[\s\S]*SC2086)/);
  });

  it('names a written YAML file yamllint objects to', () => {
    const bad = { path: '/etc/rancher/bad.yaml', content: 'key:  value\nkey: again\n' };
    expect(() => validateCloudConfig(userData([bad]))).toThrow(/(?=[\s\S]*bad\.yaml)(?=[\s\S]*key-duplicates)/);
  });

  it('refuses a document cloud-init does not accept', () => {
    expect(() => validateCloudConfig('#cloud-config\nwrite_files: 3\n')).toThrow();
  });
});

/**
 * cloud-init and yamllint answer through validator-server.py (their entry
 * points, imported once for the run): what it says must be what the installed
 * command says, word for word and exit status alike, or the checks above prove
 * less than they claim.
 */
describe('the validator server', () => {
  // tool, arguments before the file, the file, and whether the tool objects to it.
  const cases = [
    ['cloud-init', ['schema', '--config-file'], '#cloud-config\npackages: [curl]\n', false],
    ['cloud-init', ['schema', '--config-file'], '#cloud-config\npackages: 3\nruncmd: {}\n', true],
    ['yamllint', ['-f', 'parsable', '--strict'], '---\nkey: value\n', false],
    ['yamllint', ['-f', 'parsable', '--strict'], 'key:  value\nkey: again\n', true],
  ] as const;

  it('runs for this test run (global-setup.js starts it wherever cloud-init is installed)', () => {
    expect(process.env.RANCHER_TEST_VALIDATOR_SOCKET).toBeDefined();
  });

  it.each(cases.map(([tool, args, text, objects], i) => [i, tool, args, text, objects] as const))('case %i: %s answers as the command does', (_i, tool, args, text, objects) => {
    const dir = mkdtempSync(join(tmpdir(), 'rancher-served-'));
    try {
      const file = join(dir, 'file.yaml');
      writeFileSync(file, text);
      const served = runTool(tool, [...args, file]);
      expect(served).toEqual(runCommand(tool, [...args, file]));
      expect(served.status !== 0).toBe(objects);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
