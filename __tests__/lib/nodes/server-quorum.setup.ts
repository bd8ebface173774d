// What server-quorum.test.ts and server-quorum.tools.test.ts share: the quorum check of a one-server deployment,
// synthesized with its condition as an output. Synthesizes only when called.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { ServerQuorum } from '../../../lib/nodes/server-quorum';
import { synthConstruct } from '../../helpers/synth';

export function synthQuorum() {
  let condition = { condition: '', errorMessage: '' };
  const { json } = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    condition = new ServerQuorum(stack, 'quorum', { deployment: 'rancher-rke-ha', servers: 1 }).condition;
    new TerraformOutput(stack, 'condition', { value: condition.condition });
  });
  return { json, condition };
}
