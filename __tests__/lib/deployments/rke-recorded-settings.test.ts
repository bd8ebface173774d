import { ingressControllerProcedure } from '../../../lib/deployments/private/rke-recorded-settings';

describe('ingressControllerProcedure', () => {
  it('with the prop unset, says the default changed and to name the controller the deployment was created with', () => {
    const procedure = ingressControllerProcedure(undefined);
    expect(procedure).toMatch(/^ingressController is unset: its default is traefik for new deployments \(ingress-nginx before/);
    // Every mode: rancher and external kept ingress-nginx as their default until this version.
    expect(procedure).toContain('with rancher.tls.mode rancher or external, before this version');
    expect(procedure).not.toContain('still with');
    expect(procedure).toContain('set ingressController to that value and the plan is as before');
  });

  it('with the prop given, says the servers keep their controller and to set it back', () => {
    for (const setting of ['traefik', 'ingress-nginx']) {
      const procedure = ingressControllerProcedure(setting);
      expect(procedure).toContain('The servers keep the controller they started with');
      expect(procedure).toContain('Set ingressController back to the value this deployment was created with.');
      expect(procedure).not.toContain('is unset');
    }
  });

  it('names the way off ingress-nginx either way', () => {
    for (const setting of [undefined, 'ingress-nginx']) {
      expect(ingressControllerProcedure(setting)).toMatch(
        /ingress-nginx is retired upstream \(no security fixes since March 2026\); a running deployment moves to Traefik in steps, with ingressMigration: docs\/day-2\.md, "Off ingress-nginx"\.$/,
      );
    }
  });
});
