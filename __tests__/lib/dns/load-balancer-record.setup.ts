// What load-balancer-record.test.ts and load-balancer-record.tools.test.ts share: the construct synthesized with its
// target from a variable, and the lookup of its locals; the zone apex case, and its CNAME. Synthesizes only when called.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, TerraformVariable, type TerraformStack } from 'cdktf';
import { LoadBalancerRecord } from '../../../lib/dns/load-balancer-record';
import { resources, synthConstruct, type TerraformJson } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
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

/** The construct with record and zone names from variables, as the stacks pass them (the zone apex case). */
export const variableNamesRecord = () =>
  synth((stack) => {
    const target = new TerraformVariable(stack, 'target', { type: 'string' });
    const hostname = new TerraformVariable(stack, 'hostname', { type: 'string' });
    const zone = new TerraformVariable(stack, 'zone', { type: 'string' });
    new LoadBalancerRecord(stack, 'dns', { zoneName: zone.stringValue, recordName: hostname.stringValue, target: target.stringValue });
  }).json;

/** The CNAME record of a synthesized module. */
export const cname = (stackJson: TerraformJson) =>
  Object.entries(resources(stackJson, 'aws_route53_record')).find(([name]) => name.startsWith('dns_cname_'))![1];
