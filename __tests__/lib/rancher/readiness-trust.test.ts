import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { rancherOnRkeSchema } from '../../../lib/config/deployment-schema';
import type { ReadinessTrust } from '../../../lib/rancher/rancher-readiness';
import { readinessTrust } from '../../../lib/rancher/private/readiness-trust';
import { CertificateVariables } from '../../../lib/tls/certificate-variables';
import { tlsPlan, type TlsPlan } from '../../../lib/tls/tls-plan';
import type { TerraformJson } from '../../helpers/synth';

/** rancher.tls as RancherOnRke's props resolve it (defaults applied, its rules run). */
const plan = (tls: Record<string, unknown>): TlsPlan => tlsPlan(rancherOnRkeSchema.parse({ rancher: { tls } }).rancher.tls);

/** Every TLS choice the props accept, with the trust its readiness probe must use. */
const CASES: [name: string, tls: Record<string, unknown>, trust: ReadinessTrust['kind']][] = [
  ['ingress + rancher (default)', {}, 'rancher-ca'],
  ['rancher + rancher', { mode: 'rancher' }, 'rancher-ca'],
  ['ingress + blank', { issuer: 'blank' }, 'public'],
  ['ingress + blank + privateCA', { issuer: 'blank', privateCA: true }, 'ca'],
  ['rancher + blank + privateCA', { mode: 'rancher', issuer: 'blank', privateCA: true }, 'ca'],
  ['ingress + ca', { issuer: 'ca' }, 'ca'],
  ['rancher + ca', { mode: 'rancher', issuer: 'ca' }, 'ca'],
  ['ingress + acme (production by default)', { issuer: 'acme', acme: { email: 'ops@example.com' } }, 'public'],
  ['ingress + acme production', { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'production' } }, 'public'],
  ['ingress + acme staging', { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } }, 'unverified'],
  ['rancher + acme staging', { mode: 'rancher', issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } }, 'unverified'],
  ['external + blank', { mode: 'external', issuer: 'blank' }, 'public'],
  ['external + blank + privateCA', { mode: 'external', issuer: 'blank', privateCA: true }, 'ca'],
  ['external + ca', { mode: 'external', issuer: 'ca' }, 'ca'],
  ['external + acme (ACM)', { mode: 'external', issuer: 'acme' }, 'public'],
];

/**
 * One App, one stack per case with exactly the certificate variables the
 * plan declares (as the stacks do); the trust's CA, when any, as an output.
 */
function synthAll(): Map<string, { trust: ReadinessTrust; json: TerraformJson }> {
  const outdir = mkdtempSync(join(tmpdir(), 'rancher-trust-'));
  try {
    const app = new App({ outdir });
    const built = CASES.map(([name, tls], i) => {
      const stack = new TerraformStack(app, `case-${i}`);
      new LocalBackend(stack, { path: 'terraform.test.tfstate' });
      const p = plan(tls);
      const trust = readinessTrust(p, new CertificateVariables(stack, 'certificates', p.material));
      new TerraformOutput(stack, 'trust', { value: trust.kind === 'ca' ? trust.caCertPem : trust.kind });
      return { name, id: stack.node.id, trust };
    });
    app.synth();
    return new Map(
      built.map(({ name, id, trust }) => [name, { trust, json: JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) }]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('readinessTrust', () => {
  const results = synthAll();

  it.each(CASES)('%s → %s', (name, _tls, kind) => {
    const { trust, json } = results.get(name)!;
    expect(trust.kind).toBe(kind);
    if (kind === 'ca') {
      expect(Object.keys(trust)).toEqual(['kind', 'caCertPem']);
      expect(json.output!.trust.value).toBe('${var.tls_ca_certificate_pem}');
      expect(json.variable!.tls_ca_certificate_pem).toMatchObject({ type: 'string', sensitive: true });
    } else {
      expect(trust).toEqual({ kind });
    }
  });

  it('maps each plan trust to exactly one probe trust', () => {
    const byPlan = new Map<string, Set<string>>();
    for (const [name, tls] of CASES) {
      const planned = plan(tls).trust;
      byPlan.set(planned, (byPlan.get(planned) ?? new Set()).add(results.get(name)!.trust.kind));
    }
    expect(Object.fromEntries([...byPlan].map(([k, v]) => [k, [...v]]))).toEqual({
      'rancher-ca': ['rancher-ca'],
      'user-ca': ['ca'],
      public: ['public'],
      unverified: ['unverified'],
    });
  });

  it('covers every trust kind', () => {
    expect(new Set(CASES.map(([, , kind]) => kind))).toEqual(new Set(['rancher-ca', 'ca', 'public', 'unverified']));
  });

  it('refuses a user-CA plan whose CA variable was not declared', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'rancher-trust-'));
    try {
      const stack = new TerraformStack(new App({ outdir }), 'missing');
      expect(() => readinessTrust(plan({ issuer: 'ca' }), new CertificateVariables(stack, 'certificates', []))).toThrow(
        /"caCertificate" was not declared/,
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
