import { parseSettings } from '../../../../app/config/load';
import { proxySchema } from '../../../../lib/config/proxy-schema';
import { settingsProblems } from '../../../helpers/synth';

/** The problems `proxy: section` is refused with; [] when accepted. */
const problemsOf = (section: unknown, rest: Record<string, unknown> = {}) => settingsProblems({ ...rest, proxy: section });
const parsed = (section: Record<string, unknown>) => parseSettings({ proxy: section }, 'test').proxy;

const URL_MESSAGE = 'expected a proxy URL such as http://proxy.internal:3128 (no credentials, no quotes or spaces)';
const NO_PROXY_MESSAGE = 'expected a host name, .domain suffix, IP address or CIDR block';
const CIDR_MESSAGE = 'expected an IPv4 CIDR block such as 10.8.0.0/24 (no host bits set)';

describe('proxy settings', () => {
  it('default to no proxy, nothing added to NO_PROXY, egress open', () => {
    expect(parseSettings({}, 'test').proxy).toEqual({ noProxy: [], egressOnlyTo: [] });
    expect(proxySchema.parse(undefined)).toEqual({ noProxy: [], egressOnlyTo: [] });
  });

  it('leaves https unset when only http is given (the stacks fall back to http)', () => {
    expect(parsed({ http: 'http://proxy.internal:3128' })).toEqual({ http: 'http://proxy.internal:3128', noProxy: [], egressOnlyTo: [] });
  });

  describe.each(['http', 'https'])('%s', (key) => {
    it.each([
      'http://proxy.internal:3128',
      'https://proxy.internal:3129',
      'http://proxy',
      'http://10.0.0.5:3128',
      'http://[fd00::1]:3128',
      'http://proxy.internal:3128/',
      'http://proxy_1.internal:8080',
    ])('accepts %p', (url) => {
      expect(parsed({ [key]: url })).toMatchObject({ [key]: url });
    });

    it.each([
      ['credentials', 'http://user:secret@proxy.internal:3128'],
      ['a user name', 'http://user@proxy.internal:3128'],
      ['no scheme', 'proxy.internal:3128'],
      ['a SOCKS scheme', 'socks5://proxy.internal:1080'],
      ['an FTP scheme', 'ftp://proxy.internal'],
      ['double quotes', '"http://proxy.internal:3128"'],
      ['single quotes', "'http://proxy.internal:3128'"],
      ['a space', 'http://proxy.internal :3128'],
      ['a query', 'http://proxy.internal:3128/?x=1'],
      ['a shell character', 'http://proxy.internal:3128/$(id)'],
      ['no host', 'http://'],
    ])('refuses a URL with %s, naming the field and the allowed form', (_what, url) => {
      expect(problemsOf({ [key]: url })).toEqual([{ field: `proxy.${key}`, message: URL_MESSAGE, value: url }]);
    });
  });

  describe('noProxy', () => {
    it('accepts hosts, domain suffixes, wildcards, IPs and CIDRs (v4 and v6), kept in order', () => {
      const noProxy = ['.example.com', 'example.com', '*.internal', 'localhost', '192.168.1.7', '10.0.0.0/8', 'fd00::/8', 'host_1:8080'];
      expect(parsed({ noProxy }).noProxy).toEqual(noProxy);
    });

    it.each([
      ['a space', 'a b'],
      ['a comma (NO_PROXY is comma-joined: one entry a line)', 'a.com,b.com'],
      ['a semicolon', 'a.com;b.com'],
      ['quotes', '"example.com"'],
      ['empty', ''],
    ])('refuses an entry with %s, naming its position', (_what, entry) => {
      expect(problemsOf({ noProxy: ['ok.example.com', entry] })).toEqual([{ field: 'proxy.noProxy.1', message: NO_PROXY_MESSAGE, value: entry }]);
    });

    it('refuses a comma-separated string instead of a list', () => {
      expect(problemsOf({ noProxy: 'a.com,b.com' })).toEqual([{ field: 'proxy.noProxy', message: 'expected a list', value: 'a.com,b.com' }]);
    });
  });

  describe('egressOnlyTo', () => {
    const http = 'http://proxy.internal:3128';

    it('accepts CIDR blocks, kept in order', () => {
      const egressOnlyTo = ['10.20.0.0/16', '203.0.113.7/32', '192.168.0.0/24'];
      expect(parsed({ http, egressOnlyTo }).egressOnlyTo).toEqual(egressOnlyTo);
    });

    it('without a proxy, requires mirrors for the installer and the images (the stacks add the SSM and S3 endpoints)', () => {
      const problems = problemsOf({ egressOnlyTo: ['10.9.0.0/24'] });
      expect(problems).toEqual([
        {
          field: 'proxy.egressOnlyTo',
          message:
            'closes the nodes\' egress except to the VPC and these networks, and no proxy is set (proxy.http): the stacks then add VPC endpoints for SSM and S3, but downloads must come from mirrors inside those networks; set airGap.installerUrl (the RKE2/K3s installer and what it downloads) and airGap.systemDefaultRegistry (every system and Rancher image) and airGap.registryMirrors["quay.io"] (rke-ha installs cert-manager, whose images are on quay.io), or set proxy.http',
          value: ['10.9.0.0/24'],
        },
      ]);
      const mirrors = {
        installerUrl: 'https://mirror.internal/install.sh',
        systemDefaultRegistry: 'registry.internal:5000',
        registryMirrors: { 'quay.io': ['https://registry.internal:5000/quay'] },
      };
      expect(() => parseSettings({ proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: mirrors }, 'test')).not.toThrow();
      // cert-manager's images come from quay.io only where rke-ha installs it: not with issuer blank, nor with TLS at the load balancer.
      const { registryMirrors: _quay, ...noQuay } = mirrors;
      expect(() =>
        parseSettings({ proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: noQuay, rancher: { tls: { issuer: 'blank' } } }, 'test'),
      ).not.toThrow();
      expect(() => parseSettings({ proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: noQuay }, 'test')).toThrow(
        /airGap\.registryMirrors\["quay\.io"\]/,
      );
      // Let's Encrypt is on the internet.
      expect(
        problemsOf(
          { egressOnlyTo: ['10.9.0.0/24'] },
          { airGap: mirrors, rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } },
        ).map((p) => p.field),
      ).toEqual(['rancher.tls.issuer']);
      expect(problemsOf({ egressOnlyTo: ['10.9.0.0/24'] }, { airGap: mirrors, docker: { tls: { issuer: 'acme' } } }).map((p) => p.field)).toEqual([
        'docker.tls.issuer',
      ]);
      expect(() => parseSettings({ proxy: { https: http, egressOnlyTo: ['10.9.0.0/24'] } }, 'test')).not.toThrow();
      const oneMissing = problemsOf({ egressOnlyTo: ['10.9.0.0/24'] }, { airGap: { installerUrl: mirrors.installerUrl } })[0].message;
      expect(oneMissing).toMatch(
        /set airGap\.systemDefaultRegistry \(every system and Rancher image\) and airGap\.registryMirrors\["quay\.io"\] \(rke-ha installs cert-manager, whose images are on quay\.io\), or set proxy\.http$/,
      );
    });

    describe('the registry login, read from an AWS API the closed egress reaches only through the SSM endpoint', () => {
      const mirrors = {
        installerUrl: 'https://mirror.internal/install.sh',
        systemDefaultRegistry: 'registry.internal:5000',
        registryMirrors: { 'quay.io': ['https://registry.internal:5000/quay'] },
      };
      const closed = (registryCredentials: Record<string, string>, proxy: Record<string, unknown> = {}) =>
        problemsOf({ egressOnlyTo: ['10.9.0.0/24'], ...proxy }, { region: 'eu-west-1', airGap: { ...mirrors, registryCredentials } });
      const REGISTRY = 'registry.internal:5000';

      it('accepts an SSM parameter in the stack region, by name or ARN', () => {
        expect(closed({ registry: REGISTRY, ssmParameter: '/rancher/registry-login' })).toEqual([]);
        expect(closed({ registry: REGISTRY, ssmParameter: 'arn:aws:ssm:eu-west-1:210987654321:parameter/registry-login' })).toEqual([]);
      });

      it('refuses a Secrets Manager secret (no endpoint for it), and accepts it behind a proxy', () => {
        const secret = 'rancher/registry-login';
        expect(closed({ registry: REGISTRY, secretsManagerSecret: secret })).toEqual([
          {
            field: 'airGap.registryCredentials.secretsManagerSecret',
            message:
              "is read from Secrets Manager, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the stacks add VPC endpoints for SSM, not Secrets Manager; use ssmParameter (a SecureString), or set proxy.http",
            value: secret,
          },
        ]);
        expect(closed({ registry: REGISTRY, secretsManagerSecret: secret }, { http })).toEqual([]);
      });

      it('refuses an SSM parameter in another region (the endpoint serves its own)', () => {
        const arn = 'arn:aws:ssm:us-east-1:210987654321:parameter/registry-login';
        expect(closed({ registry: REGISTRY, ssmParameter: arn })).toEqual([
          {
            field: 'airGap.registryCredentials.ssmParameter',
            message:
              "is in us-east-1, and proxy.egressOnlyTo closes the nodes' egress without a proxy: the SSM endpoint the stacks add serves eu-west-1 only; use a parameter in eu-west-1, or set proxy.http",
            value: arn,
          },
        ]);
      });
    });

    it.each([
      ['host bits set', '10.20.0.1/16'],
      ['no prefix', '10.20.0.5'],
      ['a host name', 'proxy.internal'],
      ['a prefix above 32', '10.0.0.0/33'],
      ['IPv6', 'fd00::/8'],
    ])('refuses a block with %s, naming its position', (_what, block) => {
      expect(problemsOf({ http, egressOnlyTo: ['10.0.0.0/8', block] })).toEqual([
        { field: 'proxy.egressOnlyTo.1', message: CIDR_MESSAGE, value: block },
      ]);
    });
  });

  it('refuses an unknown key, listing the allowed keys', () => {
    expect(problemsOf({ no_proxy: ['x'] })).toEqual([
      { field: 'proxy.no_proxy', message: 'unknown setting; did you mean noProxy? allowed here: http, https, noProxy, egressOnlyTo' },
    ]);
  });

  it('reports every mistake of the section at once', () => {
    expect(
      problemsOf({ http: 'http://u:p@proxy:3128', https: 'proxy:3128', noProxy: ['a b', 'ok', 'x,y'], egressOnlyTo: ['10.0.0.1/8'] }).map(
        (p) => p.field,
      ),
    ).toEqual(['proxy.http', 'proxy.https', 'proxy.noProxy.0', 'proxy.noProxy.2', 'proxy.egressOnlyTo.0']);
  });
});
