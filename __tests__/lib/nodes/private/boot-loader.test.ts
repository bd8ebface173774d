import { parse } from 'yaml';
import {
  BOOT_APPLIED_STAMP,
  BOOT_LOADER_PATH,
  BOOT_LOADER_UNIT,
  bootLoaderUserData,
  loaderProxyEnvironment,
  systemdQuoted,
} from '../../../../lib/nodes/private/boot-loader';
import { compressedUpperBound } from '../../../../lib/nodes/server-node';
import { BOOT_LOADER_UNIT as ROLL_READS, LOADER_GAVE_UP_STATUS, loaderGaveUp } from '../../../../cli/roll/boot-loader-state';

const PROXY: [string, string][] = [
  ['HTTP_PROXY', 'http://proxy.internal:3128'],
  ['HTTPS_PROXY', 'http://proxy.internal:3129'],
  [
    'NO_PROXY',
    'localhost,127.0.0.1,169.254.169.254,10.0.0.0/16,.svc,.corp.example,.amazonaws.com,s3.eu-west-1.amazonaws.com,*.s3.us-east-1.amazonaws.com',
  ],
];

describe('bootLoaderUserData', () => {
  const props = { url: 'https://demo-boot.s3.eu-west-1.amazonaws.com/server-0.yaml', region: 'eu-west-1', sha256: 'a'.repeat(64) };

  it('writes the loader root-only and a unit that runs it with the address, region and SHA-256 of the document', () => {
    const doc = parse(bootLoaderUserData(props));
    expect(Object.keys(doc)).toEqual(['write_files', 'runcmd']);
    expect(doc.write_files).toEqual([
      { path: BOOT_LOADER_PATH, owner: 'root:root', permissions: '0700', content: expect.stringMatching(/^#!\/bin\/bash\n/) },
      { path: `/etc/systemd/system/${BOOT_LOADER_UNIT}`, owner: 'root:root', permissions: '0644', content: expect.any(String) },
    ]);
    const unit = doc.write_files[1].content as string;
    expect(unit.split('\n').filter((line) => /^(ExecStart|Environment)=/.test(line))).toEqual([
      `ExecStart=${BOOT_LOADER_PATH} ${props.url} eu-west-1 ${'a'.repeat(64)}`,
    ]);
    // cloud-init's final stage starts it and goes on (runcmd runs once per instance; the unit, at every boot after).
    expect(doc.runcmd).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', '--no-block', BOOT_LOADER_UNIT],
    ]);
  });

  it('runs the loader at every boot until it has applied the document, again a minute after a failure, to the console too', () => {
    const unit = parse(bootLoaderUserData(props)).write_files[1].content as string;
    // A reboot starts it again (multi-user.target wants it) until the loader's stamp exists.
    expect(unit).toContain('\n[Install]\nWantedBy=multi-user.target\n');
    expect(unit).toContain(`\nConditionPathExists=!${BOOT_APPLIED_STAMP}\n`);
    expect(BOOT_APPLIED_STAMP).toBe('/var/lib/rancher/rancher-aws/boot-document-applied');
    // Not a oneshot: a reboot in a brownout does not hold multi-user.target while the loader retries.
    expect(unit).toContain('\nType=simple\n');
    expect(unit).toContain('\nRestart=on-failure\nRestartSec=60s\nRestartPreventExitStatus=78\n');
    // The unit and the status the roll reads to name a replacement whose loader gave up (cli/roll/boot-loader-state.ts).
    expect({ unit: ROLL_READS, status: LOADER_GAVE_UP_STATUS }).toEqual({ unit: BOOT_LOADER_UNIT, status: 78 });
    // What `aws ec2 get-console-output` shows.
    expect(unit).toContain('\nStandardOutput=journal+console\nStandardError=journal+console\n');
  });

  it("gives the loader the servers' proxy in the unit's environment, quoted for systemd", () => {
    const unit = parse(bootLoaderUserData({ ...props, proxyEnvironment: PROXY })).write_files[1].content as string;
    expect(unit.split('\n').filter((line) => line.startsWith('Environment='))).toEqual([
      'Environment="HTTPS_PROXY=http://proxy.internal:3129" "NO_PROXY=169.254.169.254,.amazonaws.com,s3.eu-west-1.amazonaws.com"',
    ]);
    expect(systemdQuoted('A=b%c"d\\e')).toBe('"A=b%%c\\"d\\\\e"');
    expect(() => systemdQuoted('A=b\nc')).toThrow(/newline/);
  });

  it('does not grow with the proxy exceptions: a thousand more entries leave it as it is', () => {
    const many: [string, string][] = PROXY.map(([k, v]) =>
      k === 'NO_PROXY' ? [k, `${v},${Array.from({ length: 1000 }, (_, i) => `host-${i}.corp.example`).join(',')}`] : [k, v],
    );
    expect(bootLoaderUserData({ ...props, proxyEnvironment: many })).toBe(bootLoaderUserData({ ...props, proxyEnvironment: PROXY }));
    // The loader, its unit and its console lines: about 3 KB of the 16 KiB (the stacks' size test holds half of it).
    expect(compressedUpperBound(bootLoaderUserData({ ...props, proxyEnvironment: many }))).toBeLessThan(3100);
  });
});

