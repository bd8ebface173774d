import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { SettingsError, type SettingsProblem } from '../../lib/config/errors';
import { parseSettings } from '../../app/config/load';
import type { Settings, SettingsInput } from '../../app/config/settings-schema';
import type { BindingSchema } from '../../lib/synth/block-schema';
import type { OutputFormat } from '../../lib/synth/output-format';
import { BOOT_LOADER_PATH } from '../../lib/nodes/private/boot-loader';

/*
 * cdktf and the synth modules, loaded on first use. Jest evaluates every module again in each test file, and cdktf
 * with its dependencies is about 380 modules (0.1-0.2 s of CPU a file): the settings tests use this file for
 * settings() and settingsProblems() alone and never synthesize, so they do not pay for it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, typed by the modules' own types */
const cdktf = () => require('cdktf') as typeof import('cdktf');
const blockSchema = () => require('../../lib/synth/block-schema') as typeof import('../../lib/synth/block-schema');
const stackOutput = () => require('../../lib/synth/stack-output') as typeof import('../../lib/synth/stack-output');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The synthesized Terraform JSON of one stack. */
export type TerraformJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  variable?: Record<string, any>;
  locals?: Record<string, any>;
  resource: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  /** Resources forgotten without being destroyed (Terraform's `removed` blocks). */
  removed?: { from: string; lifecycle: { destroy: boolean } }[];
};

export function settings(input: SettingsInput | Record<string, unknown> = {}): Settings {
  return parseSettings(input, 'test');
}

