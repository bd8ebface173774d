import { effectiveIngressController } from '../../../../lib/config/rke-ha-schema';
import { resolve } from 'node:path';
import { SettingsError, type SettingsProblem } from '../../../../lib/config/errors';
import { parseSettings } from '../../../../app/config/load';
import { TLS_ISSUERS, TLS_MODES, tlsSchema, type TlsIssuer, type TlsMode } from '../../../../lib/config/tls-schema';

const CERTS = resolve(__dirname, '../../../fixtures/certs');
const EMAIL = 'ops@example.com';

type Tls = Record<string, unknown>;

/** Parses a settings file whose only content is `rancher.tls` (plus extra top-level settings). */
function parse(tls: Tls, extra: Record<string, unknown> = {}) {
  return parseSettings({ ...extra, rancher: { tls } }, 'test', CERTS);
}

/** The problems of settings that must be refused. */
function problemsOf(tls: Tls, extra: Record<string, unknown> = {}): readonly SettingsProblem[] {
  try {
    parse(tls, extra);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(tls)} to be refused`);
}

/** The one problem reported for a refused TLS choice. */
function onlyProblem(tls: Tls, extra: Record<string, unknown> = {}): SettingsProblem {
  const problems = problemsOf(tls, extra);
  expect(problems).toHaveLength(1);
  return problems[0];
}

/** The settings each (mode, issuer) pair needs beyond the pair itself to be valid. */
function validTls(mode: TlsMode, issuer: TlsIssuer): Tls {
  return issuer === 'acme' && mode !== 'external' ? { mode, issuer, acme: { email: EMAIL } } : { mode, issuer };
}

const PAIRS = TLS_MODES.flatMap((mode) => TLS_ISSUERS.map((issuer) => [mode, issuer] as const));
const VALID_PAIRS = PAIRS.filter(([mode, issuer]) => !(mode === 'external' && issuer === 'rancher'));

describe('rancher.tls', () => {
  it('defaults to TLS at the ingress with Rancher’s own CA', () => {
    expect(parseSettings({}, 'test').rancher.tls).toEqual({ mode: 'ingress', issuer: 'rancher', privateCA: false, acme: {} });
    expect(tlsSchema.parse(undefined)).toEqual({ mode: 'ingress', issuer: 'rancher', privateCA: false, acme: {} });
  });

  describe.each(VALID_PAIRS)('mode %s, issuer %s', (mode, issuer) => {
    it('parses with the default ingress controller, Traefik, whatever the mode', () => {
      const settings = parse(validTls(mode, issuer));
      expect(effectiveIngressController(settings.rkeHa)).toBe('traefik');
      expect(settings.rancher.tls).toMatchObject({ mode, issuer, privateCA: false });
    });

    it('parses with traefik named, and with ingress-nginx named (a deployment created before keeps it)', () => {
      for (const ingressController of ['traefik', 'ingress-nginx'])
        expect(parse(validTls(mode, issuer), { rkeHa: { ingressController } }).rancher.tls).toMatchObject({ mode, issuer });
    });
  });

  describe('valid options', () => {
    it.each(TLS_MODES)('blank with privateCA at mode %s', (mode) => {
      expect(parse({ mode, issuer: 'blank', privateCA: true }).rancher.tls).toMatchObject({ mode, issuer: 'blank', privateCA: true });
    });

    it.each(TLS_MODES)('blank with a certificateFile naming the hostname at mode %s', (mode) => {
      const settings = parse(
        { mode, issuer: 'blank', certificateFile: 'rancher.example.com.pem' },
        { hostname: 'rancher.example.com', hostedZone: 'example.com' },
      );
      expect(settings.rancher.tls.certificateFile).toBe('rancher.example.com.pem');
    });

    it.each(['ingress', 'rancher'] as const)('acme staging at mode %s', (mode) => {
      expect(parse({ mode, issuer: 'acme', acme: { email: EMAIL, environment: 'staging' } }).rancher.tls.acme).toEqual({
        email: EMAIL,
        environment: 'staging',
      });
    });

    it('acme at mode external without any acme settings (ACM issues)', () => {
      expect(parse({ mode: 'external', issuer: 'acme' }).rancher.tls.acme).toEqual({});
    });
  });

  describe('refused choices name the field and say what to choose instead', () => {
    it('external + rancher: at issuer, offering blank, ca or acme, or mode ingress', () => {
      const problem = onlyProblem({ mode: 'external', issuer: 'rancher' });
      expect(problem.field).toBe('rancher.tls.issuer');
      expect(problem.value).toBe('rancher');
      expect(problem.message).toMatch(/blank, ca or acme/);
      expect(problem.message).toMatch(/mode ingress/);
    });

    it('external with the default issuer is the same refusal', () => {
      expect(onlyProblem({ mode: 'external' }).field).toBe('rancher.tls.issuer');
    });

    it.each([
      ['ingress', 'rancher'],
      ['rancher', 'rancher'],
      ['ingress', 'acme'],
      ['rancher', 'acme'],
      ['external', 'acme'],
    ] as const)('privateCA with mode %s, issuer %s: applies to blank only', (mode, issuer) => {
      const problem = onlyProblem({ ...validTls(mode, issuer), privateCA: true });
      expect(problem.field).toBe('rancher.tls.privateCA');
      expect(problem.value).toBe(true);
      expect(problem.message).toMatch(/issuer blank only/);
    });

    it.each(TLS_MODES)('privateCA with issuer ca at mode %s: not needed, tls-ca is created anyway', (mode) => {
      const problem = onlyProblem({ mode, issuer: 'ca', privateCA: true });
      expect(problem.field).toBe('rancher.tls.privateCA');
      expect(problem.message).toMatch(/not needed/);
      expect(problem.message).toMatch(/tls-ca/);
    });

    it.each(VALID_PAIRS.filter(([, issuer]) => issuer !== 'blank'))(
      'certificateFile with mode %s, issuer %s: applies to blank only',
      (mode, issuer) => {
        // The file does not exist: the choice is refused before any file is read.
        const problem = onlyProblem({ ...validTls(mode, issuer), certificateFile: 'missing.pem' });
        expect(problem.field).toBe('rancher.tls.certificateFile');
        expect(problem.value).toBe('missing.pem');
        expect(problem.message).toMatch(/issuer blank only/);
      },
    );

    it.each(['ingress', 'rancher'] as const)('acme at mode %s without acme.email: required', (mode) => {
      const problem = onlyProblem({ mode, issuer: 'acme' });
      expect(problem.field).toBe('rancher.tls.acme.email');
      expect(problem.value).toBeUndefined();
      expect(problem.message).toMatch(/required for Let's Encrypt/);
      expect(problem.message).toMatch(/mode ingress or rancher/);
    });

    it('acme staging without an e-mail is still refused', () => {
      expect(onlyProblem({ issuer: 'acme', acme: { environment: 'staging' } }).field).toBe('rancher.tls.acme.email');
    });

    it('a malformed acme.email is refused at the field', () => {
      const problem = onlyProblem({ issuer: 'acme', acme: { email: 'not-an-email' } });
      expect(problem.field).toBe('rancher.tls.acme.email');
      expect(problem.message).toMatch(/e-mail/);
    });

    it.each(
      VALID_PAIRS.filter(([, issuer]) => issuer !== 'acme').flatMap(([mode, issuer]) => [
        [mode, issuer, { email: EMAIL }],
        [mode, issuer, { environment: 'staging' }],
      ]),
    )('acme settings with mode %s, issuer %s (%j): applies to acme only', (mode, issuer, acme) => {
      const problem = onlyProblem({ mode, issuer, acme });
      expect(problem.field).toBe('rancher.tls.acme');
      expect(problem.message).toMatch(/issuer acme only/);
    });

    it.each([{ email: EMAIL }, { environment: 'staging' }, { email: EMAIL, environment: 'staging' }])(
      'acme settings %j with mode external: ACM issues instead',
      (acme) => {
        const problem = onlyProblem({ mode: 'external', issuer: 'acme', acme });
        expect(problem.field).toBe('rancher.tls.acme');
        expect(problem.message).toMatch(/not used with mode external/);
        expect(problem.message).toMatch(/ACM/);
      },
    );

    it.each(TLS_ISSUERS.filter((issuer) => issuer !== 'rancher'))(
      'mode external with k3s (issuer %s): its ServiceLB hides the balancer from Traefik; use rke2 or mode ingress',
      (issuer) => {
        const problem = onlyProblem(validTls('external', issuer), { rkeHa: { distribution: 'k3s' } });
        expect(problem.field).toBe('rancher.tls.mode');
        expect(problem.value).toBe('external');
        expect(problem.message).toMatch(/forwarded headers/);
        expect(problem.message).toMatch(/use rkeHa\.distribution rke2 or mode ingress$/);
      },
    );

    it.each(TLS_ISSUERS)('mode rancher with k3s (issuer %s): use rke2 or mode ingress', (issuer) => {
      const problem = onlyProblem(validTls('rancher', issuer), { rkeHa: { distribution: 'k3s' } });
      expect(problem.field).toBe('rancher.tls.mode');
      expect(problem.value).toBe('rancher');
      expect(problem.message).toMatch(/re-encryption/);
      expect(problem.message).toMatch(/use rkeHa\.distribution rke2 or mode ingress$/);
    });

    it.each(['external', 'rancher'] as const)('mode %s with traefik named on rke2 is taken (its Traefik configuration)', (mode) => {
      expect(parse(validTls(mode, 'acme'), { rkeHa: { ingressController: 'traefik' } }).rkeHa.ingressController).toBe('traefik');
    });

    it('an unknown mode or issuer lists the allowed values', () => {
      const problems = problemsOf({ mode: 'passthrough', issuer: 'vault' });
      const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
      expect(byField['rancher.tls.mode'].message).toBe('expected one of "ingress", "external", "rancher"');
      expect(byField['rancher.tls.issuer'].message).toBe('expected one of "rancher", "blank", "ca", "acme"');
    });

    it('an unknown key lists the allowed keys', () => {
      const problem = onlyProblem({ privateCa: true });
      expect(problem.field).toBe('rancher.tls.privateCa');
      expect(problem.message).toMatch(/allowed here: mode, issuer, privateCA, certificateFile, acme/);
    });

    it('reports every TLS mistake at once', () => {
      const problems = problemsOf(
        { mode: 'external', issuer: 'rancher', privateCA: true, certificateFile: 'x.pem', acme: { email: EMAIL } },
        { rkeHa: { distribution: 'k3s' } },
      );
      expect(problems.map((p) => p.field).sort()).toEqual([
        'rancher.tls.acme',
        'rancher.tls.certificateFile',
        'rancher.tls.issuer',
        'rancher.tls.mode',
        'rancher.tls.privateCA',
      ]);
    });

    it('says it in the error text a person reads', () => {
      expect(() => parse({ mode: 'external', issuer: 'rancher' })).toThrow(/rancher\.tls\.issuer: .*choose blank, ca or acme.* \(got "rancher"\)/);
    });
  });
});
