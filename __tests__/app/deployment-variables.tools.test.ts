import { FQDN, isReservedDomain } from '../../lib/config/primitives';
import { dataSources, settingsAccept } from '../helpers/synth';
import { describeWithTerraform, evaluate, evaluateEach, expressionOf, planVariables } from '../helpers/terraform';
import { synth } from './deployment-variables.setup';

/** admin_cidrs' documentation-range rule, by its message. */
const documentationRule = (rules: { condition: string; error_message: string }[]) =>
  rules.find((r) => r.error_message.includes('reserved for documentation'))!;

describe('DeploymentVariables (no settings)', () => {
  const { json } = synth({});

  describeWithTerraform('the NAT pool check, evaluated by terraform', () => {
    const [check] = dataSources(json, 'http').deployer_ip.lifecycle.postcondition;
    // The two answers as checkip gives them (with a newline), in place of the references.
    const answers = (first: string, second: string) => (text: string) =>
      text
        .replace(/self\.response_body/g, JSON.stringify(`${first}\n`))
        .replace(/one\(data\.http\.deployer_ip_again\[\*\]\.response_body\)/g, JSON.stringify(`${second}\n`));

    it('holds when both lookups see one address, fails when they differ, and then names both', () => {
      expect(evaluate(answers('198.51.100.7', '198.51.100.7')(expressionOf(check.condition)))).toBe(true);
      expect(evaluate(answers('198.51.100.7', '198.51.100.9')(expressionOf(check.condition)))).toBe(false);
      expect(evaluate(answers('198.51.100.7', '198.51.100.9')(JSON.stringify(check.error_message)))).toMatch(
        /answered 198\.51\.100\.7, then 198\.51\.100\.9: /,
      );
    });
  });
});

/** admin_cidrs lists and whether the validation must accept them. */
const ADMIN_CASES: [string, string[], boolean][] = [
  ['empty (the deployer IP is used)', [], true],
  ['one network', ['10.8.0.0/16'], true],
  ['a host and a large network', ['81.2.69.7/32', '10.0.0.0/8'], true],
  ['the smallest non-/0 prefix', ['0.0.0.0/1'], true],
  ['host bits set', ['10.8.0.5/16'], false],
  ['one bad entry among good ones', ['10.0.0.0/8', '10.8.0.5/16'], false],
  ['/0', ['0.0.0.0/0'], false],
  ['/0 with a different address', ['10.0.0.0/0'], false],
  ['garbage', ['not-a-cidr'], false],
  ['an address without prefix', ['81.2.69.7'], false],
  ['an empty string', [''], false],
  ['a prefix over 32', ['10.0.0.0/33'], false],
  ['an octet over 255', ['10.0.256.0/24'], false],
  ['a leading-zero octet', ['010.0.0.0/8'], false],
  ['IPv6', ['2001:db8::/32'], false],
  ['IPv6 /0', ['::/0'], false],
  // The ranges reserved for documentation (RFC 5737), and blocks inside them; their neighbours and a block holding one are networks.
  ['TEST-NET-1', ['192.0.2.0/24'], false],
  ['TEST-NET-2', ['198.51.100.0/24'], false],
  ['TEST-NET-3', ['203.0.113.0/24'], false],
  ['a host in TEST-NET-2', ['198.51.100.7/32'], false],
  ['half of TEST-NET-3 beside a real network', ['10.0.0.0/8', '203.0.113.128/25'], false],
  ['the /24 below TEST-NET-3', ['203.0.112.0/24'], true],
  ['the /24 above TEST-NET-1', ['192.0.3.0/24'], true],
  ['a /16 holding TEST-NET-3', ['203.0.0.0/16'], true],
];

