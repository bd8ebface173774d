import { parse } from 'yaml';
import { BOOT_LOADER_PATH, bootLoaderUserData, loaderProxyEnvironment } from '../../../../lib/nodes/private/boot-loader';
import { compressedUpperBound } from '../../../../lib/nodes/server-node';

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

  it('writes the loader root-only and runs it once with the address, region and SHA-256 of the document', () => {
    const doc = parse(bootLoaderUserData(props));
    expect(Object.keys(doc)).toEqual(['write_files', 'runcmd']);
    expect(doc.write_files).toEqual([
      { path: BOOT_LOADER_PATH, owner: 'root:root', permissions: '0700', content: expect.stringMatching(/^#!\/bin\/bash\n/) },
    ]);
    expect(doc.runcmd).toEqual([[BOOT_LOADER_PATH, props.url, 'eu-west-1', 'a'.repeat(64)]]);
  });

  it('does not grow with the proxy exceptions: a thousand more entries leave it as it is', () => {
    const many: [string, string][] = PROXY.map(([k, v]) =>
      k === 'NO_PROXY' ? [k, `${v},${Array.from({ length: 1000 }, (_, i) => `host-${i}.corp.example`).join(',')}`] : [k, v],
    );
    expect(bootLoaderUserData({ ...props, proxyEnvironment: many })).toBe(bootLoaderUserData({ ...props, proxyEnvironment: PROXY }));
    expect(compressedUpperBound(bootLoaderUserData({ ...props, proxyEnvironment: many }))).toBeLessThan(3000);
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
