import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { resources, type TerraformJson } from '../../helpers/synth';
import { applyOrder, describeWithTerraform, terraformIn, terraformOk } from '../../helpers/terraform';
import { NGINX, synth, with_ } from './rke-ha-day2.setup';

/**
 * The servers' records of a move off ingress-nginx (ServerNode.runningRecord) and the guard's rules on them, run
 * through terraform's own life cycle on stand-ins: each server a `terraform_data` of the same name holding its user
 * data under ignore_changes (as the instance holds user_data_base64), replaced as the roll replaces it (-replace, one
 * at a time); each record and the guard's rules on them as synthesized, their references to the instance moved to the
 * stand-in. What is checked is terraform's: that the record is "held" for a running server, is written when the
 * server is replaced, and is known when the next step is planned, so that step is refused at plan time.
 */
const step = (s?: string): SettingsInput => (s ? with_(NGINX, { rkeHa: { ingressController: 'traefik', ingressMigration: s } }) : NGINX);
const MODULES = Object.fromEntries(['none', 'beside', 'moved', 'done'].map((s) => [s, synth(step(s === 'none' ? undefined : s))]));
const SERVERS = [0, 1, 2];

/** The stand-in module of a step: servers, their records, and the guard's rules that read the records. */
function standIn(json: TerraformJson): object {
  const instances = Object.entries(resources(json, 'aws_instance')).filter(([n]) => n.startsWith('server-'));
  // A server's user data as a short literal that differs exactly where the user data does: the loader's text with the
  // SHA-256 of its boot document (a reference to another local) as Terraform renders it.
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const userData = (local: string) =>
    sha256(
      String(json.locals![local]).replace(/\$\{sha256\(local\.([A-Za-z0-9_-]+)\)\}/g, (_, document: string) =>
        sha256(String(json.locals![document])),
      ),
    );
  const moved = (text: string) =>
    text
      .replace(/base64gzip\(local\.([A-Za-z0-9_-]+)\)/g, (_, local: string) => JSON.stringify(userData(local)))
      .replace(/aws_instance\.([A-Za-z0-9_-]+)\.user_data_base64/g, 'terraform_data.$1.input')
      .replace(/aws_instance\.([A-Za-z0-9_-]+)\.id/g, 'terraform_data.$1.id');
  const data: Record<string, unknown> = {};
  for (const [name, instance] of instances) {
    const local = /local\.([A-Za-z0-9_-]+)/.exec(instance.user_data_base64)![1];
    data[name] = { input: userData(local), lifecycle: { ignore_changes: ['input'] } };
  }
  for (const [name, record] of Object.entries(resources(json, 'terraform_data')).filter(([n]) => /^server-\d+_ingress-controllers_/.test(n)))
    data[name] = { input: moved(record.input), triggers_replace: record.triggers_replace.map(moved), lifecycle: record.lifecycle };
  const guard = Object.values(resources(json, 'terraform_data')).find((d) => d.lifecycle?.precondition);
  const rules = (guard.lifecycle.precondition as { condition: string }[]).filter((p) => p.condition.includes('_ingress-controllers_'));
  if (rules.length) data.guard = { input: 'rules', lifecycle: { precondition: rules } };
  return { resource: { terraform_data: data } };
}

const instanceOf = (i: number) => Object.keys(resources(MODULES.none, 'aws_instance')).find((n) => n.startsWith(`server-${i}_`))!;

describeWithTerraform("rke-ha off ingress-nginx: the servers' records through terraform's life cycle (stand-ins)", () => {
  let dir = '';
  const write = (s: string) => writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(standIn(MODULES[s])));
  const apply = (s: string, ...args: string[]) => {
    write(s);
    terraformOk(dir, 'apply', '-auto-approve', '-input=false', '-lock=false', ...args);
  };
  const plan = (s: string) => {
    write(s);
    return terraformIn(dir, 'plan', '-input=false', '-lock=false');
  };
  const records = () => {
    const state = JSON.parse(terraformOk(dir, 'show', '-json')) as {
      values: { root_module: { resources: { name: string; values: { input: string } }[] } };
    };
    return SERVERS.map((i) => state.values.root_module.resources.find((r) => r.name.startsWith(`server-${i}_ingress-controllers_`))?.values.input);
  };
  /** The roll, one server: replaced with the step's user data (as `terraform apply -replace` of its instance). */
  const roll = (s: string, i: number) => apply(s, `-replace=terraform_data.${instanceOf(i)}`);
  const refusal = (outcome: { status: number | null; output: string }) => (outcome.status === 0 ? '' : outcome.output.replace(/\s+/g, ' '));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-migration-'));
    terraformOk(dir, 'init', '-input=false', '-backend=false');
    apply('none');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('beside writes "held" for the running servers, and moved is refused at plan time until they are rolled', () => {
    apply('beside');
    expect(records()).toEqual(['held', 'held', 'held']);
    expect(refusal(plan('moved'))).toContain(
      'ingressMigration is "moved", but server-0 runs "what it was created with (not rolled since the move began)"',
    );
    roll('beside', 0);
    roll('beside', 1);
    expect(records()).toEqual(['ingress-nginx,traefik', 'ingress-nginx,traefik', 'held']);
    expect(refusal(plan('moved'))).toContain('but server-2 runs "what it was created with');
    roll('beside', 2);
    expect(refusal(plan('moved'))).toBe('');
  });

  it('moved and done keep the records; the roll of done writes "traefik", after which the way back is refused', () => {
    apply('moved');
    apply('done');
    expect(records()).toEqual(['ingress-nginx,traefik', 'ingress-nginx,traefik', 'ingress-nginx,traefik']);
    roll('done', 0);
    expect(records()).toEqual(['traefik', 'ingress-nginx,traefik', 'ingress-nginx,traefik']);
    expect(refusal(plan('done'))).toBe('');
    expect(refusal(plan('moved'))).toContain('ingressMigration is "moved", but server-0 runs "traefik"');
    expect(refusal(plan('beside'))).toContain('ingressMigration is "beside", but server-0 runs "traefik"');
    roll('done', 1);
    roll('done', 2);
    expect(records()).toEqual(['traefik', 'traefik', 'traefik']);
    expect(refusal(plan('done'))).toBe('');
  });
});

