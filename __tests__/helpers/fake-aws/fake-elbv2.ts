import {
  InvalidConfigurationRequestException,
  LoadBalancerNotFoundException,
  type ModifyLoadBalancerAttributesCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** Elastic Load Balancing v2's load balancers and their attributes, in memory (README.md beside this file). */
export class FakeElbv2 {
  /** Each load balancer's attributes by ARN (`deletion_protection.enabled`: `true` or `false`). */
  readonly loadBalancers = new Map<string, Record<string, string>>();

  readonly handlers = {
    ModifyLoadBalancerAttributes: (input: ModifyLoadBalancerAttributesCommandInput) => {
      const attributes = this.loadBalancers.get(input.LoadBalancerArn ?? '');
      if (!attributes) throw new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: {} });
      for (const a of input.Attributes ?? []) {
        if (a.Key === 'deletion_protection.enabled' && !['true', 'false'].includes(a.Value ?? ''))
          throw new InvalidConfigurationRequestException({ message: `Invalid value '${a.Value}' for deletion_protection.enabled`, $metadata: {} });
        attributes[a.Key ?? ''] = a.Value ?? '';
      }
      return { Attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
