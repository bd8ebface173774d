import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from './synth';
import { cachedShared, keepShared, runShared } from './memo';
import { testEnv } from './test-env';

/**
 * Checks that need the terraform binary but no provider (it parses and
 * evaluates expressions offline): the tools tier only. global-setup.js stops the tier when
 * no terraform >= 1.10 runs: these tests are never skipped.
 */
/**
 * No user CLI configuration (nothing from the machine's ~/.terraformrc leaks in, no TF_VAR_* or TF_CLI_ARGS* of the
 * caller's shell: test-env.ts), no check-in, no next-step hints.
 * GOGC=400: Go's collector runs when the heap has grown by 400 % rather than 100 %. A plan or apply of a whole stack
 * on the built-in provider (second-plan.tools) spends about 40 % of its CPU collecting: with 400 a plan of rke-ha
 * takes 2.6 s of CPU instead of 4.1 s, at a peak of 350 MB instead of 160 MB (bench/README.md, 2026-11-26). It
 * changes when Terraform collects garbage, nothing it decides; short runs (console, fmt, init) barely collect.
 */
export const TERRAFORM_ENV = testEnv({ TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', GOGC: '400' });

/** `terraform <args> -no-color` in `dir`: its exit status, its stdout, and stdout and stderr together. */
export function terraformIn(dir: string, ...args: string[]): { status: number | null; stdout: string; output: string } {
  const result = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, env: TERRAFORM_ENV, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** terraformIn's stdout, failing with terraform's output when the command fails. */
export function terraformOk(dir: string, ...args: string[]): string {
  const result = terraformIn(dir, ...args);
  if (result.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${result.output}`);
  return result.stdout;
}

/** The tests that run terraform; kept as a name of its own so they are easy to find (global-setup.js requires the binary). */
export const describeWithTerraform = describe;

/** Every string in the JSON that Terraform reads as a template, with its JSON path. */
export function templateStrings(json: unknown, path = ''): { path: string; text: string }[] {
  if (typeof json === 'string') return json.includes('${') || json.includes('%{') ? [{ path, text: json }] : [];
  if (Array.isArray(json)) return json.flatMap((v, i) => templateStrings(v, `${path}[${i}]`));
  if (json && typeof json === 'object') {
    return Object.entries(json).flatMap(([k, v]) => (k === '//' ? [] : templateStrings(v, path ? `${path}.${k}` : k)));
  }
  return [];
}

/** Kept (memo.ts, shared by the files of a run) for a template text that parses: variants share most of theirs (user data, chart values). */
const parsedKey = (text: string) => `terraform fmt template\0${text}`;

/**
 * Parses every template string of a synthesized stack as HCL (heredocs in a
 * scratch file run through `terraform fmt`), catching expressions cdktf
 * rendered wrongly (an unescaped quote inside an object literal, say).
 * Returns the paths whose text does not parse.
 */
export function unparsableTemplates(json: TerraformJson): string[] {
  const strings = templateStrings(json).filter(({ text }) => cachedShared(parsedKey(text)) === undefined);
  if (strings.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'rancher-hcl-'));
  const parses = (texts: string[]) => {
    const file = join(dir, 'check.tf');
    const locals = texts.map((text, i) => `  t${i} = <<EOT_CHECK\n${text}\nEOT_CHECK\n`).join('');
    writeFileSync(file, `locals {\n${locals}}\n`);
    return spawnSync('terraform', ['fmt', '-list=false', '-write=false', file], { encoding: 'utf8', env: TERRAFORM_ENV }).status === 0;
  };
  try {
    // One run for the whole stack; only on failure, one run per string to name the culprits.
    if (parses(strings.map((s) => s.text))) {
      for (const { text } of strings) keepShared(parsedKey(text), true);
      return [];
    }
    return strings.filter(({ text }) => !parses([text])).map(({ path }) => path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Evaluates a Terraform expression offline with `terraform console`, with
 * the given input variables; returns the value decoded from JSON.
 */
export function evaluate(expression: string, variables: Record<string, string> = {}): unknown {
  // Some expressions recur across test files (the same stack's conditions), kept for the files of the run (memo.ts);
  // no expression here reads the clock.
  return runShared(consoleKey(expression, variables), () => evaluateNow(expression, variables));
}

const consoleKey = (expression: string, variables: Record<string, string>) => `terraform console\0${JSON.stringify(variables)}\0${expression}`;

/**
 * Evaluates several expressions with one `terraform console` run (a tuple of
 * them), each result kept as evaluate() keeps it. When the tuple fails, each
 * is evaluated alone, so an error names its own expression. An undefined
 * expression (nothing to evaluate) gives undefined.
 */
export function evaluateEach(expressions: readonly (string | undefined)[], variables: Record<string, string> = {}): unknown[] {
  const given = expressions.filter((expression): expression is string => expression !== undefined);
  const pending = [...new Set(given)].filter((expression) => cachedShared(consoleKey(expression, variables)) === undefined);
  if (pending.length > 1) {
    try {
      const values = evaluateNow(`[${pending.join(', ')}]`, variables) as unknown[];
      pending.forEach((expression, i) => keepShared(consoleKey(expression, variables), values[i]));
    } catch {
      // Each alone, below.
    }
  }
  return expressions.map((expression) => (expression === undefined ? undefined : evaluate(expression, variables)));
}

function evaluateNow(expression: string, variables: Record<string, string>): unknown {
  // In a local, not on console's input line: console reads lines of at most 64 KiB (a batch of conditions is longer).
  return consoleJson({ 'expression.tf': `locals {\n  value = (\n${expression}\n  )\n}\n` }, 'local.value', variables);
}

/**
 * One `terraform console` run in a folder of its own holding `files` and the string `variables` (with their values
 * as defaults): `expression`'s value, passed through JSON and base64 so that no console formatting reaches it.
 */
function consoleJson(files: Record<string, string>, expression: string, variables: Record<string, string> = {}): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-eval-'));
  try {
    const declared = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { type: 'string', default: value }]));
    // Terraform refuses an empty `variable` object.
    writeFileSync(join(dir, 'variables.tf.json'), JSON.stringify(Object.keys(declared).length ? { variable: declared } : {}));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const result = spawnSync('terraform', ['console'], {
      cwd: dir,
      env: TERRAFORM_ENV,
      input: `base64encode(jsonencode(${expression}))\n`,
      encoding: 'utf8',
    });
    const encoded = /^"([A-Za-z0-9+/=]*)"$/m.exec(result.stdout)?.[1];
    if (result.status !== 0 || encoded === undefined) throw new Error(`terraform console failed:\n${result.stdout}${result.stderr}`);
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The expression inside a pure `${...}` string. */
export function expressionOf(text: string): string {
  if (!text.startsWith('${') || !text.endsWith('}')) throw new Error(`not a single interpolation: ${text.slice(0, 40)}`);
  return text.slice(2, -1);
}

export interface InitOutcome {
  /** Terraform read and decoded the whole configuration (it got as far as installing providers). */
  readonly configurationLoaded: boolean;
  /** The titles of the errors it reported, e.g. "Failed to query available provider packages". */
  readonly errors: string[];
  readonly output: string;
}

/** The one error `init` must end with here: providers cannot be downloaded on these machines. */
export const PROVIDER_DOWNLOAD_ERROR = 'Failed to query available provider packages';

/**
 * `terraform init -backend=false` on a root module given as files. Providers
 * are looked up only in an empty filesystem mirror, so init fails at provider
 * installation, which Terraform reaches only after loading and decoding every
 * block of the configuration: the stage it stopped at tells whether the
 * configuration itself is valid, offline and without network timeouts.
 */
export function initConfiguration(files: Record<string, string>): InitOutcome {
  // The same root modules are loaded by several files of a run (the default stacks): kept for all of them (memo.ts).
  return runShared(`terraform init\0${JSON.stringify(files)}`, () => initNow(files));
}

function initNow(files: Record<string, string>): InitOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-init-'));
  try {
    const mirror = join(dir, 'empty-mirror');
    mkdirSync(mirror);
    const cliConfig = join(dir, 'cli.tfrc');
    writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
    const root = join(dir, 'module');
    mkdirSync(root);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
    const result = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
      cwd: root,
      env: { ...TERRAFORM_ENV, TF_CLI_CONFIG_FILE: cliConfig },
      encoding: 'utf8',
    });
    const output = `${result.stdout}${result.stderr}`;
    const errors = [...output.matchAll(/^Error: (.+)$/gm)].map((m) => m[1].trim());
    const configurationLoaded = output.includes('Initializing provider plugins...') && errors.every((e) => e === PROVIDER_DOWNLOAD_ERROR);
    return { configurationLoaded, errors, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PlanOutcome {
  /** Every input variable was accepted (the plan of a module with nothing else then succeeds). */
  readonly accepted: boolean;
  /** Terraform's output with line breaks and indentation collapsed, for matching error messages. */
  readonly text: string;
}

/**
 * `terraform plan` of a root module holding only the given `variable` blocks
 * (as synthesized), with the given values: Terraform itself runs every
 * validation rule, cross-variable references included, exactly as it would at
 * the start of a pipeline's plan. Needs no provider and no init.
 */
export function planVariables(variables: Record<string, unknown>, values: Record<string, unknown>): PlanOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-plan-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: variables }));
    writeFileSync(join(dir, 'terraform.tfvars.json'), JSON.stringify(values));
    const result = spawnSync('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], { cwd: dir, env: TERRAFORM_ENV, encoding: 'utf8' });
    const text = `${result.stdout}${result.stderr}`.replace(/\s+/g, ' ');
    if (result.status !== 0 && !text.includes('Error: Invalid value for variable')) throw new Error(`terraform plan failed otherwise: ${text}`);
    return { accepted: result.status === 0, text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Terraform's apply graph of one change: per step, the steps it waits for, transitively. */
export interface ApplyOrder {
  /** `address` (create or update) or `address (destroy)`: the steps that run before it. */
  readonly before: ReadonlyMap<string, ReadonlySet<string>>;
  /** The plan's action per address: `create`, `update`, `delete`, `replace`, `no-op`. */
  readonly actions: ReadonlyMap<string, string>;
}

/**
 * How Terraform itself orders a change, offline: `before` (a module of
 * `terraform_data` resources only, which need no provider) is applied, then
 * `after` is planned, and the apply graph of that plan is read (`terraform
 * graph -type=apply`). Stands in for provider resources whose ordering is
 * Terraform core's business: state dependencies, destroy and update edges.
 */
export function applyOrder(before: object, after: object): ApplyOrder {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-order-'));
  const run = (...args: string[]) => terraformOk(dir, ...args);
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(before));
    run('init', '-input=false', '-backend=false');
    run('apply', '-auto-approve', '-input=false', '-lock=false');
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(after));
    run('plan', '-input=false', '-lock=false', '-out=change.plan');
    const plan = JSON.parse(run('show', '-json', 'change.plan')) as { resource_changes?: { address: string; change: { actions: string[] } }[] };
    const actions = new Map(
      (plan.resource_changes ?? []).map((c) => [c.address, c.change.actions.length === 2 ? 'replace' : c.change.actions[0]] as const),
    );
    const edges = [...run('graph', '-type=apply', '-plan=change.plan').matchAll(/"\[root\] ([^"]+)" -> "\[root\] ([^"]+)"/g)].map(
      (m) => [m[1], m[2]] as const,
    );
    const direct = new Map<string, string[]>();
    for (const [from, to] of edges) direct.set(from, [...(direct.get(from) ?? []), to]);
    const closure = new Map<string, Set<string>>();
    const reach = (node: string): Set<string> => {
      const known = closure.get(node);
      if (known) return known;
      const seen = new Set<string>();
      closure.set(node, seen);
      for (const next of direct.get(node) ?? []) {
        seen.add(next);
        for (const further of reach(next)) seen.add(further);
      }
      return seen;
    };
    for (const node of direct.keys()) reach(node);
    return { before: closure, actions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `expression` evaluated offline (one `terraform console` run) beside `locals`, Terraform JSON-syntax values of any
 * shape (objects whose strings are templates, as a synthesized module's locals are), decoded from JSON.
 */
export function evaluateWithLocals(locals: Record<string, unknown>, expression: string, variables: Record<string, string> = {}): unknown {
  return consoleJson({ 'main.tf.json': JSON.stringify({ locals }) }, expression, variables);
}

/**
 * Evaluates Terraform JSON-syntax values offline with one `terraform console` run: each value a string as a
 * synthesized module holds it (a template, or one `${...}` interpolation that stands for its value), given as a
 * local of a `.tf.json` file, so the quotes inside interpolations need no re-escaping. Returns each value decoded
 * from JSON, by name.
 */
export function evaluateJsonValues(values: Record<string, string>, variables: Record<string, string> = {}): Record<string, unknown> {
  const names = Object.keys(values).map((name, i) => [name, `v${i}`] as const);
  const locals = JSON.stringify(names.length ? { locals: Object.fromEntries(names.map(([name, local]) => [local, values[name]])) } : {});
  const all = `{ ${names.map(([, local]) => `${local} = local.${local}`).join(', ')} }`;
  const decoded = consoleJson({ 'main.tf.json': locals }, all, variables) as Record<string, unknown>;
  return Object.fromEntries(names.map(([name, local]) => [name, decoded[local]]));
}
