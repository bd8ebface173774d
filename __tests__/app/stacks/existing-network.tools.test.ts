import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { DOCKER_STACK } from '../../../app/stacks/docker';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { refusals } from '../../helpers/guard';
import { failedChecks } from '../../helpers/plan-checks';
import { LB, NETWORK, NODES, VPC } from '../../helpers/sample-network';
import { evaluate, expressionOf, unparsableTemplates } from '../../helpers/terraform';
import { lintYaml } from '../../helpers/validators';
import { only, resources, userDataOf } from '../../helpers/synth';
import { synthSettings, variantSettings } from '../../helpers/variants';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';

/**
 * The stacks in an existing VPC (rkeHa.existingNetwork, docker.existingNetwork):
 * nothing of the network is created, everything else lands on the given
 * subnets, and the plan-time checks pass on a healthy network.
 */

// Variants the root-module checks synthesize too: one synth serves both.
const RKE_EXISTING = variantSettings('rke-ha existing network');
const K3S_PROXY = variantSettings('rke-ha existing network, k3s, proxy with closed egress, host 20');
const DOCKER_EXISTING = variantSettings('docker existing network, proxy with closed egress');

const rke = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input).json;
const docker = (input: SettingsInput) => synthSettings(DOCKER_STACK, input).json;

describe('rke-ha in an existing VPC', () => {
  const json = rke(RKE_EXISTING);
  const servers = Object.entries(resources(json, 'aws_instance')).sort(([a], [b]) => a.localeCompare(b, 'en'));

  it('renders user data that cloud-init, yamllint and shellcheck accept', () => {
    const rendered = renderTemplate(userDataOf(json, servers[1][1]), placeholderValue);
    expect(validateCloudConfig(rendered).map((f) => f.path)).toContain('/etc/rancher/bootstrap.env');
  });

  describe('evaluated by terraform on a healthy shared VPC', () => {
    it('passes every data-source check and the zone checks', () => {
      expect(failedChecks(json, NETWORK, { resources: (n) => n.startsWith('network_checks') })).toEqual([]);
    });

    it('passes the deployment guard on the first plan (no server runs yet)', () => {
      expect(refusals(json, json, NETWORK)).toEqual([]);
    });
  });
});

describe('rke-ha single server in an existing VPC, TLS at an ALB', () => {
  // As existing-network.test.ts has it: one synth serves both.
  const json = rke({
    rkeHa: { nodeCount: 1, existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB.slice(0, 2), nodeSubnetIds: NODES.slice(0, 1) } },
    rancher: { tls: { mode: 'external', issuer: 'acme' } },
  });

  it("Traefik trusts the ALB subnets' ranges terraform reads at plan time; its values parse, as HCL and as YAML yamllint accepts", () => {
    expect(unparsableTemplates(json)).toEqual([]);
    const rancher = Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher');
    // The load balancer subnets' data sources, answered as the sample network would.
    const subnets = json.data!.aws_subnet as Record<string, { id: string }>;
    const expression = expressionOf(rancher.values[0]).replace(/data\.aws_subnet\.([A-Za-z0-9_-]+)\.cidr_block/g, (_, name: string) =>
      JSON.stringify(NETWORK.subnets[subnets[name].id].cidr_block),
    );
    const values = evaluate(`yamldecode(${expression})`, { rancher_hostname: 'rancher.example.com' }) as {
      extraObjects: { kind: string; spec: { valuesContent: string } }[];
    };
    const traefik = values.extraObjects.find((o) => o.kind === 'HelmChartConfig')!.spec.valuesContent;
    expect(parse(traefik).ports.web.forwardedHeaders.trustedIPs).toEqual(LB.slice(0, 2).map((id) => NETWORK.subnets[id].cidr_block));
    expect(lintYaml([traefik])).toEqual([{ status: 0, output: '' }]);
  });
});

describe('rke-ha k3s in an existing VPC, proxy with closed egress', () => {
  const json = rke(K3S_PROXY);

  it('passes its plan-time checks on the shared VPC', () => {
    expect(failedChecks(json, NETWORK, { resources: (n) => n.startsWith('network_checks') })).toEqual([]);
  });
});

describe('docker in an existing VPC', () => {
  const json = docker(DOCKER_EXISTING);
  const [, host] = only(json, 'aws_instance');

  it('renders user data that cloud-init, yamllint and shellcheck accept', () => {
    const rendered = renderTemplate(userDataOf(json, host), placeholderValue);
    const files = validateCloudConfig(rendered);
    expect(parse(rendered)).toHaveProperty('write_files');
    expect(files.length).toBeGreaterThan(3);
  });

  describe('evaluated by terraform', () => {
    const zone = NETWORK.subnets[LB[0]].availability_zone;
    it('passes the subnet checks, and the guard before the first apply', () => {
      expect(failedChecks(json, NETWORK)).toEqual([]);
      expect(refusals(json, json, NETWORK)).toEqual([]);
    });

    it("keeps the host in its data volume's zone: another zone is refused before a new, empty volume is made", () => {
      expect(refusals(json, json, { ...NETWORK, volumes: [{ id: 'vol-1', zone }] })).toEqual([]);
      expect(refusals(json, json, { ...NETWORK, volumes: [{ id: 'vol-1', zone: 'us-east-1f' }] })).toEqual([
        expect.stringContaining(
          `existingNetwork.subnet ${LB[0]} is in zone ${zone}, and this deployment's data volume (Rancher's data) is in another one`,
        ),
      ]);
    });
  });
});
