import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LocalBackend, TerraformBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { parseSettings } from '../../lib/config/load';
import type { Settings, SettingsInput } from '../../lib/config/schema';

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

/**
 * Synthesizes a stack the way `cdktf synth` does (full App.synth, backend
 * included, unlike Testing.synth) into a temporary directory.
 */
export function synthStack(build: (app: App) => TerraformStack): { json: TerraformJson; text: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'rancher-synth-'));
  try {
    const app = new App({ outdir });
    const stack = build(app);
    app.synth();
    const text = readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8');
    return { json: JSON.parse(text) as TerraformJson, text };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
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

/**
 * The plain-text user data of an instance: ServerNode keeps it in a local and
 * sends it as `user_data_base64 = base64gzip(local.<name>)`.
 */
export function userDataOf(json: TerraformJson, instance: { user_data_base64?: string; user_data?: string }): string {
  const local = /^\$\{base64gzip\(local\.([^)]+)\)\}$/.exec(instance.user_data_base64 ?? '')?.[1];
  if (local === undefined) throw new Error(`not ServerNode's compressed user data: ${String(instance.user_data_base64 ?? instance.user_data).slice(0, 60)}`);
  return json.locals![local] as string;
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
