import { DRILL_STANDBY, standbySettingsProblem } from '../../../cli/shared/standby';

// What production's settings carry into a deployment in the standby region (docs/standby.md, "Production's settings
// there"): a value that names one region's object by ARN is refused up front, naming the field, the value and
// the fix; a name, which the servers look up in their own region, is carried.

const FAILOVER = { ...DRILL_STANDBY, prefix: 'FAILOVER' as const, lead: 'failover', starts: 'the standby deployment in <region>' };
const settings = (registryCredentials: Record<string, string>) => ({
  name: 'rancher',
  region: 'eu-west-1',
  standby: { region: 'us-west-2' },
  airGap: { systemDefaultRegistry: 'registry.internal:5000', registryCredentials: { registry: 'registry.internal:5000', ...registryCredentials } },
});

describe("production's settings in the standby region", () => {
  it.each([
    ['ssmParameter', 'arn:aws:ssm:eu-west-1:123456789012:parameter/rancher/registry-login', 'SSM SecureString parameter'],
    ['secretsManagerSecret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rancher/registry-login-AbCdEf', 'a replica of the secret'],
  ])("refuses airGap.registryCredentials.%s by an ARN of production's region, naming field, value and fix", (field, value, store) => {
    const problem = standbySettingsProblem(settings({ [field]: value }), 'rancher.yaml', FAILOVER);
    expect(problem?.code).toBe('FAILOVER_STANDBY_REGION_BOUND');
    expect(problem?.message).toContain(`airGap.registryCredentials.${field} ${value} names an object of eu-west-1, production's region`);
    expect(problem?.message).toContain('the standby deployment in us-west-2');
    expect(problem?.message).toContain('without its ARN');
    expect(problem?.message).toContain(store);
    expect(standbySettingsProblem(settings({ [field]: value }), 'rancher.yaml')?.code).toBe('DRILL_STANDBY_REGION_BOUND');
  });

  it("carries a name (looked up in the servers' own region) and an ARN of another region than production's", () => {
    expect(standbySettingsProblem(settings({ ssmParameter: '/rancher/registry-login' }), 'rancher.yaml', FAILOVER)).toBeUndefined();
    expect(standbySettingsProblem(settings({ secretsManagerSecret: 'rancher/registry-login' }), 'rancher.yaml', FAILOVER)).toBeUndefined();
    const inStandby = 'arn:aws:ssm:us-west-2:123456789012:parameter/rancher/registry-login';
    expect(standbySettingsProblem(settings({ ssmParameter: inStandby }), 'rancher.yaml', FAILOVER)).toBeUndefined();
    const third = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rancher/registry-login-AbCdEf';
    expect(standbySettingsProblem(settings({ secretsManagerSecret: third }), 'rancher.yaml', FAILOVER)).toBeUndefined();
  });

  it("refuses a pinned image where rke-ha starts in the standby region, not for k8s-ha's failover, which starts no server there", () => {
    const pinned = { name: 'rancher', region: 'eu-west-1', standby: { region: 'us-west-2' }, rkeHa: { amiId: 'ami-0123456789abcdef0' } };
    expect(standbySettingsProblem(pinned, 'rancher.yaml', FAILOVER)?.code).toBe('FAILOVER_STANDBY_IMAGE_PINNED');
    expect(standbySettingsProblem(pinned, 'rancher.yaml', FAILOVER, 'k8s-ha')).toBeUndefined();
    // The drill's throwaway is rke-ha whatever production's stack.
    expect(standbySettingsProblem(pinned, 'rancher.yaml')?.code).toBe('DRILL_STANDBY_IMAGE_PINNED');
  });

  it.each([
    ["production's own region", 'eu-west-1', "is the deployment's own region (region eu-west-1)"],
    [
      'a region of another partition',
      'cn-north-1',
      "is in partition aws-cn, and the deployment's region eu-west-1 in aws: S3 replicates within one partition only",
    ],
  ])('refuses a standby in %s as the synth does, before any state is read (the dry runs too)', (_what, standby, words) => {
    const problem = standbySettingsProblem({ name: 'rancher', region: 'eu-west-1', standby: { region: standby } }, 'rancher.yaml', FAILOVER);
    expect(problem?.code).toBe('FAILOVER_STANDBY_REGION_REFUSED');
    expect(problem?.message).toContain(`failover: rancher.yaml sets standby.region ${standby}, which ${words}`);
    // The same words as the settings' rule, which the synth runs (lib/config/standby-rules.ts).
    expect(problem?.message).toContain('or remove standby.region');
    // No region set: production is in the default region, us-east-1.
    expect(standbySettingsProblem({ standby: { region: 'us-east-1' } }, 'rancher.yaml')?.code).toBe('DRILL_STANDBY_REGION_REFUSED');
  });

  it('carries the region-neutral sections as they are: proxy, registries, VPC endpoints and flow logs', () => {
    const neutral = {
      name: 'rancher',
      region: 'eu-west-1',
      standby: { region: 'us-west-2' },
      proxy: { http: 'http://proxy.internal:3128', egressOnlyTo: ['10.0.0.0/8'] },
      airGap: { systemDefaultRegistry: 'registry.internal:5000' },
      vpc: { endpoints: ['s3', 'kms'], flowLogs: { destination: 'cloudwatch' } },
    };
    expect(standbySettingsProblem(neutral, 'rancher.yaml', FAILOVER)).toBeUndefined();
  });
});