/** deployer_arns lists and whether the validation must accept them. */
const DEPLOYER_CASES: [string, string[], boolean][] = [
  ['empty (only the identity running Terraform)', [], true],
  ['a role', ['arn:aws:iam::123456789012:role/deployer'], true],
  [
    'a role with a path, and a user',
    ['arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123', 'arn:aws:iam::123456789012:user/ops'],
    true,
  ],
  ['another partition', ['arn:aws-us-gov:iam::123456789012:role/deployer'], true],
  ['an assumed-role session', ['arn:aws:sts::123456789012:assumed-role/deployer/session'], false],
  ['the account root', ['arn:aws:iam::123456789012:root'], false],
  ['a role name alone', ['deployer'], false],
  ['a group', ['arn:aws:iam::123456789012:group/admins'], false],
  ['a wildcard', ['*'], false],
];

/** rancher_hostname values and whether the validation must accept them. */
const HOSTNAME_CASES: [string, boolean][] = [
  ['rancher.example.com', true],
  ['a.b', true],
  ['rancher-1.eu-west-1.example.co.uk', true],
  ['xn--bcher-kva.example', true],
  ['0rancher.example.com', true],
  [`${'a'.repeat(63)}.example.com`, true],
  ['rancher', false],
  ['Rancher.example.com', false],
  ['rancher_1.example.com', false],
  ['-rancher.example.com', false],
  ['rancher-.example.com', false],
  ['rancher..example.com', false],
  ['rancher.example.com.', false],
  ['.example.com', false],
  ['https://rancher.example.com', false],
  ['rancher.example.com/ping', false],
  ['rancher example.com', false],
  [`${'a'.repeat(64)}.example.com`, false],
  ['', false],
];

describeWithTerraform('DeploymentVariables validations, evaluated by Terraform', () => {
  const { json } = synth({});
  const adminValidations = json.variable!.admin_cidrs.validation;
  const adminCondition = expressionOf(adminValidations[0].condition);
  // A single block as the settings judge it: its form, and outside the documentation ranges (the last rule).
  const singleBlockCondition = `(${adminCondition}) && (${expressionOf(documentationRule(adminValidations).condition)})`;
  const hostnameCondition = expressionOf(json.variable!.rancher_hostname.validation[0].condition);
  const literal = (value: unknown) => JSON.stringify(value);

  // One `terraform console` run for every case: the condition with the variable replaced by a literal.
  // In beforeAll, not the describe body: a body runs while jest collects the tests, before any is filtered out.
  let admin: boolean[] = [];
  let hostnames: boolean[] = [];
  let deployers: boolean[] = [];
  beforeAll(() => {
    const deployerCondition = expressionOf(json.variable!.deployer_arns.validation[0].condition);
    const cases = (condition: string, variable: string, values: unknown[]) =>
      `[${values.map((v) => condition.split(variable).join(literal(v))).join(', ')}]`;
    [deployers, admin, hostnames] = evaluateEach([
      cases(
        deployerCondition,
        'var.deployer_arns',
        DEPLOYER_CASES.map(([, arns]) => arns),
      ),
      cases(
        singleBlockCondition,
        'var.admin_cidrs',
        ADMIN_CASES.map(([, cidrs]) => cidrs),
      ),
      cases(
        hostnameCondition,
        'var.rancher_hostname',
        HOSTNAME_CASES.map(([name]) => name),
      ),
    ]) as boolean[][];
  });

  it.each(ADMIN_CASES.map(([name, cidrs, ok], i) => [name, cidrs, ok, i] as const))('admin_cidrs %s %j → %s', (_name, _cidrs, ok, i) => {
    expect(admin[i]).toBe(ok);
  });

  it.each(DEPLOYER_CASES.map(([name, arns, ok], i) => [name, arns, ok, i] as const))('deployer_arns %s %j → %s', (_name, _arns, ok, i) => {
    expect(deployers[i]).toBe(ok);
  });

  it.each(HOSTNAME_CASES.map(([name, ok], i) => [name, ok, i] as const))('rancher_hostname %j → %s', (_name, ok, i) => {
    expect(hostnames[i]).toBe(ok);
  });

  it('evaluates the hostname condition against a real variable the same way', () => {
    expect(evaluate(hostnameCondition, { rancher_hostname: 'rancher.example.com' })).toBe(true);
    expect(evaluate(hostnameCondition, { rancher_hostname: 'Rancher.example.com' })).toBe(false);
  });

  it('agrees with the settings file’s hostname rule on every case', () => {
    HOSTNAME_CASES.forEach(([name], i) => expect({ name, terraform: hostnames[i] }).toEqual({ name, terraform: FQDN.test(name) }));
  });

  it('resolves admin_cidrs_effective to the list, or the trimmed deployer IP as a /32', () => {
    const local = expressionOf(json.locals!.admin_cidrs_effective);
    const withLookup = (cidrs: string[], body: string[]) =>
      evaluate(local.split('var.admin_cidrs').join(literal(cidrs)).split('data.http.deployer_ip[*].response_body').join(literal(body)));
    expect(withLookup([], ['198.51.100.7\n'])).toEqual(['198.51.100.7/32']);
    expect(withLookup(['203.0.113.0/24'], [])).toEqual(['203.0.113.0/24']);
  });

  it('counts the deployer lookup 1 for an empty list, 0 otherwise', () => {
    const count = expressionOf(dataSources(json, 'http').deployer_ip.count);
    expect(evaluate(count.split('var.admin_cidrs').join('[]'))).toBe(1);
    expect(evaluate(count.split('var.admin_cidrs').join(literal(['10.8.0.0/16'])))).toBe(0);
  });

  it.each([['0.0.0.0/00'], ['10.0.0.0/08'], ['010.0.0.0/8']])(
    'refuses the non-canonical %s (a /0 in disguise, or what AWS reads differently)',
    (cidr) => {
      expect(evaluate(adminCondition.split('var.admin_cidrs').join(literal([cidr])))).toBe(false);
    },
  );
});

