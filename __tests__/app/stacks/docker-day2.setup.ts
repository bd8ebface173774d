// What docker-day2.test.ts and docker-day2.tools.test.ts share: the docker stack's synthesis and the TLS switches of a
// running install.
import type { SettingsInput } from '../../../app/config/settings-schema';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings, DOCKER_STACK } from '../../helpers/variants';

/**
 * Day 2 of the docker stack: putting an ALB in front of a running Docker
 * install (docker.tls.mode external), and taking it away. The host is
 * replaced (its docker run arguments change, and the host is replaced on
 * user data changes), the data volume and the host's subnet are not, the
 * record is updated in place, and the guard refuses nothing (a new CA for
 * the agents once accepted).
 */
export const synth = (input: SettingsInput): TerraformJson =>
  synthSettings(DOCKER_STACK, { hostname: 'rancher.example.com', hostedZone: 'example.com', ...input }).json;
export const tls = (mode: 'rancher' | 'external', issuer: string, privateCA = false): SettingsInput =>
  ({ docker: { tls: { mode, issuer, privateCA } } }) as SettingsInput;

export const SWITCHES: [string, SettingsInput, SettingsInput][] = [
  ["Let's Encrypt in the container to ACM at an ALB", tls('rancher', 'acme'), tls('external', 'acme')],
  ['your CA in the container to your CA at an ALB', tls('rancher', 'ca'), tls('external', 'ca')],
  ['your certificate (private CA) in the container to the ALB', tls('rancher', 'blank', true), tls('external', 'blank', true)],
  // A new CA for the agents, accepted (issue 32.6: refused without; __tests__/app/stacks/agent-trust.tools.test.ts).
  [
    "Rancher's own CA in the container to ACM at an ALB",
    tls('rancher', 'rancher'),
    { ...tls('external', 'acme'), rancher: { acceptAgentChange: { ca: 'public' } } } as SettingsInput,
  ],
  ['the ALB taken away again', tls('external', 'acme'), tls('rancher', 'acme')],
];
