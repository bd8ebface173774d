import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformStack } from 'cdktf';
import { BindingSchema } from './block-schema';
import { terraformJsonToHcl } from './hcl';
import { moduleReadme } from './module-readme';
import { VERSION } from './version';
import type { OutputFormat } from './output-format';

export const STACK_FILE: Readonly<Record<OutputFormat, string>> = { json: 'cdk.tf.json', hcl: 'cdk.tf' };
/** cdktf's stack metadata beside an HCL stack (the CLI reads it; JSON stacks carry it inside). */
const METADATA_FILE = 'metadata.json';
/** What the module is, for whoever receives an HCL folder (module-readme.ts). */
const README_FILE = 'README.md';
const MANIFEST_FILE = 'manifest.json';

/** One stack's folder after `writeStackOutput`: what a pipeline runs `terraform init` and `plan` in. */
export interface StackOutput {
  /** The stack's name (its id in the app: `rke-ha`, ...). */
  readonly stack: string;
  /** The stack's folder, a Terraform root module. */
  readonly directory: string;
  /** The Terraform file in it. */
  readonly file: string;
  /** Its input variables, as synthesized (names, defaults, sensitivity). */
  readonly variables: Readonly<
    Record<
      string,
      {
        /** The variable's default; absent when a value must be given. */
        readonly default?: unknown;
        /** Terraform keeps the value out of plans and logs. */
        readonly sensitive?: boolean;
      }
    >
  >;
}

/**
 * After `app.synth()` (which wrote JSON): leaves each stack folder with one
 * Terraform file in the requested format, removing the other format's
 * (Terraform would read both and fail on duplicate definitions), and points
 * cdktf's manifest at it.
 */
export function writeStackOutput(
  outdir: string,
  stacks: readonly TerraformStack[],
  format: OutputFormat,
  options: {
    /** What a stack stands up, in a sentence or two, for the HCL folder's README. @default a generic line */
    readonly describe?: (stack: string) => string | undefined;
  } = {},
): StackOutput[] {
  const manifestPath = join(outdir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  const written = stacks.map((stack) => {
    const id = stack.node.id;
    const directory = join(outdir, 'stacks', id);
    const jsonPath = join(directory, STACK_FILE.json);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
    if (format === 'hcl') {
      writeFileSync(join(directory, STACK_FILE.hcl), terraformJsonToHcl(json, new BindingSchema(stack)));
      writeFileSync(join(directory, METADATA_FILE), `${JSON.stringify(hclMetadata(json), null, 2)}\n`);
      const readme = moduleReadme({
        stack: id,
        file: STACK_FILE.hcl,
        json,
        what: options.describe?.(id),
        writtenBy: `rancher-ha-aws ${VERSION}`,
        hasAssets: existsSync(join(directory, 'assets')),
      });
      writeFileSync(join(directory, README_FILE), readme);
      rmSync(jsonPath);
    } else {
      for (const stale of [STACK_FILE.hcl, METADATA_FILE, README_FILE]) if (existsSync(join(directory, stale))) rmSync(join(directory, stale));
    }
    manifest.stacks[id].synthesizedStackPath = join('stacks', id, STACK_FILE[format]);
    return { stack: id, directory, file: join(directory, STACK_FILE[format]), variables: (json.variable ?? {}) as StackOutput['variables'] };
  });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return written;
}

/** What cdktf itself writes as metadata.json for an HCL stack: the `//` entries and the terraform block. */
function hclMetadata(json: Record<string, unknown>): Record<string, unknown> {
  const comments = (kind: string) =>
    Object.fromEntries(
      Object.entries((json[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>).map(([type, byName]) => [
        type,
        Object.fromEntries(Object.entries(byName).map(([name, body]) => [name, { '//': body['//'] }])),
      ]),
    );
  return { '//': json['//'], data: comments('data'), resource: comments('resource'), terraform: json.terraform };
}
