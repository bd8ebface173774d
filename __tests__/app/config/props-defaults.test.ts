import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { COMPUTED_DEFAULTS } from '../../../app/config/computed-defaults';
import { parseSettings } from '../../../app/config/load';
import { allFieldPaths, fieldPaths } from '../../../app/config/settings-fields';
import type { Settings } from '../../../app/config/settings-schema';
import { filePathOfProp, type SectionName } from '../../../lib/config/setting-names';

/**
 * One home for each default: the section schemas state it and resolve it
 * (`.default()`); the settings file's schema and each construct's are built
 * from them (settings-schema/deployment-schemas.test.ts holds the constructs' defaults equal
 * to the file's). The props'
 * `@default` doc comments are documentation of that one value, so each literal
 * one is held to what the schema gives a settings file that leaves the field
 * out; a prose default ("3 with rke2, 2 with k3s") names a rule, not a value.
 */

const DEPLOYMENTS = join(__dirname, '..', '..', '..', 'lib', 'deployments');
const FILES = ['props.ts', 'rancher-on-rke-props.ts', 'rancher-on-existing-cluster-props.ts', 'rancher-on-docker-props.ts'];

/** Where each props interface sits in a settings file. */
const SECTION: Record<string, string> = {
  CommonDeploymentProps: '',
  DeploymentProps: '',
  PublicNameProps: '',
  AwsDeploymentProps: '',
  RancherProps: 'rancher',
  TlsProps: 'rancher.tls',
  AuditLogProps: 'rancher.auditLog',
  BootstrapProps: 'rancher.bootstrap',
  AcceptAgentChangeProps: 'rancher.acceptAgentChange',
  VersionsProps: 'versions',
  ProxyProps: 'proxy',
  AirGapProps: 'airGap',
  TimeoutsProps: 'timeouts',
  DnsProps: 'dns',
  VpcProps: 'vpc',
  DatastoreProps: 'rkeHa.datastore',
  EtcdSnapshotsProps: 'rkeHa.etcdSnapshots',
  LoadBalancerProps: 'rkeHa.loadBalancer',
  ExistingRkeNetworkProps: 'rkeHa.existingNetwork',
  ExistingDockerNetworkProps: 'docker.existingNetwork',
  BackupsProps: 'backups',
  AlarmsProps: 'alarms',
  StandbyProps: 'standby',
  // Each construct's own section, flat on its props (a settings file nests it).
  RancherOnRkeProps: 'rkeHa',
  RancherOnExistingClusterProps: 'k8sHa',
  RancherOnDockerProps: 'docker',
};

/** Shared sections a construct's props redeclare with fewer fields, by the path their place would otherwise give. */
const NARROWED: Record<string, string> = {
  'docker.rancher': 'rancher',
  // At the file's top level, but its file-only `k8sHa` (app/from-settings.ts).
  'rkeHa.standby': 'standby',
  'k8sHa.standby': 'standby',
};

/**
 * A prop's path as the settings file spells it: an existing network's VPC and subnet objects are the file's ids
 * (`existingNetwork.nodeSubnets` is `nodeSubnetIds`), the table the constructs' messages use (setting-names.ts).
 */
function settingPath(path: string): string {
  // A shared section a construct narrows to what it uses (RancherOnDockerProps.rancher) is still that section.
  if (NARROWED[path]) return NARROWED[path];
  const [section, ...rest] = path.split('.');
  if (section !== 'rkeHa' && section !== 'k8sHa' && section !== 'docker') return path;
  return `${section}.${filePathOfProp(section as SectionName, rest.join('.'))}`;
}

/**
 * Every prop of the props files with its path in settings-file terms (`rkeHa.datastore.engine`), sections
 * included, each interface placed by SECTION.
 */
function propMembers(): { readonly path: string; readonly member: ts.PropertySignature }[] {
  const out: { path: string; member: ts.PropertySignature }[] = [];
  const members = (list: ts.NodeArray<ts.TypeElement>, prefix: string) => {
    for (const member of list) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const path = settingPath(prefix ? `${prefix}.${member.name.text}` : member.name.text);
      out.push({ path, member });
      if (member.type && ts.isTypeLiteralNode(member.type)) members(member.type.members, path);
    }
  };
  for (const file of FILES) {
    const source = ts.createSourceFile(file, readFileSync(join(DEPLOYMENTS, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node)) return;
      const prefix = SECTION[node.name.text];
      if (prefix === undefined) throw new Error(`props interface ${node.name.text} has no settings section here: add it to SECTION`);
      members(node.members, prefix);
    });
  }
  return out;
}

/**
 * Settings of the file only: the state backend, the tags every resource gets (a stack's), how the app reaches an
 * existing cluster (the stack configures the providers), and the standby cluster of k8s-ha (the failover's to read).
 */
const FILE_ONLY = ['backend', 'tags', 'k8sHa.access', 'standby.k8sHa'];
/** Props no settings file gives: the app's `deployer_arns` variable. */
const PROPS_ONLY = ['deployerArns', 'readsDeployerSession'];

/**
 * One declaration per setting, held by test where generating it would be worse (docs/development.md, "One
 * declaration per setting"): the schema declares each setting and its default; the props interfaces (hand-written,
 * for their doc comments in a consumer's editor) name exactly the schema's fields, section by section.
 */
