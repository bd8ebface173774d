// What load-balancer-record.test.ts and load-balancer-record.tools.test.ts share: the construct synthesized with its
// target from a variable, and the lookup of its locals. Synthesizes only when called.
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformVariable, type TerraformStack } from 'cdktf';
import { LoadBalancerRecord } from '../../../lib/dns/load-balancer-record';
import { synthConstruct } from '../../helpers/synth';

export function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/** The construct with its target from a variable `target`, as a stack passes a plan-time value; `localName` finds its locals. */
export function variableTargetRecord() {
  const { json } = synth((stack) => {
    const target = new TerraformVariable(stack, 'target', { type: 'string' });
    new LoadBalancerRecord(stack, 'dns', { zoneName: 'example.com', recordName: 'rancher.example.com', target: target.stringValue });
  });
  const localName = (prefix: string) => Object.keys(json.locals ?? {}).find((name) => name.startsWith(`dns_${prefix}_`))!;
  return { json, localName };
}