/** The problems the settings file refuses this input with; [] when it accepts it. */
export function settingsProblems(input: unknown): SettingsProblem[] {
  try {
    parseSettings(input, 'test');
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
}

/** Whether the settings file accepts this input (the rules a synth applies before writing anything). */
export function settingsAccept(input: SettingsInput | Record<string, unknown>): boolean {
  try {
    settings(input);
    return true;
  } catch {
    return false;
  }
}

/** Synthesizes into a temporary directory (App.synth writes cdk.tf.json), hands it to `read` with the stack, and removes it. */
function inScratchOutdir<T>(build: (app: App) => TerraformStack, read: (outdir: string, stack: TerraformStack) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'rancher-synth-'));
  try {
    const app = new (cdktf().App)({ outdir });
    const stack = build(app);
    app.synth();
    return read(outdir, stack);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes a stack the way `cdktf synth` does (the same steps as
 * App.synth: prepareStack, which for an app of one stack is its backend alone,
 * aspects, every construct validation, the stack's Terraform JSON), in memory: writing cdk.tf.json with its sorted-key
 * stringify was most of the cost of a test synth and proves nothing more
 * (synthStackFolder does write it). `text` is the JSON as Terraform reads it.
 */
export function synthStack(build: (app: App) => TerraformStack): { json: TerraformJson; text: string } {
  const shared = workerOutdir();
  const { App, Aspects, TerraformStack } = cdktf();
  const app = new App({ outdir: shared ?? mkdtempSync(join(tmpdir(), 'rancher-synth-')) });
  try {
    const stack = build(app);
    // App.synth would apply aspects first; no construct here has one, and a new one must not pass unnoticed.
    const aspects = stack.node.findAll().filter((node) => Aspects.of(node).all.length > 0);
    if (aspects.length > 0) throw new Error(`synthStack does not apply aspects (found on ${aspects[0].node.path}): use App.synth`);
    const stacks = app.node.findAll().filter(TerraformStack.isStack);
    // prepareStack is the backend's default, then a whole resolve of the stack whose result it drops: a third of a
    // synth. That resolve only finds references between stacks (cdktf 0.21 tfExpression.js, Reference.resolve: it
    // acts on `preparing` only when the reference's stack is not the one resolving it), and an app of one stack has
    // none, so it gets the backend alone. variants.tools.test.ts holds the texts equal to App.synth's, byte for byte.
    if (stacks.length === 1) stack.ensureBackendExists();
    else for (const s of stacks) s.prepareStack();
    stack.runAllValidations();
    return stackTerraform(stack);
  } finally {
    if (!shared) rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** A prepared stack's Terraform JSON, keys sorted as cdktf writes cdk.tf.json, and its text as Terraform reads it. */
export function stackTerraform(stack: TerraformStack): { json: TerraformJson; text: string } {
  const json = sortedKeys(stack.toTerraform()) as TerraformJson;
  return { json, text: JSON.stringify(json, null, 2) };
}

/**
 * The outdir of synthStack's apps in a unit-tier run: cdktf's App makes the
 * folder and its `stacks/` when built, and synthStack writes nothing else, so
 * one per worker serves every synth (under the run's folder, which the global
 * teardown removes) instead of a new one made and removed for each.
 */
const workerOutdir = () => (process.env.RANCHER_TEST_SYNTH_SHARE ? join(process.env.RANCHER_TEST_SYNTH_SHARE, `app-${process.pid}`) : undefined);

/**
 * An App for constructs a test builds and never synthesizes. cdktf's App makes
 * its outdir when built (`cdktf.out` in the working directory unless told), so
 * it gets synthStack's folder, or one folder under the system's temporary
 * directory: never the repository or a path outside the temporary ones.
 */
export function unsynthesizedApp(): App {
  return new (cdktf().App)({ outdir: workerOutdir() ?? join(tmpdir(), 'rancher-test-unsynthesized') });
}

/** A copy with every object's keys in sorted order (as cdktf writes cdk.tf.json). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export interface StackFolder {
  /** The Terraform JSON cdktf synthesized, before it was turned into the requested format. */
  readonly json: TerraformJson;
  readonly text: string;
  /** Every file left in the stack's folder, by name (the assets folder aside). */
  readonly files: Record<string, string>;
  /** Every file under the folder's `assets/` (TerraformAsset copies), by path from the folder. */
  readonly assets: Record<string, string>;
  /** The stack's entry in cdktf's manifest.json. */
  readonly manifest: { synthesizedStackPath: string; stackMetadataPath: string };
  /** Which keys are blocks, as the HCL output read them from the provider bindings. */
  readonly schema: BindingSchema;
}

/** Synthesizes a stack as main.ts does: cdktf writes JSON, then the stack folder is left in `format`. */
export function synthStackFolder(build: (app: App) => TerraformStack, format: OutputFormat): StackFolder {
  return inScratchOutdir(build, (outdir, stack) => {
    const folder = join(outdir, 'stacks', stack.node.id);
    const text = readFileSync(join(folder, 'cdk.tf.json'), 'utf8');
    stackOutput().writeStackOutput(outdir, [stack], format);
    const entries = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const read = (e: (typeof entries)[number]) =>
      [relative(folder, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8')] as const;
    const files = Object.fromEntries(entries.filter((e) => e.parentPath === folder).map(read));
    const assets = Object.fromEntries(entries.filter((e) => e.parentPath !== folder).map(read));
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks[stack.node.id];
    return { json: JSON.parse(text) as TerraformJson, text, files, assets, manifest, schema: new (blockSchema().BindingSchema)(stack) };
  });
}

/**
 * Synthesizes constructs added to an empty stack, for construct-level tests.
 * Without a backend of its own the stack gets a relative local one: cdktf's
 * implicit default embeds this checkout's absolute path into snapshots.
 */
export function synthConstruct(add: (stack: TerraformStack) => void): { json: TerraformJson; text: string } {
  const { LocalBackend, TerraformBackend, TerraformStack } = cdktf();
  return synthStack((app) => {
    const stack = new TerraformStack(app, 'test');
    add(stack);
    if (!stack.node.children.some((child) => child instanceof TerraformBackend)) {
      new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    }
    return stack;
  });
}

export function resources(json: TerraformJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

export function dataSources(json: TerraformJson, type: string): Record<string, any> {
  return json.data?.[type] ?? {};
}

/** The addresses (`type.name`) of every resource of a type. */
export function addresses(json: TerraformJson, type: string): string[] {
  return Object.keys(resources(json, type)).map((name) => `${type}.${name}`);
}

/** The single resource of a type (whose name passes `named`), failing when there are none or several. */
export function only(json: TerraformJson, type: string, named: (name: string) => boolean = () => true): [string, any] {
  const entries = Object.entries(resources(json, type)).filter(([name]) => named(name));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0];
}

/** `${aws_x.name.attr}` for a resource named in the JSON. */
export function ref(type: string, name: string, attr: string): string {
  return `\${${type}.${name}.${attr}}`;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export type { Construct };

/**
 * The plain-text user data of an instance as EC2 gets it: ServerNode keeps it in a local and sends it as
 * `user_data_base64 = base64gzip(local.<name>)`. For a server with a boot store, the loader.
 */
export function userDataSentOf(json: TerraformJson, instance: { user_data_base64?: string; user_data?: string }): string {
  const local = /^\$\{base64gzip\(local\.([^)]+)\)\}$/.exec(instance.user_data_base64 ?? '')?.[1];
  if (local === undefined)
    throw new Error(`not ServerNode's compressed user data: ${String(instance.user_data_base64 ?? instance.user_data).slice(0, 60)}`);
  return json.locals![local] as string;
}

/**
 * What an instance runs at first boot: its user data (userDataSentOf) or, when that is ServerNode's loader, the boot
 * document the loader fetches (the local whose SHA-256 the loader carries, which the boot object's content is).
 */
export function userDataOf(json: TerraformJson, instance: { user_data_base64?: string; user_data?: string }): string {
  const sent = userDataSentOf(json, instance);
  const document = /\$\{sha256\(local\.([^)]+)\)\}/.exec(sent)?.[1];
  return document === undefined || !sent.includes(BOOT_LOADER_PATH) ? sent : (json.locals![document] as string);
}

/**
 * Every resource and data source `address` waits for, directly or not: its
 * `depends_on` and the references in its arguments, followed transitively
 * (`type.name` for resources, `data.type.name` for data sources).
 */
export function dependencyClosure(json: TerraformJson, address: string): Set<string> {
  const body = (a: string): unknown => {
    const parts = a.split('.');
    return parts[0] === 'data' ? json.data?.[parts[1]]?.[parts[2]] : json.resource[parts[0]]?.[parts[1]];
  };
  const seen = new Set<string>();
  const queue = [address];
  while (queue.length) {
    const current = queue.pop()!;
    const value = body(current) as { depends_on?: string[] } | undefined;
    if (!value) continue;
    const text = JSON.stringify(value);
    const refs = [
      ...(value.depends_on ?? []),
      ...[...text.matchAll(/\$\{[^}]*?\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|[a-z0-9]+_[a-z0-9_]+\.[A-Za-z0-9_-]+)[.[]/g)].map((m) => m[1]),
    ];
    for (const ref of refs) {
      if (!seen.has(ref) && body(ref) !== undefined) {
        seen.add(ref);
        queue.push(ref);
      }
    }
  }
  return seen;
}

/**
 * A stand-in for a Terraform reference made with cdktf (a token), for tests
 * of functions that take references: `${expression}` once resolved. Its text
 * before resolution is cdktf's token mark; `tokenExpression` maps it back.
 */
export function reference(expression: string): string {
  const token = cdktf().Lazy.stringValue({ produce: () => `\${${expression}}` });
  references.set(/^\$\{(.*)\}$/.exec(token)![1], expression);
  return token;
}
const references = new Map<string, string>();

/** The expression behind a `reference` token mark's inner text (`TfToken[TOKEN.12]`), for renderTemplate resolvers. */
export function tokenExpression(inner: string): string | undefined {
  return references.get(inner);
}

/**
 * Where the synthesized JSON mentions `target` (an address such as
 * `data.aws_ami.x`) inside an expression: the dotted JSON paths of the
 * strings that do, e.g. `resource.terraform_data.ami_recorded-image.input`.
 */
export function expressionsReferring(json: TerraformJson, target: string): string[] {
  const found: string[] = [];
  const needle = new RegExp(`\\$\\{[^]*\\b${target.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\b`);
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (needle.test(value)) found.push(path);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== '//') walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(json, '');
  return found;
}

/** Every Terraform block of a synthesized document by its address (`resource.<type>.<name>`, `variable.<name>`, `terraform`). */
export function blocksByAddress(json: TerraformJson): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(json as Record<string, any>)) {
    if (key === 'resource' || key === 'data') {
      for (const [type, blocks] of Object.entries(value as Record<string, Record<string, unknown>>))
        for (const [name, block] of Object.entries(blocks)) out.set(`${key}.${type}.${name}`, block);
    } else if (['variable', 'output', 'provider', 'module', 'check'].includes(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, block] of Object.entries(value as Record<string, unknown>)) out.set(`${key}.${name}`, block);
    } else {
      out.set(key, value);
    }
  }
  return out;
}

