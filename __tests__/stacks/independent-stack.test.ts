import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { SettingsInput } from '../../lib/config/schema';
import { STACK_IDS } from '../../lib/config/resource-names';
import { IndependentStack } from '../../app/stacks/independent-stack';
import { stackTerraform } from '../helpers/synth';
import { buildStack, mergeSettings, variantSettings } from '../helpers/variants';

/**
 * Every stack of one App (as main.ts builds them) as Terraform JSON text, with
 * each stack's own prepareStack (IndependentStack: the backend default only)
 * or with cdktf's (a preparing resolve of every element, which adds what a
 * reference into another stack needs).
 */
function synthApp(build: (app: App) => TerraformStack[], prepare: 'own' | "cdktf's"): string[] {
  // App makes its outdir when built; nothing is written there.
  const app = new App({ outdir });
  const stacks = build(app);
  for (const stack of stacks) {
    if (prepare === 'own') stack.prepareStack();
    else TerraformStack.prototype.prepareStack.call(stack);
  }
  return stacks.map((stack) => stackTerraform(stack).text);
}

let outdir: string;
beforeAll(() => (outdir = mkdtempSync(join(tmpdir(), 'rancher-independent-'))));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const appOf = (input: SettingsInput) => (app: App) => STACK_IDS.map((id) => buildStack(app, id, input));

describe('IndependentStack: the app stacks skip the preparing resolve, which finds nothing in them', () => {
  // The settings file's every section at once: the stacks of one App built from them refer to none of each other.
  const RICH = mergeSettings(
    variantSettings('rke-ha every security option, private nodes'),
    variantSettings('docker tls ca, SSH, audit log, proxy, air gap, restore'),
  );

  it.each([
    ['built-in defaults', {}],
    ['every security option, proxy, air gap, audit log, restore', RICH],
  ])("%s: each stack of the App is byte-identical with cdktf's own preparing pass", (_name, input) => {
    const own = synthApp(appOf(input), 'own');
    expect(own.map((text) => JSON.parse(text)['//'].metadata.stackName)).toEqual([...STACK_IDS]);
    expect(own).toEqual(synthApp(appOf(input), "cdktf's"));
  });

  it('would differ for a reference into another stack (the comparison above can fail)', () => {
    class Network extends IndependentStack {
      readonly vpcId: string;
      constructor(scope: App) {
        super(scope, 'network');
        new AwsProvider(this, 'aws', { region: 'eu-west-1' });
        this.vpcId = new Vpc(this, 'vpc', { cidrBlock: '10.0.0.0/16' }).id;
      }
    }
    class Consumer extends IndependentStack {
      constructor(scope: App, vpcId: string) {
        super(scope, 'consumer');
        new TerraformOutput(this, 'vpc', { value: vpcId });
      }
    }
    const build = (app: App) => {
      const network = new Network(app);
      return [network, new Consumer(app, network.vpcId)];
    };
    const [, own] = synthApp(build, 'own');
    const [, cdktf] = synthApp(build, "cdktf's");
    // cdktf reads the VPC through the other stack's state; without its pass, the reference names a resource the
    // consumer does not declare, which Terraform refuses.
    expect(JSON.parse(cdktf).data.terraform_remote_state).toBeDefined();
    expect(JSON.parse(own).output.vpc.value).toBe('${aws_vpc.vpc.id}');
    expect(own).not.toEqual(cdktf);
  });
});
