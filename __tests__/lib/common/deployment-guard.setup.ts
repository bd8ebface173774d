// What deployment-guard.test.ts and deployment-guard.tools.test.ts share: the guard's props for a VPC range and its
// synthesis.
import { DeploymentGuard, type DeploymentGuardProps } from '../../../lib/common/deployment-guard';
import { synthConstruct } from '../../helpers/synth';

export const props = (cidr: string, extra: Partial<DeploymentGuardProps> = {}): DeploymentGuardProps => ({
  recorded: [
    { setting: 'rkeHa.vpcCidr', value: cidr, procedure: 'A new range replaces the VPC and every server.' },
    { setting: 'name', value: 'rancher', procedure: 'Every resource name derives from it.' },
  ],
  ...extra,
});
export const synth = (p: DeploymentGuardProps) => synthConstruct((stack) => new DeploymentGuard(stack, 'deployment-guard', p)).json;