/**
 * The balancer's resources as `terraform_data` stand-ins with the same addresses and dependencies (explicit and by
 * reference): Terraform orders their change as it would the real ones (ordering is core's, not the provider's).
 */
const BALANCER_TYPES = ['aws_lb', 'aws_lb_listener', 'aws_lb_target_group', 'aws_lb_target_group_attachment'];
const standInName = (address: string) => address.replace('.', '__');
function balancerStandIns(json: TerraformJson): object {
  const included = new Set(BALANCER_TYPES.flatMap((type) => Object.keys(resources(json, type)).map((name) => `${type}.${name}`)));
  const data: Record<string, unknown> = {};
  for (const address of included) {
    const [type, name] = address.split('.');
    const { '//': _metadata, depends_on: dependsOn = [], ...body } = resources(json, type)[name];
    const text = JSON.stringify(body);
    const references = [...text.matchAll(/\$\{[^}]*?\b([a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)].map((m) => m[1]);
    const dependencies = [...new Set([...(dependsOn as string[]), ...references])].filter((d) => included.has(d));
    data[standInName(address)] = {
      input: text.replace(/\$\{/g, () => '$${'),
      depends_on: dependencies.map((d) => `terraform_data.${standInName(d)}`),
    };
  }
  return { resource: { terraform_data: data } };
}

describeWithTerraform("rke-ha off ingress-nginx: done destroys ingress-nginx's target groups (ordered by terraform)", () => {
  const address = (json: TerraformJson, type: string, id: string) =>
    `terraform_data.${standInName(`${type}.${Object.keys(resources(json, type)).find((n) => n.startsWith(`load-balancer_${id}_`))!}`)}`;

  it('after moved: the listeners are not touched; the groups they left go', () => {
    const order = applyOrder(balancerStandIns(MODULES.moved), balancerStandIns(MODULES.done));
    for (const port of [80, 443]) {
      expect(order.actions.get(address(MODULES.done, 'aws_lb_listener', `listener-${port}`))).toBe('no-op');
      expect(order.actions.get(address(MODULES.moved, 'aws_lb_target_group', `tg-${port}`))).toBe('delete');
    }
  });

  it('moved straight back to no step (which the docs forbid; no rule sees it): the side group would go before its listener moves back', () => {
    const order = applyOrder(balancerStandIns(MODULES.moved), balancerStandIns(MODULES.none));
    for (const port of [80, 443]) {
      const listener = address(MODULES.none, 'aws_lb_listener', `listener-${port}`);
      const group = address(MODULES.moved, 'aws_lb_target_group', `tg-${port === 80 ? 8000 : 8443}`);
      expect(order.actions.get(listener)).toBe('update');
      expect(order.before.get(listener)).toContain(`${group} (destroy)`);
    }
    // Back through beside instead: the listeners move back while the side groups stand by, which no step destroys.
    const back = applyOrder(balancerStandIns(MODULES.moved), balancerStandIns(MODULES.beside));
    for (const port of [8000, 8443]) expect(back.actions.get(address(MODULES.moved, 'aws_lb_target_group', `tg-${port}`))).toBe('no-op');
  });

  it('straight after beside (which the guard refuses): the group would go before its listener moves off it', () => {
    const order = applyOrder(balancerStandIns(MODULES.beside), balancerStandIns(MODULES.done));
    for (const port of [80, 443]) {
      const listener = address(MODULES.done, 'aws_lb_listener', `listener-${port}`);
      const group = address(MODULES.beside, 'aws_lb_target_group', `tg-${port}`);
      expect(order.actions.get(listener)).toBe('update');
      // The listener's update waits for the destroy of the group it forwarded to: its targets deregistered first, then
      // AWS refuses to delete a group a listener uses, and 80/443 are left forwarding to an empty group.
      expect(order.before.get(listener)).toContain(`${group} (destroy)`);
    }
  });
});
