import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsTargetKind, RECORD_FOR_KIND } from '../../../lib/dns/private/dns-target';
import type { TerraformJson } from '../../helpers/synth';
import { TERRAFORM_ENV, describeWithTerraform } from '../../helpers/terraform';
import { cname, variableNamesRecord, variableTargetRecord } from './load-balancer-record.setup';

const { json, localName } = variableTargetRecord();

/**
 * The Terraform expressions themselves, evaluated offline by `terraform
 * console` (no provider needed): every case in one run, each with its own copy
 * of the construct's locals. Skipped, not passed, without a terraform binary.
 */

function evaluateRecordTypes(stackJson: TerraformJson, targets: readonly string[]): { type: string; nlb: string | null; elb: string | null }[] {
  const base = stackJson.locals ?? {};
  const names = Object.keys(base);
  const locals: Record<string, string> = {};
  targets.forEach((_target, i) => {
    for (const name of names) {
      let value = String(base[name]).replace(/var\.target/g, `var.t${i}`);
      for (const other of names) value = value.split(`local.${other}`).join(`local.${other}__${i}`);
      locals[`${name}__${i}`] = value;
    }
  });
  const variable = Object.fromEntries(targets.map((t, i) => [`t${i}`, { type: 'string', default: t }]));
  const result = (name: string, i: number) => `local.${localName(name)}__${i}`;
  const expression = `[${targets.map((_, i) => `{type = ${result('record-type', i)}, nlb = ${result('nlb-region', i)}, elb = ${result('elb-region', i)}}`).join(', ')}]`;
  const dir = mkdtempSync(join(tmpdir(), 'rancher-dns-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable, locals }));
    const run = spawnSync('terraform', ['console'], {
      cwd: dir,
      env: TERRAFORM_ENV,
      input: `base64encode(jsonencode(${expression}))\n`,
      encoding: 'utf8',
    });
    const encoded = /^"([A-Za-z0-9+/=]*)"$/m.exec(run.stdout)?.[1];
    if (run.status !== 0 || encoded === undefined) throw new Error(`terraform console failed:\n${run.stdout}${run.stderr}`);
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeWithTerraform('LoadBalancerRecord: the plan-time decision, evaluated by terraform', () => {
  const cases: [target: string, type: string, nlb: string | null, elb: string | null][] = [
    ['k8s-ingressn-ingressn-0a1b2c3d4e-0123456789abcdef.elb.us-east-1.amazonaws.com', 'alias', 'us-east-1', null],
    ['a0123456789abcdef0123456789abcde-1234567890.eu-west-1.elb.amazonaws.com', 'alias', null, 'eu-west-1'],
    ['internal-k8s-ingress-abc-1234567890.ap-southeast-2.elb.amazonaws.com', 'alias', null, 'ap-southeast-2'],
    ['K8s-Ingress-0123.ELB.US-WEST-2.amazonaws.com', 'alias', 'us-west-2', null],
    ['203.0.113.10', 'A', null, null],
    ['lb.example.net', 'CNAME', null, null],
    ['abc.elb.amazonaws.com.example.net', 'CNAME', null, null],
  ];
  // In beforeAll, not the describe body: a body runs while jest collects the tests, before any is filtered out.
  let evaluated: unknown[] = [];
  beforeAll(() => {
    evaluated = evaluateRecordTypes(
      json,
      cases.map(([target]) => target),
    );
  });

  it.each(cases.map((c, i) => [...c, i] as const))('%s → %s (NLB region %s, ELB region %s)', (target, type, nlb, elb, i) => {
    expect(evaluated[i]).toEqual({ type, nlb, elb });
    // The synth-time classifier agrees with Terraform.
    expect(RECORD_FOR_KIND[dnsTargetKind(target)]).toBe(type);
  });
});

describe('LoadBalancerRecord: no CNAME at the zone apex', () => {
  const apex = variableNamesRecord();

  describeWithTerraform('evaluated by terraform', () => {
    const condition = () =>
      cname(apex)
        .lifecycle.precondition[0].condition.slice(2, -1)
        .replace(/var\.hostname/, 'var.h')
        .replace(/var\.zone/, 'var.z');
    const evaluate = (h: string, z: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'rancher-apex-'));
      try {
        writeFileSync(
          join(dir, 'main.tf.json'),
          JSON.stringify({ variable: { h: { type: 'string', default: h }, z: { type: 'string', default: z } } }),
        );
        const run = spawnSync('terraform', ['console'], { cwd: dir, env: TERRAFORM_ENV, input: `${condition()}\n`, encoding: 'utf8' });
        return run.stdout.trim();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it.each([
      ['acme.io', 'acme.io', 'false'],
      ['Acme.io.', 'acme.io', 'false'],
      ['rancher.acme.io', 'acme.io', 'true'],
    ])('hostname %p in zone %p: precondition %s', (h, z, expected) => {
      expect(evaluate(h, z)).toBe(expected);
    });
  });
});
