import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LocalBackend, TerraformBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { parseSettings } from '../../lib/config/load';
import type { Settings, SettingsInput } from '../../lib/config/schema';
import { BindingSchema } from '../../lib/synth/block-schema';
import { writeStackOutput, type OutputFormat } from '../../lib/synth/stack-output';

/** The synthesized Terraform JSON of one stack. */
export type TerraformJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  variable?: Record<string, any>;
  locals?: Record<string, any>;
  resource: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
};

export function settings(input: SettingsInput | Record<string, unknown> = {}): Settings {
  return parseSettings(input, 'test');
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

/** Synthesizes into a temporary directory, hands it to `read` with the stack, and removes it. */
function inScratchOutdir<T>(build: (app: App) => TerraformStack, read: (outdir: string, stack: TerraformStack) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'rancher-synth-'));
  try {
    const app = new App({ outdir });
    const stack = build(app);
    app.synth();
    return read(outdir, stack);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes a stack the way `cdktf synth` does (full App.synth, backend
 * included, unlike Testing.synth) into a temporary directory.
 */
export function synthStack(build: (app: App) => TerraformStack): { json: TerraformJson; text: string } {
  return inScratchOutdir(build, (outdir, stack) => {
    const text = readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8');
    return { json: JSON.parse(text) as TerraformJson, text };
  });
}

export interface StackFolder {
  /** The Terraform JSON cdktf synthesized, before it was turned into the requested format. */
  readonly json: TerraformJson;
  readonly text: string;
  /** Every file left in the stack's folder, by name. */
  readonly files: Record<string, string>;
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
    writeStackOutput(outdir, [stack], format);
    const files = Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name), 'utf8')]));
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks[stack.node.id];
    return { json: JSON.parse(text) as TerraformJson, text, files, manifest, schema: new BindingSchema(stack) };
  });
}

/**
 * Synthesizes constructs added to an empty stack, for construct-level tests.
 * Without a backend of its own the stack gets a relative local one: cdktf's
 * implicit default embeds this checkout's absolute path into snapshots.
 */
export function synthConstruct(add: (stack: TerraformStack) => void): { json: TerraformJson; text: string } {
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

/** The single resource of a type, failing when there are none or several. */
export function only(json: TerraformJson, type: string): [string, any] {
  const entries = Object.entries(resources(json, type));
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
