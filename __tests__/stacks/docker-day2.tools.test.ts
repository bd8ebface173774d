import type { SettingsInput } from '../../lib/config/schema';
import { DOCKER_STACK } from '../../app/stacks/docker';
import { refusals } from '../helpers/guard';
import { type TerraformJson } from '../helpers/synth';
import { synthSettings } from '../helpers/variants';
import { describeWithTerraform } from '../helpers/terraform';

/**
 * Day 2 of the docker stack: putting an ALB in front of a running Docker
 * install (docker.tls.mode external), and taking it away. The host is
 * replaced (its docker run arguments change, and the host is replaced on
 * user data changes), the data volume and the host's subnet are not, the
 * record is updated in place, and the guard refuses nothing.
 */
const synth = (input: SettingsInput): TerraformJson =>
  synthSettings(DOCKER_STACK, { hostname: 'rancher.example.com', hostedZone: 'example.com', ...input }).json;
const tls = (mode: 'rancher' | 'external', issuer: string, privateCA = false): SettingsInput =>
  ({ docker: { tls: { mode, issuer, privateCA } } }) as SettingsInput;

const SWITCHES: [string, SettingsInput, SettingsInput][] = [
  ["Let's Encrypt in the container to ACM at an ALB", tls('rancher', 'acme'), tls('external', 'acme')],
  ['your CA in the container to your CA at an ALB', tls('rancher', 'ca'), tls('external', 'ca')],
  ['your certificate (private CA) in the container to the ALB', tls('rancher', 'blank', true), tls('external', 'blank', true)],
  ["Rancher's own CA in the container to ACM at an ALB", tls('rancher', 'rancher'), tls('external', 'acme')],
  ['the ALB taken away again', tls('external', 'acme'), tls('rancher', 'acme')],
];

describeWithTerraform('docker day 2: the switch is not refused at plan time', () => {
  it.each(SWITCHES)('%s', (_name, before, after) => {
    expect(refusals(synth(before), synth(after))).toEqual([]);
  });
});
