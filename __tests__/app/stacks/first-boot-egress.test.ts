import type { TerraformJson } from '../../helpers/synth';
import { resources } from '../../helpers/synth';
import { STACK_VARIANTS, synthSettings } from '../../helpers/variants';

/**
 * Issue 20.5: a server's bootstrap needs the internet (or its VPC endpoints)
 * from its first boot; every instance of every variant waits, in its own
 * `depends_on`, for what its egress is made of in that variant.
 */
const withInstances = STACK_VARIANTS.map((variant) => ({ variant, json: synthSettings(variant.stack, variant.settings).json })).filter(
  ({ json }) => Object.keys(resources(json, 'aws_instance')).length > 0,
);

const addresses = (json: TerraformJson, type: string, named: (name: string) => boolean = () => true) =>
  Object.keys(resources(json, type))
    .filter(named)
    .map((name) => `${type}.${name}`);
/** The subnet an instance is in, by the address of its subnet reference. */
const subnetOf = (instance: { subnet_id: string }) => /\$\{aws_subnet\.([^.]+)\.id\}/.exec(instance.subnet_id)?.[1];

describe('instances wait for their egress (every variant with instances)', () => {
  it('covers the variants with a created network, private nodes and endpoints', () => {
    expect(withInstances.length).toBeGreaterThanOrEqual(15);
  });

  it.each(withInstances.map(({ variant, json }) => [variant.name, json] as const))('%s', (_, json) => {
    const instances = Object.values(resources(json, 'aws_instance'));
    const endpoints = addresses(json, 'aws_vpc_endpoint');
    for (const instance of instances) {
      const waits = new Set<string>(instance.depends_on ?? []);
      const missing = (wanted: string[]) => wanted.filter((a) => !waits.has(a));
      // A created network: the internet gateway and the public default route.
      expect(
        missing([...addresses(json, 'aws_internet_gateway'), ...addresses(json, 'aws_route', (n) => n.startsWith('network_default-route'))]),
      ).toEqual([]);
      // VPC endpoints (vpc.endpoints), when the variant has them.
      expect(missing(endpoints)).toEqual([]);
      const subnet = subnetOf(instance);
      if (subnet?.startsWith('private-subnets_private-')) {
        // Private nodes: their subnet's NAT route and association, and the NAT gateway behind the route.
        const index = /private-subnets_private-(\d+)_/.exec(subnet)![1];
        const route = addresses(json, 'aws_route', (n) => n.startsWith(`private-subnets_private-${index}-default-route_`));
        expect(route).toHaveLength(1);
        const gateway = /aws_nat_gateway\.([^.]+)\.id/.exec(resources(json, 'aws_route')[route[0].split('.')[1]].nat_gateway_id)![1];
        expect(
          missing([
            ...route,
            `aws_nat_gateway.${gateway}`,
            ...addresses(json, 'aws_route_table_association', (n) => n.startsWith(`private-subnets_private-${index}-association_`)),
          ]),
        ).toEqual([]);
      } else if (subnet?.startsWith('network_public-')) {
        // Public nodes: their subnet's association with the public route table.
        const index = /network_public-(\d+)_/.exec(subnet)![1];
        expect(missing(addresses(json, 'aws_route_table_association', (n) => n.startsWith(`network_public-${index}-routes_`)))).toEqual([]);
      }
    }
  });
});
