import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusalsEach, type History } from '../../helpers/guard';
import { withTestSums } from '../../helpers/release-sums';
import { describeWithTerraform } from '../../helpers/terraform';
import { BASE, NGINX, synth, with_ } from './rke-ha-day2.setup';

/**
 * The guard of a move off ingress-nginx (rkeHa.ingressMigration), evaluated by terraform on pairs of synthesized
 * modules: what the servers run is their `ingress-controllers` record (ServerNode.runningRecord), given where the
 * record exists before the change (the rolls between the applies are not in the modules).
 */
const step = (s?: string, base: SettingsInput = NGINX) => (s ? with_(base, { rkeHa: { ingressController: 'traefik', ingressMigration: s } }) : base);
const BOTH = 'ingress-nginx,traefik';
/** Created with ingress-nginx (the guard's record, written once), the servers running `values`. */
const run = (...values: string[]): History => ({ running: { 'ingress-controllers': values }, recorded: CREATED_WITH_NGINX });
const CREATED_WITH_NGINX = { 'rkeHa.ingressController': 'ingress-nginx' };
/** Rancher 2.13 (below the floor) on RKE2 1.34, which it accepts. */
const OLD_RANCHER = with_(NGINX, withTestSums({ versions: { rancher: '2.13.3', rke2: 'v1.34.6+rke2r3' } }));

type Case = readonly [name: string, before: SettingsInput, after: SettingsInput, history: History | undefined];

/** The other TLS modes on ingress-nginx: named, as a deployment created with them before Traefik was their default. */
const EXTERNAL = with_(NGINX, { rancher: { tls: { mode: 'external', issuer: 'acme' } } });
const REENCRYPT = with_(NGINX, { rancher: { tls: { mode: 'rancher' } } });
/** The same settings as a file of 0.4 wrote them: the controller left unset (it meant ingress-nginx with these modes). */
const unset = (settings: SettingsInput): SettingsInput => ({ ...settings, rkeHa: {} });

const TAKEN: Case[] = [
  ['ingress-nginx to beside (the records written: every server "held")', NGINX, step('beside'), undefined],
  ['beside to moved, every server rolled', step('beside'), step('moved'), run(BOTH, BOTH, BOTH)],
  ['moved to done, every server rolled', step('moved'), step('done'), run(BOTH, BOTH, BOTH)],
  ['done again halfway through its roll', step('done'), step('done'), run('traefik', BOTH, BOTH)],
  ['done after its roll', step('done'), step('done'), run('traefik', 'traefik', 'traefik')],
  ['moved back to beside', step('moved'), step('beside'), run(BOTH, BOTH, BOTH)],
  ['done, not yet rolled, back to moved', step('done'), step('moved'), run(BOTH, BOTH, BOTH)],
  ['beside back to ingress-nginx', step('beside'), NGINX, run(BOTH, BOTH, BOTH)],
  ['external: ingress-nginx to beside', EXTERNAL, step('beside', EXTERNAL), undefined],
  ['external: beside to moved, every server rolled', step('beside', EXTERNAL), step('moved', EXTERNAL), run(BOTH, BOTH, BOTH)],
  [
    'external: moved to done (the ALB forwards to Traefik), every server rolled',
    step('moved', EXTERNAL),
    step('done', EXTERNAL),
    run(BOTH, BOTH, BOTH),
  ],
  ['external: moved back to beside', step('moved', EXTERNAL), step('beside', EXTERNAL), run(BOTH, BOTH, BOTH)],
  ['rancher: ingress-nginx to beside', REENCRYPT, step('beside', REENCRYPT), undefined],
  ['rancher: moved to done, every server rolled', step('moved', REENCRYPT), step('done', REENCRYPT), run(BOTH, BOTH, BOTH)],
];