describe('the props interfaces and the settings schema', () => {
  const schemaPaths = new Set(allFieldPaths());
  const props = [...new Set(propMembers().map((m) => m.path))];
  const fileOnly = (path: string) => FILE_ONLY.some((f) => path === f || path.startsWith(`${f}.`));

  it('every prop is a setting of the same path', () => {
    expect(props.filter((p) => !schemaPaths.has(p) && !PROPS_ONLY.includes(p))).toEqual([]);
  });

  it("every setting a construct takes is a prop (fieldPaths' leaves)", () => {
    expect(fieldPaths().filter((p) => !fileOnly(p) && !props.includes(p))).toEqual([]);
  });

  it('the exceptions are still needed', () => {
    for (const path of FILE_ONLY) expect(props.some((p) => p === path || p.startsWith(`${path}.`))).toBe(false);
    for (const path of PROPS_ONLY) expect(schemaPaths.has(path)).toBe(false);
  });
});

interface DocumentedDefault {
  readonly path: string;
  readonly text: string;
}

function documentedDefaults(): DocumentedDefault[] {
  return propMembers().flatMap(({ path, member }) =>
    ts
      .getJSDocTags(member)
      .filter((tag) => tag.tagName.text === 'default')
      .map((tag) => ({ path, text: (ts.getTextOfJSDocComment(tag.comment) ?? '').replace(/\*\\\//g, '*/').trim() })),
  );
}

/** The value a `@default` text states, when it states one literally. */
function literal(text: string): { value: unknown } | undefined {
  if (/^'[^']*'$/.test(text)) return { value: text.slice(1, -1) };
  if (/^-?\d+$/.test(text)) return { value: Number(text) };
  if (text === 'true' || text === 'false') return { value: text === 'true' };
  if (text === '[]') return { value: [] };
  if (text === '{}') return { value: {} };
  return undefined;
}

/**
 * The defaults the schema leaves unset and one named function or constant resolves, because the field's absence
 * means something of its own (a VPC range only for a created network, an address only in an existing subnet, the
 * chart's environment only with Let's Encrypt, a mirror only when one is given): each documented default is held to that resolver.
 */
const RESOLVED_ELSEWHERE: Record<string, (defaults: Settings) => unknown> = {
  // The settings reference's table of them (app/config/computed-defaults.ts), each held here to its first case.
  ...Object.fromEntries(Object.entries(COMPUTED_DEFAULTS).map(([path, computed]) => [path, computed.cases[0].value])),
  // Not a settings field (the app's `deployer_arns` variable): none besides the identity running Terraform.
  deployerArns: () => [],
  // Not a settings field (the app's `read_deployer_session` variable): each plan reads the identity running it.
  readsDeployerSession: () => true,
};

const valueAt = (value: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);

describe("the props' @default comments", () => {
  const documented = documentedDefaults();
  const literals = documented.flatMap((d) => {
    const parsed = literal(d.text);
    return parsed ? [{ ...d, value: parsed.value }] : [];
  });
  const schemaDefaults = parseSettings({}, 'defaults');

  it('are found (the scan works)', () => {
    expect(documented.length).toBeGreaterThan(60);
    expect(literals.map((d) => d.path)).toEqual(
      expect.arrayContaining(['rancher.replicas', 'rkeHa.instanceType', 'timeouts.apiMinutes', 'docker.instanceType']),
    );
  });

  it.each(literals.map((d) => [d.path, d.text, d.value] as const))(
    '%s: %s is what the schema gives a file that leaves it out',
    (path, _text, value) => {
      const resolve = RESOLVED_ELSEWHERE[path];
      expect(resolve ? resolve(schemaDefaults) : valueAt(schemaDefaults, path)).toEqual(value);
    },
  );

  it('name no resolver the schema does not need: each field resolved elsewhere is left unset by the schema', () => {
    for (const path of Object.keys(RESOLVED_ELSEWHERE)) expect(valueAt(schemaDefaults, path)).toBeUndefined();
  });
});

describe("the settings table's defaults (docs/settings-file.md)", () => {
  const table = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'settings-file.md'), 'utf8');
  // Rows whose default is one literal in backticks; prose ("unset → variable ...", "the engine's") and cells naming
  // another field or a template (`region`, `proxy.http`, `rancher/<stack>.tfstate`) say what the resolver does.
  const rows = [...table.matchAll(/^\| `([A-Za-z0-9.]+)` \| `([^`]*)` \| /gm)]
    .map((m) => ({ path: m[1], cell: m[2] }))
    .filter((row) => !row.cell.includes('<') && !fieldPaths().includes(row.cell));
  const schemaDefaults = parseSettings({}, 'defaults');
  const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

  it('are found (the scan works)', () => {
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining(['rancher.replicas', 'rkeHa.vpcCidr', 'versions.rke2']));
  });

  it.each(rows.map((r) => [r.path, r.cell] as const))('%s: `%s` is the one resolved default', (path, cell) => {
    const resolve = RESOLVED_ELSEWHERE[path];
    expect(shown(resolve ? resolve(schemaDefaults) : valueAt(schemaDefaults, path))).toBe(cell);
  });
});