describe('loaderProxyEnvironment', () => {
  it("keeps HTTPS_PROXY, and of NO_PROXY the instance metadata and the entries that can match the bucket's S3 name", () => {
    expect(loaderProxyEnvironment(PROXY, 'eu-west-1')).toEqual([
      ['HTTPS_PROXY', 'http://proxy.internal:3129'],
      ['NO_PROXY', '169.254.169.254,.amazonaws.com,s3.eu-west-1.amazonaws.com'],
    ]);
  });

  it("matches China's S3 names under their own suffix", () => {
    const china: [string, string][] = [
      ['HTTPS_PROXY', 'http://proxy.internal:3129'],
      ['NO_PROXY', '.amazonaws.com,.amazonaws.com.cn'],
    ];
    expect(loaderProxyEnvironment(china, 'cn-north-1')).toEqual([
      ['HTTPS_PROXY', 'http://proxy.internal:3129'],
      ['NO_PROXY', '169.254.169.254,.amazonaws.com.cn'],
    ]);
  });

  it('keeps a bare * (no proxy for anything), and nothing without a proxy', () => {
    expect(
      loaderProxyEnvironment(
        [
          ['HTTPS_PROXY', 'http://p:1'],
          ['NO_PROXY', '*'],
        ],
        'eu-west-1',
      ),
    ).toEqual([
      ['HTTPS_PROXY', 'http://p:1'],
      ['NO_PROXY', '169.254.169.254,*'],
    ]);
    expect(loaderProxyEnvironment([], 'eu-west-1')).toEqual([]);
  });
});

describe("the roll's reading of a new server's loader (systemctl show, then the journal's last refusal)", () => {
  it('names a loader that gave up, with its reason; not one still retrying or applied', () => {
    const refused = 'rancher-aws-boot-loader: refusing the boot document: it is not a mapping; nothing was applied';
    expect(loaderGaveUp(`ActiveState=failed\nExecMainStatus=78\n${refused}\n`)).toBe(refused);
    expect(loaderGaveUp('ActiveState=failed\nExecMainStatus=78\n')).toContain('exited 78');
    // Retrying (active, or activating between two runs), applied (exit 0), a command of the document failing (exit 1, restarted).
    for (const output of [
      'ActiveState=active\nExecMainStatus=0\n',
      'ActiveState=activating\nExecMainStatus=1\n',
      'ActiveState=failed\nExecMainStatus=1\n',
    ])
      expect(loaderGaveUp(output)).toBeUndefined();
  });
});
