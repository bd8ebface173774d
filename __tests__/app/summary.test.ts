import type { StackOutput } from '../../lib/synth/stack-output';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_MINIMUM_NODE, synthSummary } from '../../app/summary';
import { VERSION } from '../../lib/synth/version';

const output = (stack: string, variables: StackOutput['variables'], base = '/project/cdktf.out'): StackOutput => ({
  stack,
  directory: `${base}/stacks/${stack}`,
  file: `${base}/stacks/${stack}/cdk.tf.json`,
  variables,
});

describe('synthSummary', () => {
  it('lists the stacks and suggests the next commands, with -var for each required variable', () => {
    const text = synthSummary(
      [output('rke-ha', { rancher_hostname: {}, route53_zone_name: {}, admin_cidrs: { default: [] } }), output('docker', {})],
      'json',
      'rancher.yaml',
      '/project',
    );
    expect(text).toBe(
      [
        'Settings: rancher.yaml',
        `rancher-ha-aws ${VERSION}: 2 Terraform root modules (cdk.tf.json, Terraform >= 1.10):`,
        '  rke-ha  cdktf.out/stacks/rke-ha',
        '  docker  cdktf.out/stacks/docker',
        "Next: npm run cdktf -- deploy rke-ha, or plain Terraform in the stack's folder:",
        "  cd cdktf.out/stacks/rke-ha && terraform init && terraform plan -var 'rancher_hostname=rancher.<your zone>' -var 'route53_zone_name=<your Route53 zone>'",
        "adminCidrs is empty (rke-ha): each plan admits this machine's public address, as https://checkip.amazonaws.com answers it, to the Kubernetes API and SSH.",
        "  Behind a NAT with several public addresses (a pool) that is one of them at random: set adminCidrs to the NAT's range (the plan stops if two lookups differ).",
        '',
      ].join('\n'),
    );
  });

  it("offers the CLI's deploy only on a Node.js cdktn-cli runs on; below it, plain Terraform, naming both versions", () => {
    const next = (node: string) => synthSummary([output('docker', {})], 'json', 'rancher.yaml', '/project', node).split('\n')[3];
    expect(next('22.19.0')).toBe("Next: npm run cdktf -- deploy docker, or plain Terraform in the stack's folder:");
    expect(next('26.12.1')).toBe("Next: npm run cdktf -- deploy docker, or plain Terraform in the stack's folder:");
    expect(next('22.18.0')).toBe("Next: plain Terraform in the stack's folder (npm run cdktf needs Node.js >= 22.19.0; this is 22.18.0):");
    expect(next('20.20.2')).toBe("Next: plain Terraform in the stack's folder (npm run cdktf needs Node.js >= 22.19.0; this is 20.20.2):");
  });

  it("holds the lowest Node.js it offers the CLI on to the one cdktn-cli's package declares (scripts/cdktf.js refuses below it)", () => {
    const cli = JSON.parse(readFileSync(join(__dirname, '..', '..', 'node_modules', 'cdktn-cli', 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(cli.engines.node).toBe(`>=${CLI_MINIMUM_NODE}`);
  });

  it('needs no -var when the settings gave every default, and names secrets to set from the environment', () => {
    const text = synthSummary(
      [output('rke-ha', { rancher_hostname: { default: 'rancher.acme.io' }, tls_certificate_pem: { sensitive: true } })],
      'hcl',
      undefined,
      '/project',
    );
    expect(text).toContain('Settings: none read (no rancher.yaml here, RANCHER_CONFIG unset): every default\n');
    expect(text).toContain('1 Terraform root module (cdk.tf, Terraform >= 1.10):');
    expect(text).toContain('terraform init && terraform plan\n  (with TF_VAR_tls_certificate_pem set from your secret store)\n');
  });

  it('says, when admin networks are set on a stack that checks them, that this machine must be inside them and each plan warns', () => {
    const variables = { admin_cidrs: { default: ['10.8.0.0/24', '81.2.69.7/32'] }, check_deployer_address: { default: true } };
    const text = synthSummary([output('rke-ha', variables), output('docker', { admin_cidrs: { default: ['10.8.0.0/24'] } })], 'json', '/project');
    expect(text).toContain(
      'adminCidrs is set (rke-ha): the apply reaches the Kubernetes API (6443) from this machine, so its public address must be inside 10.8.0.0/24, 81.2.69.7/32;\n' +
        '  each plan looks it up (https://checkip.amazonaws.com) and warns when it is not (check_deployer_address = false: no lookup).\n',
    );
    // docker's admin networks hold SSH only: its apply waits for nothing through them.
    expect(text).not.toContain('adminCidrs is set (docker)');
    expect(text).not.toContain('adminCidrs is empty');
  });

  it('shows an output directory outside the working directory as an absolute path', () => {
    expect(synthSummary([output('docker', {}, '/elsewhere/out')], 'json', 'rancher.yaml', '/project')).toContain(
      '  docker  /elsewhere/out/stacks/docker\n',
    );
  });
});
