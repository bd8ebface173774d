// Issue 32.6: a change of Rancher's name or of the CA downstream agents trust is refused at plan time on every stack,
// unless rancher.acceptAgentChange names exactly the new value. The guard's preconditions are evaluated by terraform
// (terraform console) on pairs of synthesized modules: before (what the records hold) and after (the settings now).
import { createHash } from 'node:crypto';
import { DOCKER_STACK } from '../../../app/stacks/docker';
import { K8S_HA_STACK } from '../../../app/stacks/k8s-ha';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusalsEach } from '../../helpers/guard';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings, type StackName } from '../../helpers/variants';

// Two CA certificates as the tls_ca_certificate_pem variable would carry them (public text; only their hash is compared).
const CA_A = '-----BEGIN CERTIFICATE-----\nMIIBfirstCA\n-----END CERTIFICATE-----\n';
const CA_B = '-----BEGIN CERTIFICATE-----\nMIIBsecondCA\n-----END CERTIFICATE-----\n';
const privateCa = (pem: string) => `private-ca sha256:${createHash('sha256').update(pem).digest('hex')}`;

/** The stack for the settings, with the CA variable's value given as a plan would get it. */
function synth(stack: StackName, input: SettingsInput, ca?: string): TerraformJson {
  const json = synthSettings(stack, input).json;
  if (ca !== undefined && json.variable?.tls_ca_certificate_pem)
    json.variable.tls_ca_certificate_pem = { ...json.variable.tls_ca_certificate_pem, default: ca };
  return json;
}

const SITE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
/** One ingress controller on both sides of a TLS mode switch (the modes' defaults differ: Traefik for ingress, ingress-nginx for external). */
const NGINX: SettingsInput = { rkeHa: { ingressController: 'ingress-nginx' } };
const renamed = (input: SettingsInput): SettingsInput => ({ ...input, hostname: 'rancher2.example.com' });
const accept = (input: SettingsInput, acceptAgentChange: Record<string, string>): SettingsInput => ({
  ...input,
  rancher: { ...input.rancher, acceptAgentChange },
});

interface Case {
  readonly stack: StackName;
  /** The TLS settings section: rancher.tls, or docker.tls for the docker stack. */
  readonly tls: (tls: Record<string, unknown>) => SettingsInput;
}
const STACKS: [string, Case][] = [
  ['rke-ha', { stack: RKE_HA_STACK, tls: (tls) => ({ ...SITE, rancher: { tls } }) }],
  ['k8s-ha', { stack: K8S_HA_STACK, tls: (tls) => ({ ...SITE, rancher: { tls } }) }],
  ['docker', { stack: DOCKER_STACK, tls: (tls) => ({ ...SITE, docker: { tls } }) }],
];

