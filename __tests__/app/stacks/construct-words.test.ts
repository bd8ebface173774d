import { TerraformStack } from 'cdktf';
import { parseSettings } from '../../../app/config/load';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';
import { constructWarnings } from '../../../lib/synth/warnings';
import { resources, synthStack, unsynthesizedApp } from '../../helpers/synth';
import { buildStack, synthSettings, DOCKER_STACK, RKE_HA_STACK } from '../../helpers/variants';

/**
 * The app's stacks map a settings file onto RancherOnRke and RancherOnDocker, which speak their own props' words
 * whoever built them: a settings-file user reads `architecture`, as a library user does, not `rkeHa.architecture`
 * (the prefix names the stack). Only messages: the guard's records keep the settings file's names.
 */
describe("the constructs' messages in the app's stacks name the construct's props", () => {
  const warnings = (stack: typeof RKE_HA_STACK | typeof DOCKER_STACK, input: Parameters<typeof buildStack>[2]) =>
    constructWarnings(buildStack(unsynthesizedApp(), stack, input));

  it("rke-ha: the servers' architecture, named as RancherOnRke's props name it", () => {
    expect(warnings(RKE_HA_STACK, { rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' } })).toContainEqual(
      expect.stringMatching(/^rke-ha: architecture arm64: Rancher's docs call running on arm64 experimental \(Rancher 2\.\d+ here\)/),
    );
  });

  it("docker: the host's architecture and the issuer, named as RancherOnDocker's props name them", () => {
    expect(warnings(DOCKER_STACK, { docker: { architecture: 'arm64', instanceType: 'm7g.large' } })).toEqual([
      expect.stringMatching(/^docker: architecture arm64: Rancher's docs call running on arm64 experimental \(Rancher 2\.\d+ here\)/),
    ]);
    expect(warnings(DOCKER_STACK, { dns: { mode: 'wildcard' }, docker: { tls: { issuer: 'acme' } } })).toEqual([
      expect.stringMatching(/^docker: tls\.issuer acme with dns\.mode wildcard: /),
    ]);
  });

  it("docker: the guard's downgrade refusal names dataVolume.restoreSnapshotId", () => {
    const { json } = synthSettings(DOCKER_STACK, {});
    const [[, guard]] = Object.entries(resources(json, 'terraform_data')).filter(([name]) => /^deployment-guard_[0-9A-F]{8}$/.test(name));
    const refusals = guard.lifecycle.precondition.map((p: { error_message: string }) => p.error_message);
    expect(refusals).toContainEqual(
      expect.stringContaining('Rancher is not downgraded (a downgrade is a restore: set dataVolume.restoreSnapshotId to '),
    );
    expect(refusals.filter((refusal: string) => refusal.includes('is not downgraded')).join('\n')).not.toContain('docker.dataVolume');
  });
});

// One mistake in the construct's words and in the settings file's, which refuses it before the construct sees it.
describe('RancherOnRke refuses at synth what a settings file would be refused, naming the prop', () => {
  it("names the props in its own words, whoever built them; a settings file is refused first, in the file's", () => {
    const build = (props: RancherOnRkeProps) => () =>
      synthStack((app) => {
        const stack = new TerraformStack(app, 'platform');
        configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
        new RancherOnRke(stack, 'rancher', props);
        return stack;
      });
    const props = { hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'], nodeCount: 2 as const };
    expect(build({ ...props })).toThrow(/- nodeCount: expected 1 or 3 with rke2/);
    expect(() => parseSettings({ rkeHa: { nodeCount: 2 } }, 'rancher.yaml')).toThrow(/- rkeHa\.nodeCount: expected 1 or 3 with rke2/);
  });
});