const REFUSED: (readonly [...Case, string])[] = [
  [
    'beside straight to done, every server rolled (the listeners not moved yet)',
    step('beside'),
    step('done'),
    run(BOTH, BOTH, BOTH),
    'ingressMigration is "done", but the load balancer\'s port 80 still forwards to ingress-nginx: apply ingressMigration moved first',
  ],
  [
    'ingress-nginx straight to moved',
    NGINX,
    step('moved'),
    undefined,
    'ingressMigration is "moved", but server-0 runs "what it was created with (not rolled since the move began)" as its ingress-controller list: every server must run both controllers before the load balancer moves to Traefik',
  ],
  [
    'beside to moved with server-2 not rolled',
    step('beside'),
    step('moved'),
    run(BOTH, BOTH, 'held'),
    'ingressMigration is "moved", but server-2 runs "what it was created with (not rolled since the move began)"',
  ],
  [
    'beside to done with server-1 not rolled',
    step('beside'),
    step('done'),
    run(BOTH, 'held', BOTH),
    'ingressMigration is "done", but server-1 runs "what it was created with (not rolled since the move began)" as its ingress-controller list: every server must run both controllers before ingress-nginx is taken out',
  ],
  [
    'done, a server rolled, back to moved',
    step('done'),
    step('moved'),
    run('traefik', BOTH, BOTH),
    'ingressMigration is "moved", but server-0 runs "traefik" as its ingress-controller list',
  ],
  [
    'done, rolled, back to beside',
    step('done'),
    step('beside'),
    run('traefik', 'traefik', 'traefik'),
    'ingressMigration is "beside", but server-0 runs "traefik" as its ingress-controller list: ingress-nginx was taken out of it (step done), and the move does not go back',
  ],
  [
    'beside below Rancher 2.14.0',
    OLD_RANCHER,
    step('beside', OLD_RANCHER),
    undefined,
    `ingressMigration needs Rancher 2.14.0 or later running (Rancher's migration off ingress-nginx starts there), but the running Rancher is "2.13.3". Upgrade Rancher first`,
  ],
  [
    'beside on a deployment created with Traefik',
    with_(BASE, { rkeHa: { ingressController: 'traefik' } }),
    step('beside', BASE),
    undefined,
    'ingressMigration is "beside", but this deployment was created with "traefik": the steps move a deployment created with ingress-nginx to Traefik',
  ],
  [
    "external: beside straight to done (the ALB's HTTPS listener not moved yet)",
    step('beside', EXTERNAL),
    step('done', EXTERNAL),
    run(BOTH, BOTH, BOTH),
    'ingressMigration is "done", but the load balancer\'s port 443 still forwards to ingress-nginx: apply ingressMigration moved first',
  ],
  [
    'external: ingress-nginx straight to moved',
    EXTERNAL,
    step('moved', EXTERNAL),
    undefined,
    'ingressMigration is "moved", but server-0 runs "what it was created with (not rolled since the move began)"',
  ],
  [
    'external, created with ingress-nginx (its default then): the controller left unset, now Traefik',
    EXTERNAL,
    unset(EXTERNAL),
    undefined,
    'ingressController is "traefik", but this deployment was created with "ingress-nginx". ingressController is unset: its default is traefik for new deployments (ingress-nginx before; with rancher.tls.mode rancher or external, before this version).',
  ],
  [
    'rancher, created with ingress-nginx (its default then): the controller left unset, now Traefik',
    REENCRYPT,
    unset(REENCRYPT),
    undefined,
    'ingressController is "traefik", but this deployment was created with "ingress-nginx". ingressController is unset',
  ],
  [
    'Traefik without the steps (as before)',
    NGINX,
    with_(NGINX, { rkeHa: { ingressController: 'traefik' } }),
    undefined,
    'ingressController is "traefik", but this deployment was created with "ingress-nginx".',
  ],
];

describeWithTerraform('rke-ha off ingress-nginx: the steps the guard takes and refuses (preconditions evaluated by terraform)', () => {
  let outcomes: string[][] = [];
  beforeAll(() => {
    outcomes = refusalsEach([...TAKEN, ...REFUSED].map(([, before, after, history]) => [synth(before), synth(after), undefined, history] as const));
  });

  it.each(TAKEN.map(([name], i) => [name, i] as const))('%s: nothing refused', (_name, i) => {
    expect(outcomes[i]).toEqual([]);
  });

  it.each(REFUSED.map(([name, , , , message], i) => [name, message, TAKEN.length + i] as const))(
    '%s: refused, saying why and what to do',
    (_name, message, i) => {
      expect(outcomes[i].length).toBeGreaterThanOrEqual(1);
      expect(outcomes[i].join('\n')).toContain(message);
    },
  );
});