describe.each(STACKS)('%s: the agents’ name and CA', (_name, { stack, tls }) => {
  const ownCa = tls({ issuer: 'rancher' });
  const userCa = tls({ issuer: 'ca' });
  const publicCa = tls({ issuer: 'blank' });
  // Every pair through one terraform run.
  const pairs: [string, TerraformJson, TerraformJson][] = [
    ['unchanged (Rancher’s own CA)', synth(stack, ownCa), synth(stack, ownCa)],
    ['unchanged (a private CA)', synth(stack, userCa, CA_A), synth(stack, userCa, CA_A)],
    ['hostname changed', synth(stack, ownCa), synth(stack, renamed(ownCa))],
    ['hostname changed, accepted', synth(stack, ownCa), synth(stack, accept(renamed(ownCa), { hostname: 'rancher2.example.com' }))],
    [
      'hostname changed again, the first acceptance left in place',
      synth(stack, ownCa),
      synth(stack, accept({ ...ownCa, hostname: 'rancher3.example.com' }, { hostname: 'rancher2.example.com' })),
    ],
    ['private CA replaced', synth(stack, userCa, CA_A), synth(stack, userCa, CA_B)],
    ['private CA replaced, accepted', synth(stack, userCa, CA_A), synth(stack, accept(userCa, { ca: privateCa(CA_B) }), CA_B)],
    ['Rancher’s own CA to a private one (issuer)', synth(stack, ownCa), synth(stack, userCa, CA_A)],
    ['a private CA to a public one', synth(stack, userCa, CA_A), synth(stack, publicCa)],
    ['a public CA to a private one, accepted', synth(stack, publicCa), synth(stack, accept(userCa, { ca: privateCa(CA_A) }), CA_A)],
    ['Rancher’s own CA to a public one, accepted as something else', synth(stack, ownCa), synth(stack, accept(publicCa, { ca: 'rancher-ca' }))],
  ];
  const messages = refusalsEach(pairs.map(([, before, after]) => [before, after]));
  const outcomes = new Map(pairs.map(([name], i) => [name, messages[i]]));
  const refused = (name: string) => outcomes.get(name)!;

  it('lets an unchanged deployment plan (the second plan of a running deployment)', () => {
    expect(refused('unchanged (Rancher’s own CA)')).toEqual([]);
    expect(refused('unchanged (a private CA)')).toEqual([]);
  });

  it('refuses a new hostname, naming both names and the agents’ procedure', () => {
    const [message, ...rest] = refused('hostname changed');
    expect(rest).toEqual([]);
    expect(message).toContain('hostname is "rancher2.example.com", but this deployment was created with "rancher.example.com".');
    expect(message).toContain('rancher/rancher#14731');
    expect(message).toContain('"Updating the Rancher Certificate", step 4, method 3');
    expect(message).toContain('set rancher.acceptAgentChange.hostname to "rancher2.example.com"');
  });

  it('takes the new hostname the acceptance names, and no other', () => {
    expect(refused('hostname changed, accepted')).toEqual([]);
    const [message] = refused('hostname changed again, the first acceptance left in place');
    expect(message).toContain('hostname is "rancher3.example.com"');
    expect(message).toContain('(rancher.acceptAgentChange.hostname accepts "rancher2.example.com" only)');
  });

  it('refuses another private CA, naming its hash and Rancher’s procedure for the agents’ CA', () => {
    const [message, ...rest] = refused('private CA replaced');
    expect(rest).toEqual([]);
    expect(message).toContain(`is "${privateCa(CA_B)}", but this deployment was created with "${privateCa(CA_A)}"`);
    expect(message).toContain('"Updating a Private CA Certificate"');
    expect(message).toContain('io.cattle.agent.force.deploy=true');
    expect(message).toContain('CATTLE_CA_CHECKSUM');
    expect(refused('private CA replaced, accepted')).toEqual([]);
  });

  it('refuses a switch of issuer that changes the CA, and between a private and a public CA', () => {
    expect(refused('Rancher’s own CA to a private one (issuer)')[0]).toContain(
      `is "${privateCa(CA_A)}", but this deployment was created with "rancher-ca"`,
    );
    expect(refused('a private CA to a public one')[0]).toContain(`is "public", but this deployment was created with "${privateCa(CA_A)}"`);
    expect(refused('a public CA to a private one, accepted')).toEqual([]);
    expect(refused('Rancher’s own CA to a public one, accepted as something else')[0]).toContain('accepts "rancher-ca" only');
  });
});

describe('where TLS ends (mode) and the agents', () => {
  it('refuses a mode switch that changes the CA (Rancher’s own at the ingress, ACM’s public one at the load balancer)', () => {
    const [[rke], [docker]] = refusalsEach([
      [
        // The controller pinned: the external mode's default controller (ingress-nginx) is not the ingress mode's.
        synth(RKE_HA_STACK, { ...SITE, ...NGINX, rancher: { tls: { mode: 'ingress', issuer: 'rancher' } } }),
        synth(RKE_HA_STACK, { ...SITE, ...NGINX, rancher: { tls: { mode: 'external', issuer: 'acme' } } }),
      ],
      [
        synth(DOCKER_STACK, { ...SITE, docker: { tls: { mode: 'rancher', issuer: 'rancher' } } }),
        synth(DOCKER_STACK, { ...SITE, docker: { tls: { mode: 'external', issuer: 'acme' } } }),
      ],
    ]);
    expect(rke).toContain('the CA agents trust (rancher.tls) is "public", but this deployment was created with "rancher-ca"');
    expect(docker).toContain('the CA agents trust (tls) is "public", but this deployment was created with "rancher-ca"');
  });

  it('takes a mode switch under the same CA: the agents verify the same cacerts, whoever serves the certificate', () => {
    const ca = (mode: 'ingress' | 'external') => synth(RKE_HA_STACK, { ...SITE, ...NGINX, rancher: { tls: { mode, issuer: 'ca' } } }, CA_A);
    const dockerCa = (mode: 'rancher' | 'external') => synth(DOCKER_STACK, { ...SITE, docker: { tls: { mode, issuer: 'ca' } } }, CA_A);
    expect(
      refusalsEach([
        [ca('ingress'), ca('external')],
        [dockerCa('rancher'), dockerCa('external')],
      ]),
    ).toEqual([[], []]);
  });

  it('takes leaving Let’s Encrypt staging (nothing trusts it, so no agent registered)', () => {
    const staging = synth(RKE_HA_STACK, {
      ...SITE,
      rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } } },
    });
    const production = synth(RKE_HA_STACK, { ...SITE, rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } });
    expect(refusalsEach([[staging, production]])).toEqual([[]]);
  });
});
