import { bootstrapEnabled } from '../../../../lib/config/bootstrap-schema';
import { parseSettings } from '../../../../app/config/load';
import type { SettingsInput } from '../../../../app/config/settings-schema';
import { settingsProblems } from '../../../helpers/synth';

const problemsOf = settingsProblems;

const STAGING = { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } } as const;
const PRODUCTION = { issuer: 'acme', acme: { email: 'ops@example.com' } } as const;
/** Whether a Helm stack (rke-ha, k8s-ha) and the docker stack run the bootstrap with these settings. */
const enabled = (input: SettingsInput) => {
  const { rancher } = parseSettings(input, 'test');
  return { helm: bootstrapEnabled(rancher, true), docker: bootstrapEnabled(rancher, false) };
};

describe('rancher.bootstrap', () => {
  it('is on by default in every stack; the setting is left unset', () => {
    expect(parseSettings({}, 'test').rancher.bootstrap).toEqual({});
    expect(enabled({})).toEqual({ helm: true, docker: true });
    expect(enabled({ rancher: { tls: PRODUCTION } })).toEqual({ helm: true, docker: true });
  });

  it('is off when set so', () => {
    expect(enabled({ rancher: { bootstrap: { enabled: false } } })).toEqual({ helm: false, docker: false });
  });

  it("is off by default in the Helm stacks with Let's Encrypt staging at the ingress, whose certificate nothing trusts; the Docker install has its own TLS", () => {
    expect(enabled({ rancher: { tls: STAGING } })).toEqual({ helm: false, docker: true });
    expect(enabled({ rancher: { tls: { ...STAGING, mode: 'rancher' } } })).toEqual({ helm: false, docker: true });
  });

  it("refuses to be turned on with Let's Encrypt staging at the ingress: it would send the admin password over an unverified connection", () => {
    for (const mode of ['ingress', 'rancher'] as const) {
      expect(problemsOf({ rancher: { tls: { ...STAGING, mode }, bootstrap: { enabled: true } } })).toEqual([
        {
          field: 'rancher.bootstrap.enabled',
          message:
            "the first-login bootstrap verifies Rancher's certificate before it sends the admin password, and nothing trusts a Let's Encrypt staging certificate; remove it (with staging the bootstrap is off: log in with the rancher_bootstrap_password output) or use rancher.tls.acme.environment production",
          value: true,
        },
      ]);
    }
  });

  it('takes on and off with any other certificate', () => {
    for (const tls of [{}, PRODUCTION, { issuer: 'blank' }, { mode: 'external', issuer: 'acme' }] as const) {
      expect(problemsOf({ rancher: { tls, bootstrap: { enabled: true } } })).toEqual([]);
      expect(problemsOf({ rancher: { tls, bootstrap: { enabled: false } } })).toEqual([]);
    }
  });

  it('refuses anything but a boolean, and unknown keys', () => {
    expect(problemsOf({ rancher: { bootstrap: { enabled: 'yes' } } } as unknown as SettingsInput)).toEqual([
      expect.objectContaining({ field: 'rancher.bootstrap.enabled' }),
    ]);
    expect(problemsOf({ rancher: { bootstrap: { telemetry: false } } } as unknown as SettingsInput)).toEqual([
      expect.objectContaining({ field: 'rancher.bootstrap.telemetry', message: expect.stringContaining('allowed here: enabled') }),
    ]);
  });
});

describe('timeouts.bootstrapMinutes', () => {
  it('defaults to 10 and takes 1 to 60', () => {
    expect(parseSettings({}, 'test').timeouts.bootstrapMinutes).toBe(10);
    expect(problemsOf({ timeouts: { bootstrapMinutes: 1 } })).toEqual([]);
    expect(problemsOf({ timeouts: { bootstrapMinutes: 60 } })).toEqual([]);
    expect(problemsOf({ timeouts: { bootstrapMinutes: 0 } })).toEqual([expect.objectContaining({ field: 'timeouts.bootstrapMinutes' })]);
    expect(problemsOf({ timeouts: { bootstrapMinutes: 61 } })).toEqual([expect.objectContaining({ field: 'timeouts.bootstrapMinutes' })]);
  });
});