const EVERY_SLASH_8 = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);

/** admin_cidrs lists whose entries each pass, and whether together they must (they may not cover the whole internet). */
const UNION_CASES: [string, string[], boolean][] = [
  ['two halves', ['0.0.0.0/1', '128.0.0.0/1'], false],
  ['every /8', EVERY_SLASH_8, false],
  ['every /8 but one', EVERY_SLASH_8.slice(0, 255), true],
  [
    'a half and two quarters, with a block nested in them and a duplicate',
    ['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2', '0.0.0.0/1'],
    false,
  ],
  ['a half, a quarter and a block inside the half', ['0.0.0.0/1', '128.0.0.0/2', '10.0.0.0/8'], true],
  ['one half', ['0.0.0.0/1'], true],
  ['256 hosts', Array.from({ length: 256 }, (_, i) => `10.0.${i}.1/32`), true],
  ['empty', [], true],
];

/** rancher_hostname and route53_zone_name pairs, and whether the name lies in the zone. */
const ZONE_CASES: [string, string, boolean][] = [
  ['rancher.acme.io', 'acme.io', true],
  ['a.b.acme.io', 'acme.io', true],
  ['acme.io', 'acme.io', true],
  ['rancher.acme.io', 'rancher.acme.io', true],
  ['rancher.other.io', 'acme.io', false],
  ['rancheracme.io', 'acme.io', false],
  ['rancher.acme.io.evil.com', 'acme.io', false],
  ['acme.io', 'rancher.acme.io', false],
];