/** The blocks `variant` adds or changes against `baseline` (their JSON), and those it drops (null); snapshotted one line each (mask-serializer.js). */
export interface BlockDifference {
  readonly kind: 'terraform-block-difference';
  readonly blocks: Record<string, unknown>;
}

export function blockDifference(baseline: TerraformJson, variant: TerraformJson): BlockDifference {
  const [a, b] = [blocksByAddress(baseline), blocksByAddress(variant)];
  const blocks: Record<string, unknown> = {};
  for (const [address, block] of b) if (JSON.stringify(a.get(address)) !== JSON.stringify(block)) blocks[address] = block;
  for (const address of a.keys()) if (!b.has(address)) blocks[address] = null;
  return { kind: 'terraform-block-difference', blocks };
}

/**
 * The name a stack's policies give `service` (`ec2`, `cloudwatch`, `delivery.logs`): the reference to its
 * `aws_service_principal` data source (one per service and stack), which the provider answers for the partition.
 */
export function servicePrincipal(json: TerraformJson, service: string): string {
  const found = Object.entries(json.data?.aws_service_principal ?? {}).filter(([, d]) => d.service_name === service);
  if (found.length !== 1) throw new Error(`expected one aws_service_principal for ${service}, found ${found.length}`);
  return `\${data.aws_service_principal.${found[0][0]}.name}`;
}
