/**
 * Modules a library user synthesizes (issue 33.1): the constructs under ids of their own, nested in a construct of
 * theirs, two deployments in two stacks of one app, and two in one stack. The app's stacks use the id `Default`,
 * which cdktf leaves out of every address; these do not.
 */
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { configureBaseProviders } from '../../lib/common/providers';
import { RancherOnDocker } from '../../lib/deployments/rancher-on-docker';
import { RancherOnRke } from '../../lib/deployments/rancher-on-rke';
import type { RancherOnRkeProps } from '../../lib/deployments/rancher-on-rke-props';
import { stackTerraform, unsynthesizedApp, type TerraformJson } from './synth';

const REGION = 'eu-west-1';

/** A user's stack: its own backend, providers and a bucket of its own beside the deployment(s). */
function userStack(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  configureBaseProviders(stack, { region: REGION, tags: { team: 'platform' } });
  new S3Bucket(stack, 'audit-exports', { bucketPrefix: 'audit-exports-' });
  return stack;
}

/** What the roll reads of a RancherOnRke, as docs/library.md has a stack output it. */
function rollOutputs(rancher: RancherOnRke): RancherOnRke {
  const stack = TerraformStack.of(rancher);
  new TerraformOutput(stack, 'kubeconfig', { value: rancher.kubeconfig, sensitive: true });
  new TerraformOutput(stack, 'servers_pending_replacement', { value: rancher.serversPendingReplacement });
  return rancher;
}

const rkeProps = (name: string, extra: Partial<RancherOnRkeProps> = {}): RancherOnRkeProps => ({
  name,
  hostname: `${name}.acme.io`,
  hostedZone: 'acme.io',
  adminCidrs: ['10.8.0.0/24'],
  region: REGION,
  ...extra,
});

/** The library modules the operations are tested on, each a stack's Terraform JSON by stack id. */
export const LIBRARY_MODULES = {
  /** docs/library.md's example: `new RancherOnRke(this, 'rancher', ...)`. */
  'id rancher': (app: App) => {
    rollOutputs(new RancherOnRke(userStack(app, 'platform'), 'rancher', rkeProps('acme')));
  },
  /** Inside a construct of the user's: `platform/rancher`. */
  nested: (app: App) => {
    rollOutputs(new RancherOnRke(new Construct(userStack(app, 'platform'), 'platform'), 'rancher', rkeProps('acme')));
  },
  'nested K3s': (app: App) => {
    rollOutputs(new RancherOnRke(new Construct(userStack(app, 'platform'), 'platform'), 'rancher', rkeProps('acme', { distribution: 'k3s' })));
  },
  /** Two stacks of one app, a deployment in each. */
  'two stacks': (app: App) => {
    rollOutputs(new RancherOnRke(userStack(app, 'eu'), 'rancher', rkeProps('eu')));
    rollOutputs(new RancherOnRke(userStack(app, 'backup-site'), 'site', rkeProps('site')));
  },
  /** Two deployments in one stack (one RancherOnRke per stack: the other a Docker install). */
  'two in one stack': (app: App) => {
    const stack = userStack(app, 'platform');
    rollOutputs(new RancherOnRke(stack, 'rancher', rkeProps('acme')));
    new RancherOnDocker(stack, 'demo', {
      name: 'demo',
      hostname: 'demo.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: ['10.8.0.0/24'],
      region: REGION,
    });
  },
} as const;

export type LibraryModule = keyof typeof LIBRARY_MODULES;

const synths = new Map<LibraryModule, Record<string, TerraformJson>>();

/** Every stack of the module's app, synthesized as `cdktf synth` does (prepared, validated), by stack id; once per file. */
export function synthLibrary(module: LibraryModule): Record<string, TerraformJson> {
  if (!synths.has(module)) {
    // Prepared and validated as App.synth does, in memory (as synthStack does for one stack).
    const app = unsynthesizedApp();
    LIBRARY_MODULES[module](app);
    const stacks = app.node.findAll().filter(TerraformStack.isStack);
    for (const stack of stacks) stack.prepareStack();
    for (const stack of stacks) stack.runAllValidations();
    synths.set(module, Object.fromEntries(stacks.map((s) => [s.node.id, stackTerraform(s).json])));
  }
  return synths.get(module)!;
}