describeWithTerraform('DeploymentVariables validations in a plan, as a pipeline meets them', () => {
  const { json } = synth({});
  const variables = json.variable!;
  const site = { rancher_hostname: 'rancher.acme.io', route53_zone_name: 'acme.io' };

  it.each(UNION_CASES)('admin_cidrs %s → accepted: %s', (_name, cidrs, ok) => {
    const outcome = planVariables(variables, { ...site, admin_cidrs: cidrs });
    // Over 58 entries the count rule refuses the list too (the case after this one); the union rule is judged alone.
    if (cidrs.length <= 58) expect(outcome.accepted).toBe(ok);
    else expect(outcome.text).toContain(`admin_cidrs lists ${cidrs.length} networks, too many`);
    if (ok) expect(outcome.text).not.toContain('admin_cidrs together cover the whole internet');
    else expect(outcome.text).toContain('admin_cidrs together cover the whole internet');
  });

  it.each(ZONE_CASES)('rancher_hostname %s in route53_zone_name %s → accepted: %s, as the settings file decides', (hostname, zone, ok) => {
    const outcome = planVariables(variables, { rancher_hostname: hostname, route53_zone_name: zone });
    expect(outcome.accepted).toBe(ok);
    expect(settingsAccept({ hostname, hostedZone: zone })).toBe(ok);
    if (!ok) expect(outcome.text).toContain(`rancher_hostname "${hostname}" is not inside route53_zone_name "${zone}"`);
  });

  it('refuses a malformed zone name, saying which variable', () => {
    const outcome = planVariables(variables, { rancher_hostname: 'rancher.acme.io', route53_zone_name: 'acme.io.' });
    expect(outcome.accepted).toBe(false);
    expect(outcome.text).toContain('route53_zone_name must be a lower-case DNS name such as example.com, without the trailing dot.');
  });

  it('accepts and refuses every zone name as the settings file does', () => {
    const zone = expressionOf(variables.route53_zone_name.validation[0].condition);
    const results = evaluate(
      `[${HOSTNAME_CASES.map(([name]) => zone.split('var.route53_zone_name').join(JSON.stringify(name))).join(', ')}]`,
    ) as boolean[];
    HOSTNAME_CASES.forEach(([name], i) => expect({ name, terraform: results[i] }).toEqual({ name, terraform: settingsAccept({ hostedZone: name }) }));
  });

  it('accepts and refuses every single admin CIDR as the settings file does', () => {
    const rules = variables.admin_cidrs.validation;
    const canonical = `(${expressionOf(rules[0].condition)}) && (${expressionOf(documentationRule(rules).condition)})`;
    const results = evaluate(
      `[${ADMIN_CASES.map(([, cidrs]) => canonical.split('var.admin_cidrs').join(JSON.stringify(cidrs))).join(', ')}]`,
    ) as boolean[];
    ADMIN_CASES.forEach(([name, cidrs], i) =>
      expect({ name, terraform: results[i] }).toEqual({ name, terraform: settingsAccept({ adminCidrs: cidrs }) }),
    );
  });

  it('refuses a documentation domain as zone and hostname at plan time, naming it, as the settings file refuses the zone', () => {
    // Terraform skips the hostname's rules that read a zone it refused: one message for the pair copied from an example.
    const both = planVariables(variables, { rancher_hostname: 'rancher.example.com', route53_zone_name: 'example.com' });
    expect(both.accepted).toBe(false);
    expect(both.text).toContain('route53_zone_name "example.com" is reserved for documentation (example.com, example.net, example.org');
    const hostname = planVariables(variables, { rancher_hostname: 'rancher.example.com', route53_zone_name: 'acme.io' });
    expect(hostname.accepted).toBe(false);
    expect(hostname.text).toContain('rancher_hostname "rancher.example.com" is in a domain reserved for documentation');
    expect(planVariables(variables, { rancher_hostname: 'rancher.acme.test', route53_zone_name: 'acme.test' }).accepted).toBe(false);
  });

  it('refuses exactly the domains the settings loader refuses (primitives.ts isReservedDomain), zone and hostname alike', () => {
    const names = [
      ...['example.com', 'example.net', 'example.org', 'rancher.example.com', 'a.example', 'example', 'rancher.acme.test'],
      ...['x.invalid', 'app.localhost', 'localhost', 'EXAMPLE.COM', 'Rancher.Example.Org'],
      ...['acme.io', 'example.co.uk', 'myexample.com', 'example.com.acme.io', 'examples.com', 'testing.io', 'contest', 'test.acme.io'],
    ];
    const [zoneRule, hostnameRule] = [variables.route53_zone_name.validation[1], variables.rancher_hostname.validation[2]].map((v) =>
      expressionOf(v.condition),
    );
    const results = evaluate(
      `[${names.flatMap((name) => [zoneRule.split('var.route53_zone_name').join(JSON.stringify(name)), hostnameRule.split('var.rancher_hostname').join(JSON.stringify(name))]).join(', ')}]`,
    ) as boolean[];
    names.forEach((name, i) =>
      expect({ name, zone: results[2 * i], hostname: results[2 * i + 1] }).toEqual({
        name,
        zone: !isReservedDomain(name),
        hostname: !isReservedDomain(name),
      }),
    );
    // Both kinds are in the list: the rule is not one that accepts or refuses everything.
    expect(new Set(names.map(isReservedDomain))).toEqual(new Set([true, false]));
  });

  it.each([
    ['no SSH', {}, 58],
    ['rkeHa.sshKeyName (6443 and SSH per network on the node group)', { rkeHa: { sshKeyName: 'ops' } }, 45],
  ])('admin_cidrs with %s: as many networks as the settings file takes, and one more refused with the limit', (_what, input, max) => {
    const limited = synth(input).json.variable!;
    const networks = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`);
    const at = planVariables(limited, { ...site, admin_cidrs: networks(max) });
    const over = planVariables(limited, { ...site, admin_cidrs: networks(max + 1) });
    expect({ at: at.accepted, over: over.accepted }).toEqual({ at: true, over: false });
    expect({
      at: settingsAccept({ ...input, adminCidrs: networks(max) }),
      over: settingsAccept({ ...input, adminCidrs: networks(max + 1) }),
    }).toEqual({
      at: true,
      over: false,
    });
    expect(over.text).toContain(`admin_cidrs lists ${max + 1} networks, too many`);
    expect(over.text).toContain(`list at most ${max}, using wider blocks`);
  });

  it('refuses a hostname longer than a certificate name takes where an issuer names the certificate after it, as the settings file does', () => {
    const acm = { rancher: { tls: { mode: 'external', issuer: 'acme' } } };
    const name = (length: number) => `${'a'.repeat(length - '.acme.io'.length)}.acme.io`;
    const outcome = (input: Record<string, unknown>, length: number) => ({
      plan: planVariables(synth(input).json.variable!, { rancher_hostname: name(length), route53_zone_name: 'acme.io' }).accepted,
      settings: settingsAccept({ ...input, hostname: name(length), hostedZone: 'acme.io' }),
    });
    expect(outcome(acm, 64)).toEqual({ plan: true, settings: true });
    expect(outcome(acm, 65)).toEqual({ plan: false, settings: false });
    expect(outcome({}, 65)).toEqual({ plan: true, settings: true });
    const refused = planVariables(synth(acm).json.variable!, { rancher_hostname: name(65), route53_zone_name: 'acme.io' });
    expect(refused.text).toContain('has 65 characters, and ACM (rancher.tls mode external, issuer acme) takes at most 64 for the certificate');
  });

  it('refuses a documentation range in a plan with the fix in its message', () => {
    const outcome = planVariables(variables, { ...site, admin_cidrs: ['203.0.113.0/24'] });
    expect(outcome.accepted).toBe(false);
    expect(outcome.text).toContain('admin_cidrs holds a block inside an address range reserved for documentation');
    expect(outcome.text).toContain('curl https://checkip.amazonaws.com');
  });
});

/** admin_cidrs of a dual-stack stack (rkeHa.dualStack): either family, each canonical; and whether it must accept them. */
const DUAL_STACK_ADMIN_CASES: [string, string[], boolean][] = [
  ['empty (the deployer IP is used)', [], true],
  ['IPv4 alone', ['10.8.0.0/16'], true],
  ['IPv6 alone', ['fd12:3456:789a::/48'], true],
  ['both families', ['10.8.0.0/16', 'fd12:3456:789a::/48', '2600:1f18:4a3:6a00::/56'], true],
  ['an IPv6 host', ['2600:1f18:4a3:6a00::7/128'], true],
  ['the smallest non-/0 IPv6 prefix', ['8000::/1'], true],
  ['IPv6 host bits set', ['2001:db8::7/64'], false],
  ['IPv6 upper case', ['2001:DB8::/32'], false],
  ['IPv6 not compressed', ['2001:db8:0:0:0:0:0:0/32'], false],
  ['IPv6 leading zeros', ['2001:0db8::/32'], false],
  ['IPv6 /0', ['::/0'], false],
  ['IPv6 prefix over 128', ['2001:db8::/129'], false],
  ['IPv4 host bits beside good IPv6', ['fd12:3456:789a::/48', '10.8.0.5/16'], false],
  ['IPv4 /0', ['0.0.0.0/0'], false],
  ['garbage', ['not-a-cidr'], false],
  // RFC 3849's documentation prefix and blocks inside it; its neighbour and a block holding it are networks.
  ['the IPv6 documentation prefix', ['2001:db8::/32'], false],
  ['a block inside it', ['2001:db8:1::/48'], false],
  ['a host inside it beside a network', ['2600:1f18:4a3:6a00::/56', '2001:db8::7/128'], false],
  ['an IPv4 documentation range in a dual-stack list', ['fd12:3456:789a::/48', '192.0.2.0/24'], false],
  ['the /32 above it', ['2001:db9::/32'], true],
  ['a /24 holding it', ['2001:d00::/24'], true],
];

/** Lists that each family's whole-internet check must refuse (true: refused). */
const COVERAGE_CASES: [string, string[], boolean][] = [
  ['two IPv4 halves', ['0.0.0.0/1', '128.0.0.0/1'], true],
  ['two IPv6 halves', ['::/1', '8000::/1'], true],
  ['one IPv6 half and one IPv4 half', ['::/1', '128.0.0.0/1'], false],
  ['IPv4 and IPv6 networks', ['10.8.0.0/16', 'fd12:3456:789a::/48'], false],
];

describeWithTerraform('DeploymentVariables of a dual-stack stack: admin_cidrs, evaluated by Terraform', () => {
  const { json } = synth({}, { ipv6AdminCidrs: true });
  const [form, ipv4Coverage, ipv6Coverage, documentation] = json.variable!.admin_cidrs.validation.map((v: { condition: string }) =>
    expressionOf(v.condition),
  );
  const format = `(${form}) && (${documentation})`;
  let accepted: boolean[] = [];
  let coverage: boolean[][] = [];
  beforeAll(() => {
    const cases = (condition: string, values: string[][]) =>
      `[${values.map((v) => condition.split('var.admin_cidrs').join(JSON.stringify(v))).join(', ')}]`;
    const lists = COVERAGE_CASES.map(([, cidrs]) => cidrs);
    [accepted, ...coverage] = evaluateEach([
      cases(
        format,
        DUAL_STACK_ADMIN_CASES.map(([, cidrs]) => cidrs),
      ),
      cases(ipv4Coverage, lists),
      cases(ipv6Coverage, lists),
    ]) as boolean[][];
  });

  it.each(DUAL_STACK_ADMIN_CASES.map(([name, cidrs, ok], i) => [name, cidrs, ok, i] as const))('admin_cidrs %s %j → %s', (_name, _cidrs, ok, i) => {
    expect(accepted[i]).toBe(ok);
  });

  it.each(COVERAGE_CASES.map(([name, cidrs, refused], i) => [name, cidrs, refused, i] as const))(
    'the whole-internet checks: %s %j → refused %s',
    (_name, _cidrs, refused, i) => {
      // Each check holds (true) unless its family covers everything; one of the two refusing refuses the list.
      expect(!(coverage[0][i] && coverage[1][i])).toBe(refused);
    },
  );

  it('keeps the IPv4 stack’s variable as it was: IPv6 refused there', () => {
    const { json: ipv4 } = synth({});
    expect(ipv4.variable!.admin_cidrs.validation).toHaveLength(4);
    expect(ipv4.variable!.admin_cidrs.validation[0].error_message).toMatch(/^admin_cidrs must be IPv4 CIDR blocks/);
  });
});

describe('the deployer address check, evaluated by terraform', () => {
  const { json } = synth({ adminCidrs: ['10.8.0.0/24'] }, { deployerAddressCheck: true });
  const [answered, inside] = (json as any).check.deployer_address_in_admin_cidrs.assert as { condition: string; error_message: string }[];
  /** An assertion with checkip's answer (with its newline), its status and admin_cidrs in place of the references. */
  const given = (text: string, body: string | null, cidrs: string[], status = 200) =>
    text
      .replace(/length\(data\.http\.deployer_address\[\*\]\.(response_body|status_code)\)/g, body === null ? '0' : '1')
      .replace(/one\(data\.http\.deployer_address\[\*\]\.response_body\)/g, JSON.stringify(`${body}\n`))
      .replace(/one\(data\.http\.deployer_address\[\*\]\.status_code\)/g, String(status))
      .replace(/var\.admin_cidrs/g, JSON.stringify(cidrs));
  /** A message as Terraform renders it: a heredoc template, whose interpolations may hold quotes as written. */
  const message = (text: string, body: string, cidrs: string[], status = 200) =>
    String(evaluate(`<<EOT\n${given(text, body, cidrs, status)}\nEOT\n`)).trim();
  const holds = (body: string | null, cidrs: string[], status = 200) =>
    evaluateEach([answered, inside].map((a) => given(expressionOf(a.condition), body, cidrs, status)));

  it.each<[string, string, string[]]>([
    ['inside a /24', '10.8.0.5', ['10.8.0.0/24']],
    ['its own /32', '81.2.69.7', ['10.0.0.0/8', '81.2.69.7/32']],
    ['inside a /1', '81.2.69.7', ['0.0.0.0/1']],
  ])('no warning for an address %s', (_, body, cidrs) => {
    expect(holds(body, cidrs)).toEqual([true, true]);
  });

  it.each<[string, string, string[]]>([
    ['next to the /24', '10.8.1.5', ['10.8.0.0/24']],
    ['in none of several', '81.2.69.7', ['10.0.0.0/8', '81.2.69.8/32', '192.168.0.0/16']],
    ['listed only as another address of the same /31', '81.2.69.7', ['81.2.69.6/32']],
  ])('warns for an address %s, naming it, the list and the /32 to add', (_, body, cidrs) => {
    expect(holds(body, cidrs)).toEqual([true, false]);
    const text = message(inside.error_message, body, cidrs);
    expect(text).toContain(
      `This machine's public address is ${body} (https://checkip.amazonaws.com), and admin_cidrs (${cidrs.join(', ')}) does not hold it`,
    );
    expect(text).toContain(`Add ${body}/32 to admin_cidrs (settings: adminCidrs)`);
  });

  it('says the lookup gave no address for an error page or a failed status, and judges nothing by it', () => {
    expect(holds('<html>Service Unavailable</html>', ['10.8.0.0/24'], 503)).toEqual([false, true]);
    expect(holds('10.8.0.5', ['10.8.0.0/24'], 503)).toEqual([false, true]);
    expect(message(answered.error_message, '', ['10.8.0.0/24'], 503)).toContain('did not answer with an address (status 503)');
  });

  it('holds without a lookup (check_deployer_address = false, an empty or IPv6-holding list)', () => {
    expect(holds(null, ['10.8.0.0/24'])).toEqual([true, true]);
  });
});
