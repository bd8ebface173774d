import { lintYaml, validateCloudConfig } from './validators';

/** The validators themselves: a check that cannot fail proves nothing. */
describe('validateCloudConfig', () => {
  const userData = (files: { path: string; content: string }[]) =>
    [
      '#cloud-config',
      'write_files:',
      ...files.flatMap((f) => [
        `  - path: ${f.path}`,
        "    permissions: '0644'",
        '    content: |',
        ...f.content
          .trimEnd()
          .split('\n')
          .map((line) => `      ${line}`),
      ]),
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

describe('lintYaml', () => {
  it('passes clean YAML and names what yamllint objects to in the other, each text on its own', () => {
    const [clean, bad] = lintYaml(['ports:\n  web:\n    hostPort: 80\n', 'extraObjects:\n  - {"a":1,"b":2}\n']);
    expect(clean).toEqual({ status: 0, output: '' });
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/too few spaces after comma \(commas\)/);
  });
});
