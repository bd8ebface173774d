import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModule, writeBuiltinModule } from '../../helpers/builtin-module';
import { synthDefaultsBefore } from '../../helpers/previous-toolchain';
import type { TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, terraformIn, terraformOk } from '../../helpers/terraform';
import { synthSettings, variantSettings, type StackName } from '../../helpers/variants';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { PREVIOUS_DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { STANDBY_ENCRYPTION_KEY, STANDBY_FACTS_KEY } from '../../../lib/standby/standby-facts-keys';

/**
 * apply -> plan -> plan of the default stacks through Terraform core (1.11, offline), each moved onto Terraform's
 * built-in provider (__tests__/helpers/builtin-module.ts says what that keeps and what it cannot show): after one
 * apply, an unchanged deployment must plan nothing, `terraform plan -detailed-exitcode` exiting 0, as a pipeline
 * that alarms on drift reads it. Before the API certificate check read the servers' reports, rke-ha exited 2 here
 * (its check-scoped tls_certificate planned as a Read every time).
 */
/** The role whose session applies the module (aws_iam_session_context's answer). */
const DEPLOYER_ROLE = 'arn:aws:iam::123456789012:role/ops/rancher-deployer';
const VALUES = { rancher_hostname: 'rancher.acme.io', route53_zone_name: 'acme.io' };
const DOMAIN = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' } as const;
/** The stack variant with a standby (its copies' access logging and Object Lock on, as its sources'). */
const STANDBY_VARIANT = 'rke-ha standby in a second region, snapshots with access logging and Object Lock';
/** k8s-ha's: Rancher's backup bucket copied to a second region (a standby cluster named for the failover). */
const K8S_STANDBY_VARIANT = 'k8s-ha standby in a second region';
/** k8s-ha as a failover's standby: no record of the hostname, /ping probed at the ingress load balancer. */
const K8S_NO_RECORD_VARIANT = "k8s-ha without the hostname's record (a failover's standby)";
/**
 * Rancher answers with the server-url the first login set (check rancher_server_url compares it); checkip answers
 * with an address inside the variants' admin_cidrs (10.8.0.0/24; check deployer_address_in_admin_cidrs).
 */
const STANDBY_TARGET = JSON.stringify({ type: 'alias', dnsName: 'rancher-sb-0a1b.elb.us-west-2.amazonaws.com', zoneId: 'Z18D5FSROUN65G' });
const KNOWN = {
  'rancher2_bootstrap.url': 'https://rancher.acme.io',
  'data.http.response_body': '10.8.0.5\n',
  'data.http.status_code': 200,
  // The role behind the session that applies (aws_iam_session_context), as the failover gives it back (prepared-deployer.ts).
  'data.aws_iam_session_context.issuer_arn': DEPLOYER_ROLE,
  // The standby's copy lists what production's apply wrote there (check standby_facts reads the listing).
  'data.aws_s3_objects.keys': [STANDBY_FACTS_KEY, STANDBY_ENCRYPTION_KEY],
  // The standby region's parameters under the deployment's path: where the standby's load balancer answers (the pilot
  // light writes it), so production's failover routing has its SECONDARY records and check standby_dns holds.
  'data.aws_ssm_parameters_by_path[standby_dns_parameters_].names': ['/rancher/rke-ha/standby-target', '/rancher/k8s-ha/standby-target'],
  'data.aws_ssm_parameters_by_path[standby_dns_parameters_].values': [STANDBY_TARGET, STANDBY_TARGET],
};

const write = (json: TerraformJson, dir: string, known: Record<string, unknown> = KNOWN) =>
  writeBuiltinModule(dir, builtinModule(json, known), VALUES);
const apply = (dir: string) => terraformOk(dir, 'apply', '-auto-approve', '-input=false');
/**
 * Applies the plan saved in `planFile` (`plan -out`), as a pipeline applies what it reviewed: what that plan showed is
 * what is applied, without the second plan an apply of the folder makes (about 3 s of Terraform's CPU for rke-ha).
 */
const applySaved = (dir: string, planFile: string) => terraformOk(dir, 'apply', '-input=false', planFile);
const plan = (dir: string) => terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false');
/** The plan's exit status, and its output only when that is not 0 (so a failure shows what changed). */
const outcome = (result: { status: number | null; output: string }) => ({ status: result.status, output: result.status === 0 ? '' : result.output });
/**
 * A module folder for one describe (jest's beforeAll and afterAll): `json` written with `known` values, initialized,
 * applied unless `applied` is false; removed after the describe. Returns its path, read once the describe runs.
 */
function moduleFolder(prefix: string, json: () => TerraformJson, { known = KNOWN, applied = true } = {}): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    write(json(), dir, known);
    terraformOk(dir, 'init', '-input=false');
    if (applied) apply(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** The assertions a plan reports as failed (not those Terraform reports as "known after apply": new servers' lists). */
const checkWarnings = (output: string) =>
  output
    .split(/^Warning: /m)
    .filter((warning) => warning.startsWith('Check block assertion failed'))
    .map((warning) => /in check\.([a-z_]+)\.assert\[(\d+)\]/.exec(warning)?.slice(1, 3).join('#') ?? warning);

describeWithTerraform('an unchanged deployment plans empty after its first apply (terraform plan -detailed-exitcode)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'second-plan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // The default rke-ha stack written, initialized and applied once (about 12 s of Terraform's CPU), in a folder of its
  // own: each test of it plans (and changes) a copy, the same files and state its own apply left before.
  let applied: string | undefined;
  afterAll(() => applied && rmSync(applied, { recursive: true, force: true }));
  /** `dir` holding `stack` written, initialized and applied once. */
  const appliedIn = (stack: StackName) => {
    if (stack !== 'rke-ha') {
      write(synthSettings(stack, DOMAIN).json, dir);
      terraformOk(dir, 'init', '-input=false');
      apply(dir);
      return;
    }
    if (applied === undefined) {
      const fresh = mkdtempSync(join(tmpdir(), 'second-plan-applied-'));
      try {
        write(synthSettings(stack, DOMAIN).json, fresh);
        terraformOk(fresh, 'init', '-input=false');
        apply(fresh);
      } catch (error) {
        rmSync(fresh, { recursive: true, force: true });
        throw error;
      }
      applied = fresh;
    }
    cpSync(applied, dir, { recursive: true });
  };

  // One plan after the apply: a plan's refresh is in memory only (HashiCorp's refresh-only tutorial says so of plan and
  // apply), so a third plan would read the configuration and state the second read and could not differ from it
  // (d0e353c ran one, about 3 s of Terraform's CPU for rke-ha); the state file is checked unchanged instead.
  it.each<StackName>(['rke-ha', 'k8s-ha', 'docker'])('%s: the second plan exits 0 with no check warning', (stack) => {
    appliedIn(stack);
    const state = readFileSync(join(dir, 'terraform.tfstate'), 'utf8');
    const second = plan(dir);
    expect(outcome(second)).toEqual({ status: 0, output: '' });
    expect(second.output).toContain('No changes.');
    expect(checkWarnings(second.output)).toEqual([]);
    // What a third plan would read is what the second read: the plan left the state as the apply wrote it.
    expect(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')).toBe(state);
  });

  it("rke-ha with standby.region (the copies, their key, log bucket and lag alarms in a second region's provider): the second plan exits 0", () => {
    write(synthSettings('rke-ha', { ...DOMAIN, ...variantSettings(STANDBY_VARIANT) }).json, dir);
    terraformOk(dir, 'init', '-input=false');
    apply(dir);
    const second = plan(dir);
    expect(outcome(second)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(second.output)).toEqual([]);
  });

  it.each<[StackName, SettingsInput]>([
    ['rke-ha', { standby: { region: 'us-west-2' } }],
    ['k8s-ha', variantSettings(K8S_STANDBY_VARIANT)],
  ])('%s turning standby.region on: the plan adds the standby and its facts, replaces and destroys nothing; the next is empty', (stack, standby) => {
    appliedIn(stack);
    turnStandbyOn(dir, stack, standby);
  });

  it.each([K8S_STANDBY_VARIANT, K8S_NO_RECORD_VARIANT])('%s: the second plan exits 0 with no check warning', (variant) => {
    write(synthSettings('k8s-ha', { ...DOMAIN, ...variantSettings(variant) }).json, dir);
    terraformOk(dir, 'init', '-input=false');
    apply(dir);
    const second = plan(dir);
    expect(outcome(second)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(second.output)).toEqual([]);
  });

  // issue 91 item 1: the failover's plan of a prepared standby reads no IAM (cli/failover/prepared-deployer.ts). What
  // Terraform core shows here: the read's count on the variable and the list's splat are valid, and the plan with the
  // read off changes nothing. (The key policy's principals are a policy document's input, which the stand-ins do not
  // evaluate: the synth test of BootParameters holds that expression.)
  it('rke-ha planned as a failover plans it (read_deployer_session false, the deployer in deployer_arns): it changes nothing', () => {
    appliedIn('rke-ha');
    const asFailover = terraformIn(
      dir,
      'plan',
      '-detailed-exitcode',
      '-input=false',
      '-var=read_deployer_session=false',
      `-var=deployer_arns=${JSON.stringify([DEPLOYER_ROLE])}`,
    );
    expect(outcome(asFailover)).toEqual({ status: 0, output: '' });
  });

  it("rke-ha: a server's report of its certificate's end (the parameter's value, ignored after creation) changes no plan", () => {
    appliedIn('rke-ha');
    // What a refresh records after cert-renewal.sh wrote the parameter: its value in the state, not in the configuration.
    const statePath = join(dir, 'terraform.tfstate');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const reports = state.resources.filter((r: any) => r.type === 'terraform_data' && /^aws_ssm_parameter__api-certificate-end_server-/.test(r.name));
    expect(reports).toHaveLength(3);
    for (const r of reports) for (const attribute of ['input', 'output']) r.instances[0].attributes[attribute].value.value = '2027-11-01T00:00:00Z';
    state.serial += 1;
    writeFileSync(statePath, JSON.stringify(state));
    expect(outcome(plan(dir))).toEqual({ status: 0, output: '' });
  });
});

describeWithTerraform("rke-ha: this machine's address outside admin_cidrs, said by every plan, which stays empty", () => {
  const folder = moduleFolder('deployer-address-', () => synthSettings('rke-ha', { ...DOMAIN, adminCidrs: ['10.8.0.0/24'] }).json, {
    known: { ...KNOWN, 'data.http.response_body': '81.2.69.7\n' },
    applied: false,
  });

  it('the first plan and an unchanged second plan warn, naming the address and the /32 to add; the second exits 0', () => {
    const first = terraformIn(folder(), 'plan', '-input=false', '-out=first.tfplan');
    expect(checkWarnings(first.output)).toEqual(['deployer_address_in_admin_cidrs#1']);
    // Terraform wraps a warning's text at the terminal's width.
    expect(first.output.replace(/\s+/g, ' ')).toMatch(/This machine's public address is 81\.2\.69\.7 [^]*Add 81\.2\.69\.7\/32 to admin_cidrs/);
    applySaved(folder(), 'first.tfplan');
    const second = plan(folder());
    expect(second.status).toBe(0);
    expect(checkWarnings(second.output)).toEqual(['deployer_address_in_admin_cidrs#1']);
  });

  it('check_deployer_address = false: no lookup, no warning', () => {
    const off = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-var', 'check_deployer_address=false');
    expect(outcome(off)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(off.output)).toEqual([]);
  });
});

describeWithTerraform('rke-ha grown from 1 server to 3, through Terraform core', () => {
  const one = () => synthSettings('rke-ha', { ...DOMAIN, rkeHa: { nodeCount: 1 } }).json;
  const three = () => synthSettings('rke-ha', DOMAIN).json;
  const folder = moduleFolder('growth-', one);

  it("the growth plan adds servers and renders no invalid check message; server-0's user data changes, which it keeps", () => {
    write(three(), folder());
    const growth = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-out=growth.tfplan');
    expect(growth.status).toBe(2);
    expect(growth.output).not.toContain('invalid error message');
    expect(growth.output).not.toMatch(/aws_instance__server-0_instance_\w+ (must be replaced|will be updated)/);
    expect(checkWarnings(growth.output)).toEqual([]);
    // The servers to be created: their lists are unknown until the apply, which Terraform says as such.
    expect(growth.output).toMatch(/Check block assertion known after apply[^]*check\.servers_up_to_date\.assert\[1\]/);
  });

  it('after the growth apply (the growth plan, applied), no server is pending replacement and the next plan is empty', () => {
    applySaved(folder(), 'growth.tfplan');
    const after = plan(folder());
    expect(outcome(after)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(after.output)).toEqual([]);
    const pending = JSON.parse(terraformOk(folder(), 'output', '-json', 'servers_pending_replacement'));
    expect(pending).toEqual({ 'server-0': [], 'server-1': [], 'server-2': [] });
  });
});

/**
 * A deployment made with the previous release's defaults (PREVIOUS_DEFAULT_VERSIONS: 0.4.0's Rancher 2.14.3 on
 * v1.35.7+rke2r1, cert-manager v1.21.1) moved to this release's through Terraform core, in the two applies the
 * upgrade rules ask for (the charts first on the running Kubernetes, then Kubernetes): each plan changes in place,
 * replaces and destroys no server, and after the last apply the plan is empty. What the cluster does in those applies
 * (the Plan's Jobs, one server at a time) is the gates' and the fake cluster's; here, Terraform's side of it.
 */
describeWithTerraform("rke-ha from the previous release's defaults to this release's, through Terraform core", () => {
  const previous = {
    rke2: PREVIOUS_DEFAULT_VERSIONS.rke2,
    rancher: PREVIOUS_DEFAULT_VERSIONS.rancher,
    certManager: PREVIOUS_DEFAULT_VERSIONS.certManager,
  };
  const made = () => synthSettings('rke-ha', { ...DOMAIN, versions: previous }).json;
  const charts = () => synthSettings('rke-ha', { ...DOMAIN, versions: { rke2: PREVIOUS_DEFAULT_VERSIONS.rke2 } }).json;
  const now = () => synthSettings('rke-ha', DOMAIN).json;
  const folder = moduleFolder('defaults-upgrade-', made);
  /** The addresses a plan changes, by action, as its text says them (`# <address> will be updated in-place`, ...). */
  const actions = (output: string) => {
    const said = (action: RegExp) => [...output.matchAll(new RegExp(`^  # (\\S+) (?:${action.source})`, 'gm'))].map((m) => m[1]);
    return { updated: said(/will be updated in-place/), replaced: said(/must be replaced|will be replaced/), destroyed: said(/will be destroyed/) };
  };
  const server = (address: string) => /aws_instance__server-\d/.test(address);

  it.each([
    ['the charts on the running Kubernetes (versions.rke2 kept)', charts, ['rancher', 'cert-manager', 'rancher-backup']],
    ['Kubernetes on the new Rancher (the default settings)', now, ['kubernetes-upgrade']],
  ] as const)('%s: a plan with changes, none to a server; no check warning; applied', (_step, next, names) => {
    write(next(), folder());
    const planned = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-out=step.tfplan');
    expect(planned.status).toBe(2);
    expect(checkWarnings(planned.output)).toEqual([]);
    const change = actions(planned.output);
    expect(change.destroyed.filter(server)).toEqual([]);
    expect(change.replaced.filter(server)).toEqual([]);
    expect(change.updated.filter(server)).toEqual([]);
    // What the step is about changes: the chart releases, or the upgrade objects (stand-ins, updated or replaced).
    for (const name of names) expect([...change.updated, ...change.replaced].some((address) => address.includes(name))).toBe(true);
    applySaved(folder(), 'step.tfplan');
  });

  it('after both applies the plan is empty', () => {
    const after = plan(folder());
    expect(outcome(after)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(after.output)).toEqual([]);
  });
});

/**
 * A running deployment in `dir` that turns `standby.region` on (issue 91, item 4's day 2), through Terraform core: the
 * plan adds the standby (its copies, and the facts and EncryptionConfiguration a failover reads there) and changes the
 * rest in place, replacing and destroying nothing; after that apply the plan is empty and no check warns. Which
 * arguments would make the AWS provider replace a resource is the model's (standby-facts.test.ts, plannedChange).
 */
function turnStandbyOn(dir: string, stack: StackName, standby: SettingsInput): void {
  write(synthSettings(stack, { ...DOMAIN, ...standby }).json, dir);
  const planned = terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false', '-out=standby.tfplan');
  expect(planned.status).toBe(2);
  const said = (action: string) => [...planned.output.matchAll(new RegExp(`^  # (\\S+) ${action}`, 'gm'))].map((m) => m[1]);
  expect(said('(?:must be replaced|will be replaced|will be destroyed)')).toEqual([]);
  const created = said('will be created');
  for (const part of [
    'aws_s3_object__standby_facts_object_',
    'aws_s3_object__standby_facts_backup-encryption_',
    'aws_ssm_parameter__standby_facts_pointer_',
  ])
    expect(created.filter((address) => address.includes(part))).toHaveLength(1);
  applySaved(dir, 'standby.tfplan');
  const after = plan(dir);
  expect(outcome(after)).toEqual({ status: 0, output: '' });
  expect(checkWarnings(after.output)).toEqual([]);
}

describeWithTerraform("the failover routing's check, as Terraform evaluates it", () => {
  // The standby region holds no standby-target parameter yet (the standby's load balancer not made ahead).
  const none: typeof KNOWN = {
    ...KNOWN,
    'data.aws_ssm_parameters_by_path[standby_dns_parameters_].names': [],
    'data.aws_ssm_parameters_by_path[standby_dns_parameters_].values': [],
  };
  const folder = moduleFolder('standby-dns-check-', () => synthSettings('k8s-ha', { ...DOMAIN, ...variantSettings(K8S_STANDBY_VARIANT) }).json, {
    known: none,
    applied: false,
  });

  it('warns at each plan that the failover cannot move the name yet, and plans no SECONDARY record', () => {
    const planned = plan(folder());
    expect(checkWarnings(planned.output)).toEqual(['standby_dns#0']);
    expect(planned.output.replace(/\s+/g, ' ')).toContain('/rancher/k8s-ha/standby-target');
    expect(planned.output).not.toMatch(/standby_dns_secondary-\S+ will be created/);
  });
});

describeWithTerraform("the standby facts' check, as Terraform evaluates it", () => {
  // The copy's listing as S3 would answer it with the facts gone (deleted, or hidden by a replicated delete marker).
  const lacking = { ...KNOWN, 'data.aws_s3_objects.keys': [STANDBY_ENCRYPTION_KEY] };
  const folder = moduleFolder('standby-facts-check-', () => synthSettings('k8s-ha', { ...DOMAIN, ...variantSettings(K8S_STANDBY_VARIANT) }).json, {
    known: lacking,
  });

  it("warns at each plan, naming the copy and what it lacks, while the copy's listing lacks the facts", () => {
    const planned = plan(folder());
    expect(checkWarnings(planned.output)).toEqual(['standby_facts#0']);
    expect(planned.output.replace(/\s+/g, ' ')).toMatch(
      /The standby's copy s3:\/\/\S+\/rancher-aws\/standby\/ \(us-west-2\) lacks rancher-aws\/standby\/facts\.json, production's facts/,
    );
  });
});

/**
 * The module a deployment with a standby was made with before the standby facts (0.5.0's layout, the base of issue
 * 91), rebuilt from this one: without the facts' blocks (`standby_facts*`: the objects, the parameter, the listing,
 * the session lookup, the local and the check) and the copies' key's grant to the deployers. Compared block by block
 * with a synth of 522699e8 when this was written: those were the only differences, for rke-ha's and k8s-ha's standby.
 */
function beforeTheFacts(json: TerraformJson): TerraformJson {
  const old = JSON.parse(JSON.stringify(json)) as TerraformJson & { data: Record<string, Record<string, any>>; check?: Record<string, unknown> };
  for (const section of [old.resource, old.data])
    for (const [type, byName] of Object.entries(section)) {
      for (const name of Object.keys(byName)) if (name.startsWith('standby_facts_')) delete byName[name];
      if (Object.keys(byName).length === 0) delete section[type];
    }
  delete old.locals!.standby_facts;
  delete old.check!.standby_facts;
  for (const document of Object.values(old.data.aws_iam_policy_document))
    document.statement = document.statement.filter((s: { sid?: string }) => s.sid !== 'DeployersUseStandbyFacts');
  return old;
}

/**
 * A deployment made before a change, upgraded through Terraform core: `before` rebuilt from today's module (`now`),
 * applied; the plan of `now` creates exactly `created` (addresses without their hash), updates nothing in place but the
 * copies' key (its policy gains statements) and replaces and destroys nothing; after that apply the plan is empty.
 */
function upgradedInPlace(prefix: string, now: () => TerraformJson, before: (json: TerraformJson) => TerraformJson, created: string[]): void {
  const folder = moduleFolder(prefix, () => before(now()));

  it(`the plan creates ${created.length} resources, updates the copies' key in place, and replaces and destroys nothing`, () => {
    write(now(), folder());
    const planned = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-out=upgrade.tfplan');
    expect(planned.status).toBe(2);
    const said = (action: string) => [...planned.output.matchAll(new RegExp(`^  # (\\S+) ${action}`, 'gm'))].map((m) => m[1]);
    expect(said('(?:must be replaced|will be replaced|will be destroyed)')).toEqual([]);
    expect(said('will be updated in-place').filter((address) => !/^terraform_data\.aws_kms_key__standby_key_/.test(address))).toEqual([]);
    expect(
      said('will be created')
        .map((address) => address.replace(/_[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(created);
    applySaved(folder(), 'upgrade.tfplan');
  });

  it('after that apply the plan is empty, with no check warning', () => {
    const after = plan(folder());
    expect(outcome(after)).toEqual({ status: 0, output: '' });
    expect(checkWarnings(after.output)).toEqual([]);
  });
}

describeWithTerraform('k8s-ha with a standby made before the standby facts, through Terraform core', () => {
  upgradedInPlace('before-facts-', () => synthSettings('k8s-ha', { ...DOMAIN, ...variantSettings(K8S_STANDBY_VARIANT) }).json, beforeTheFacts, [
    'terraform_data.aws_s3_object__standby_facts_backup-encryption',
    'terraform_data.aws_s3_object__standby_facts_object',
    'terraform_data.aws_ssm_parameter__standby_facts_pointer',
  ]);
});

/**
 * The module an rke-ha deployment with a standby was made with before the etcd break-glass role (issue 91 item 6),
 * rebuilt from this one: without the role, its policy, the token's copy and their documents (`standby_break-glass_*`)
 * and the copies' key's three statements for them.
 */
function beforeTheBreakGlass(json: TerraformJson): TerraformJson {
  const old = JSON.parse(JSON.stringify(json)) as TerraformJson & { data: Record<string, Record<string, any>> };
  for (const section of [old.resource, old.data])
    for (const [type, byName] of Object.entries(section)) {
      for (const name of Object.keys(byName)) if (name.startsWith('standby_break-glass_')) delete byName[name];
      if (Object.keys(byName).length === 0) delete section[type];
    }
  const added = ['BreakGlassReadsEtcdCopy', 'BreakGlassReadsToken', 'DeployersWriteToken'];
  for (const document of Object.values(old.data.aws_iam_policy_document))
    document.statement = document.statement.filter((s: { sid?: string }) => !added.includes(s.sid ?? ''));
  return old;
}

describeWithTerraform('rke-ha with a standby made before the etcd break-glass role, through Terraform core', () => {
  // The role, its policy and the token's copy.
  upgradedInPlace(
    'before-break-glass-',
    () => synthSettings('rke-ha', { ...DOMAIN, ...variantSettings(STANDBY_VARIANT) }).json,
    beforeTheBreakGlass,
    [
      'terraform_data.aws_iam_role__standby_break-glass_role',
      'terraform_data.aws_iam_role_policy__standby_break-glass_role-policy',
      'terraform_data.aws_ssm_parameter__standby_break-glass_token',
    ],
  );
});

/**
 * The module a deployment was made with before the servers' user data became a loader, rebuilt from this one: each
 * instance's user data and each record of it the boot document itself, without the boot bucket, its objects and their
 * grants. For the default stack this is 40d51f4's synthesized JSON exactly, but for the metadata comments (compared
 * key by key when this was written: a synth of 40d51f4's tree beside this one's).
 */
function beforeTheLoader(json: TerraformJson): TerraformJson {
  const loaders = Object.entries(json.locals ?? {}).flatMap(([name, text]) => {
    const document = /_loader_/.test(name) ? /\$\{sha256\(local\.([A-Za-z0-9_-]+)\)\}/.exec(String(text))?.[1] : undefined;
    return document ? [[name, document] as const] : [];
  });
  let text = JSON.stringify(json);
  // Every reference to a loader is one to its document (local names are letters, digits, _ and -).
  for (const [loader, document] of loaders) text = text.replace(new RegExp(`local\\.${loader}(?![\\w-])`, 'g'), `local.${document}`);
  const old = JSON.parse(text) as TerraformJson & { data: Record<string, Record<string, any>> };
  for (const [loader] of loaders) delete old.locals![loader];
  const boot = (name: string) => name.startsWith('boot-documents_') || name.includes('_boot-document_');
  for (const [type, byName] of Object.entries(old.resource)) {
    for (const name of Object.keys(byName)) if (boot(name)) delete byName[name];
    if (Object.keys(byName).length === 0) delete old.resource[type];
  }
  const documents = old.data.aws_iam_policy_document;
  for (const name of Object.keys(documents)) if (boot(name)) delete documents[name];
  const grants = new Set(['BootDocuments', 'NodesReadBootDocuments', 'DeployersWriteBootDocuments']);
  for (const document of Object.values(documents)) document.statement = document.statement.filter((s: { sid?: string }) => !grants.has(s.sid ?? ''));
  for (const instance of Object.values<any>(old.resource.aws_instance))
    instance.depends_on = instance.depends_on.filter((address: string) => !/boot-document/.test(address));
  return old;
}

describeWithTerraform("rke-ha made before the servers' boot loader, upgraded through Terraform core", () => {
  const now = () => synthSettings('rke-ha', DOMAIN).json;
  const folder = moduleFolder('before-loader-', () => beforeTheLoader(now()));

  it('the plan creates the boot bucket and the objects, changes the grants in place, and leaves every server as it is', () => {
    write(now(), folder());
    const planned = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-out=loader.tfplan');
    expect(planned.status).toBe(2);
    expect(checkWarnings(planned.output)).toEqual([]);
    const said = (action: string) => [...planned.output.matchAll(new RegExp(`^  # (\\S+) ${action}`, 'gm'))].map((m) => m[1]);
    expect(said('(?:must be replaced|will be replaced|will be destroyed)')).toEqual([]);
    expect(said('will be updated in-place').filter((address) => /aws_instance__server-\d|user-data-record/.test(address))).toEqual([]);
    const created = said('will be created');
    expect(created.filter((address) => /_boot-document_/.test(address))).toHaveLength(3);
    expect(created.filter((address) => /boot-documents_bucket_/.test(address))).toHaveLength(1);
    applySaved(folder(), 'loader.tfplan');
  });

  it('after it no server is pending replacement, and the next plan is empty', () => {
    expect(JSON.parse(terraformOk(folder(), 'output', '-json', 'servers_pending_replacement'))).toEqual({
      'server-0': [],
      'server-1': [],
      'server-2': [],
    });
    expect(outcome(plan(folder()))).toEqual({ status: 0, output: '' });
  });
});

/**
 * The module a deployment was made with before the backups' record carried the CA downstream agents trust, rebuilt
 * from this one: without the CA record (its `terraform_data`s and object) and the first backup's wait on it, its
 * time's encryption trigger the record key's digest alone (as it was).
 */
function beforeTheCaRecord(json: TerraformJson): TerraformJson {
  const old = JSON.parse(JSON.stringify(json)) as TerraformJson;
  const ca = (name: string) => /^rancher-backups_record_ca(-object|-baseline)?_/.test(name);
  for (const byName of Object.values(old.resource)) for (const name of Object.keys(byName)) if (ca(name)) delete byName[name];
  for (const release of Object.values<any>(old.resource.helm_release))
    if (release.depends_on) release.depends_on = release.depends_on.filter((address: string) => !/rancher-backups_record_ca-object_/.test(address));
  const [, object] = Object.entries<any>(old.resource.aws_s3_object).find(([name]) => name.startsWith('rancher-backups_record_object_'))!;
  const [, since] = Object.entries<any>(old.resource.terraform_data).find(([name]) => name.startsWith('rancher-backups_record_since_'))!;
  since.triggers_replace = [since.triggers_replace[0], since.triggers_replace[1], /\/encryption=(\$\{.*\})\/since=/.exec(object.key)![1]];
  return old;
}

describeWithTerraform("rke-ha made before the backups' record carried the CA, upgraded through Terraform core", () => {
  const now = () => synthSettings('rke-ha', DOMAIN).json;
  const folder = moduleFolder('before-ca-record-', () => beforeTheCaRecord(now()));

  it('the plan creates the CA record and nothing else: the record and its time stay (earlier backups stay newer than it)', () => {
    write(now(), folder());
    const planned = terraformIn(folder(), 'plan', '-detailed-exitcode', '-input=false', '-out=ca.tfplan');
    expect(planned.status).toBe(2);
    const said = (action: string) => [...planned.output.matchAll(new RegExp(`^  # (\\S+) ${action}`, 'gm'))].map((m) => m[1]);
    expect(said('(?:must be replaced|will be replaced|will be destroyed|will be updated in-place)')).toEqual([]);
    expect(
      said('will be created')
        .map((address) => address.replace(/_[A-Z0-9]+$/, ''))
        .sort(),
    ).toEqual([
      'terraform_data.aws_s3_object__rancher-backups_record_ca-object',
      'terraform_data.rancher-backups_record_ca',
      'terraform_data.rancher-backups_record_ca-baseline',
    ]);
    applySaved(folder(), 'ca.tfplan');
    expect(outcome(plan(folder()))).toEqual({ status: 0, output: '' });
  });
});

/**
 * A deployment made before the move to CDK Terrain's core and bindings (cdktf 0.21.0, AWS 6.25.0 through
 * @cdktf/provider-aws 21.22.1, random 3.7.2 through @cdktf/provider-random 12.0.1: helpers/previous-toolchain.ts
 * synthesizes it from this code with those packages), planned with this release's module through Terraform core. The
 * stand-ins keep the resources' arguments (builtin-module.ts), so an argument the new bindings write differently is
 * an update here (a changed tag on an alarm made this fail, checked once), but not on a resource with ignore_changes
 * (a changed aws_instance argument planned nothing); the provider's own side of the upgrade (its state upgrades
 * between 6.25.0 and 6.66.0) is what they cannot show (docs/toolchain.md, "Provider versions").
 */
describeWithTerraform(
  'a deployment made before the provider upgrade (AWS 6.25.0, random 3.7.2), planned with this release, through Terraform core',
  () => {
    let before: Record<StackName, TerraformJson>;
    let dir: string;
    beforeAll(() => {
      before = synthDefaultsBefore(DOMAIN);
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'provider-upgrade-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it.each<StackName>(['rke-ha', 'k8s-ha', 'docker'])(
      '%s: applied as made before, the plan of this release is empty, with no check warning',
      (stack) => {
        const now = synthSettings(stack, DOMAIN).json;
        const versions = (json: TerraformJson) =>
          Object.fromEntries(Object.entries<{ version: string }>((json.terraform as any).required_providers).map(([name, p]) => [name, p.version]));
        // What is compared: the two toolchains' modules, which differ in the provider versions they require.
        expect([versions(before[stack]), versions(now)].map((v) => [v.aws, v.random])).toEqual([
          ['6.25.0', '3.7.2'],
          ['6.66.0', '3.9.1'],
        ]);
        write(before[stack], dir);
        terraformOk(dir, 'init', '-input=false');
        apply(dir);
        write(now, dir);
        const planned = plan(dir);
        expect(outcome(planned)).toEqual({ status: 0, output: '' });
        expect(checkWarnings(planned.output)).toEqual([]);
      },
    );
  },
);
