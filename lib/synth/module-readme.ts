/**
 * The README.md a synth writes into an HCL stack folder: the folder is what a pipeline receives, often without the
 * project beside it, so it says what the module is, its variables, where its state lives and how to run it.
 */

/** What a person puts for a required variable: placeholders no one can mistake for a value (a validation refuses them). */
const PLACEHOLDERS: Readonly<Record<string, string>> = { rancher_hostname: 'rancher.<your zone>', route53_zone_name: '<your Route53 zone>' };

/** `-var 'name=<placeholder>'`, quoted for a shell (the placeholders hold < and >). */
export const varPlaceholder = (name: string) => ` -var '${name}=${PLACEHOLDERS[name] ?? `<${name}>`}'`;

/** A variable as the synthesized JSON declares it. */
interface Variable {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly sensitive?: boolean;
}

/** What the README is written from. */
export interface ModuleReadmeInput {
  /** The stack's id (its folder's name). */
  readonly stack: string;
  /** The Terraform file in the folder (`cdk.tf`). */
  readonly file: string;
  /** The synthesized JSON of the stack. */
  readonly json: Record<string, unknown>;
  /** What the module stands up, in a sentence or two. @default a generic line */
  readonly what?: string;
  /** The tool and version that wrote it. */
  readonly writtenBy: string;
  /** Whether the folder holds an `assets/` folder the module reads under `path.module`. */
  readonly hasAssets: boolean;
}

/** Markdown table cell text: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** A default as a person writes it in `-var` or a tfvars file. */
function shownDefault(v: Variable): string {
  if (v.sensitive) return 'sensitive: set `TF_VAR_<name>`';
  if (!('default' in v)) return '**required**';
  return `\`${JSON.stringify(v.default)}\``;
}

/** The state section: where the state is kept, and what that means for a folder copied elsewhere. */
function stateSection(json: Record<string, unknown>, stack: string): string[] {
  const backend = ((json.terraform ?? {}) as { backend?: Record<string, Record<string, unknown>> }).backend ?? {};
  const [type, config] = Object.entries(backend)[0] ?? [];
  if (type === 'local' && typeof config?.path === 'string') {
    const climbs = (config.path.match(/\.\.\//g) ?? []).length;
    return [
      `Local state at \`${config.path}\`, relative to this folder${
        climbs > 0
          ? `: it climbs ${climbs === 3 ? 'three' : climbs} folder${climbs === 1 ? '' : 's'}, out of \`cdktf.out/stacks/${stack}\` to the folder the synth ran in, so that a new synth (which rewrites \`cdktf.out\`) never deletes it`
          : ''
      }.`,
      'A pipeline that copies only this folder elsewhere puts the state wherever that path then points: set `backend` in the',
      'settings (an S3 backend, `backend.type: s3`) before handing the folder over.',
    ];
  }
  if (type === 's3' && config) {
    return [
      `S3 backend: bucket \`${String(config.bucket)}\`, key \`${String(config.key)}\`, region \`${String(config.region)}\`${config.use_lockfile ? ', locked with a lock file in the bucket' : ''}.`,
    ];
  }
  return [`Backend: \`${type ?? 'none declared'}\`.`];
}

/** The README's text. */
export function moduleReadme(input: ModuleReadmeInput): string {
  const variables = Object.entries((input.json.variable ?? {}) as Record<string, Variable>).sort(([a], [b]) => a.localeCompare(b, 'en'));
  const required = variables.filter(([, v]) => !('default' in v) && !v.sensitive).map(([name]) => name);
  const secrets = variables.filter(([, v]) => v.sensitive && !('default' in v)).map(([name]) => `TF_VAR_${name}`);
  const version = ((input.json.terraform ?? {}) as { required_version?: string }).required_version;
  const lines = [
    `# ${input.stack}: a Terraform root module`,
    '',
    input.what ?? 'A Terraform root module.',
    '',
    `Written by ${input.writtenBy} into \`${input.file}\`${input.hasAssets ? ' and `assets/` (a chart the module reads under `path.module`)' : ''}; synthesize again rather than`,
    `edit it. Copy or commit the whole folder. It needs Terraform ${version ?? ''}`.trimEnd() + ', and no Node.js.',
    '',
    '## State',
    '',
    ...stateSection(input.json, input.stack),
    '',
    '## Variables',
    '',
    ...(variables.length === 0
      ? ['None.']
      : [
          '| Variable | Type | Default | Description |',
          '|---|---|---|---|',
          ...variables.map(([name, v]) => `| \`${name}\` | \`${cell(v.type ?? 'any')}\` | ${cell(shownDefault(v))} | ${cell(v.description ?? '')} |`),
          '',
          'Each refuses at plan what the settings file refuses, with the fix in its message.',
        ]),
    '',
    '## Run',
    '',
    '```sh',
    `terraform init${' '.repeat(Math.max(1, 46 - 'terraform init'.length))}# the first time: commit the .terraform.lock.hcl it writes`,
    `terraform plan -out plan${required.map(varPlaceholder).join('')}`,
    'terraform apply plan',
    '```',
    ...(secrets.length > 0 ? ['', `Set ${secrets.join(', ')} from your secret store first.`] : []),
    '',
    ...offlineSection(providersOf(input.json)),
  ];
  return lines.join('\n');
}

/** The providers the module requires, as `<source> <version>` (the synth pins each exactly). */
function providersOf(json: Record<string, unknown>): string[] {
  const required =
    ((json.terraform ?? {}) as { required_providers?: Record<string, { source?: string; version?: string }> }).required_providers ?? {};
  // A source without a namespace (`aws`, as some providers' bindings write it) is Terraform's shorthand for hashicorp/.
  return Object.entries(required)
    .map(([name, p]) => `${(p.source ?? name).includes('/') ? (p.source ?? name) : `hashicorp/${p.source ?? name}`} ${p.version ?? ''}`.trim())
    .sort();
}

/**
 * How to run the module where registry.terraform.io is out of reach (a runner behind a firewall, an air gap): a
 * mirror of its providers made where the registry answers, taken along, and named at init. `terraform providers
 * mirror`, `-plugin-dir` and `providers lock -fs-mirror` are Terraform's own (its CLI docs, "Provider Installation").
 */
function offlineSection(providers: readonly string[]): string[] {
  return [
    '## Without the Terraform registry',
    '',
    ...(providers.length > 0 ? [`The module installs ${providers.map((p) => `\`${p}\``).join(', ')} from the registry at \`terraform init\`.`] : []),
    'Where the runner cannot reach registry.terraform.io, copy the providers on a machine that can, and take them along:',
    '',
    '```sh',
    'terraform providers mirror -platform=linux_amd64 ./providers   # in this folder, where the registry answers',
    'terraform init -plugin-dir=./providers                          # on the runner: installs from the copy only',
    '```',
    '',
    'Or name the copy for every module in the CLI configuration (`provider_installation { filesystem_mirror { path = ... } }`).',
    "A release's archive of this folder holds its `.terraform.lock.hcl` (the providers' checksums, which `init` then checks the copy",
    'against); where there is none, record it from the copy: `terraform providers lock -fs-mirror=./providers -platform=linux_amd64`.',
    '',
  ];
}
