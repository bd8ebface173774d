import { ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/** Turns a load balancer's deletion protection off; false when there is no such load balancer. */
export async function liftLoadBalancerProtection(clients: AwsClients, arn: string): Promise<boolean> {
  try {
    await clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'LoadBalancerNotFoundException', 'LoadBalancerNotFound')) return false;
    throw error;
  }
}
