// The settings reference (docs/settings.md), generated from the settings
// schema: every field with its type or allowed values, its value in a
// settings file that leaves it out, and the schema's own doc comment.
// `npm run docs:settings` writes it; __tests__/scripts/settings-reference.test.ts
// fails when the committed file differs from what the schema generates.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { z, type ZodType } from 'zod';
import { fieldPaths } from '../app/config/settings-fields';
import { shownComputedDefault } from '../app/config/computed-defaults';
import { parseSettings } from '../app/config/load';
import { settingsSchema } from '../app/config/settings-schema';
import { RECORDED_SUMS } from '../lib/config/release-sums';
import { CONFIRMING_RECORDS, UNCONFIRMED_IMAGE_NAMES } from '../lib/deployments/private/unconfirmed-facts';

interface Documented {
  /** Property names from the outermost object literal of its file down to this one. */
  readonly chain: readonly string[];
  /** The settings section its file holds: `rkeHa` for rke-ha-schema.ts. */
  readonly section: string;
  readonly doc: string;
}

/** The doc comments of every property of the schema sources, by property name. */
function docComments(root: string): Map<string, Documented[]> {
  // The deployment's schemas (lib/config), and the settings file's own (app/config/*-schema.ts: the file, its tags and
  // state backend).
  const sources = [
    ...readdirSync(join(root, 'lib', 'config'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ file: f, path: join(root, 'lib', 'config', f) })),
    ...readdirSync(join(root, 'app', 'config'))
      .filter((f) => f.endsWith('-schema.ts'))
      .map((f) => ({ file: f, path: join(root, 'app', 'config', f) })),
  ].sort((a, b) => a.file.localeCompare(b.file, 'en'));
  const byName = new Map<string, Documented[]>();
  for (const { file, path } of sources) {
    const text = readFileSync(path, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const section = file.replace(/(-schema)?\.ts$/, '').replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const visit = (node: ts.Node, chain: readonly string[]) => {
      let next = chain;
      // `vpcId: vpcId` written `vpcId,` is a property too.
      if (
        (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) &&
        (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
      ) {
        const name = node.name.text;
        next = [...chain, name];
        const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
        const jsdoc = ranges
          .map((r) => text.slice(r.pos, r.end))
          .filter((c) => c.startsWith('/**'))
          .pop();
        if (jsdoc) {
          const doc = jsdoc
            .replace(/^\/\*\*|\*\/$/g, '')
            .split('\n')
            .map((line) => line.replace(/^\s*\*\s?/, '').trim())
            .filter(Boolean)
            .join(' ');
          byName.set(name, [...(byName.get(name) ?? []), { chain: next, section, doc }]);
        }
      }
      ts.forEachChild(node, (child) => visit(child, next));
    };
    visit(source, []);
  }
  return byName;
}

/**
 * The doc comment of a field: of the properties of that name, the one whose
 * chain ends like the field's path, counting its file's section as one more
 * match (a section schema in a file of its own: dns-schema.ts's `mode` is
 * `dns.mode`). A nested field needs two matches, so a property of the same
 * name elsewhere never lends its comment; none: no description.
 */
function docFor(path: readonly string[], docs: Map<string, Documented[]>): string {
  const score = (c: Documented) => {
    let n = 0;
    while (n < c.chain.length && n < path.length && c.chain[c.chain.length - 1 - n] === path[path.length - 1 - n]) n += 1;
    return n + (path.slice(0, -1).includes(c.section) ? 1 : 0);
  };
  // A property in another section's file (docker-schema.ts for a rancher.* field, accept-agent-change-schema.ts for
  // the top-level hostname) is not this field's.
  const sections = new Set(fieldPaths().flatMap((f) => f.split('.').slice(0, -1)));
  const candidates = (docs.get(path[path.length - 1]) ?? []).filter((c) => !sections.has(c.section) || path.slice(0, -1).includes(c.section));
  const best = [...candidates].sort((a, b) => score(b) - score(a))[0];
  return best && score(best) >= Math.min(path.length, 2) ? best.doc : '';
}

type Def = {
  type: string;
  innerType?: ZodType;
  in?: ZodType;
  out?: ZodType;
  element?: ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
  options?: ZodType[];
  valueType?: ZodType;
  keyType?: ZodType;
};
const defOf = (schema: ZodType | undefined): Def | undefined => schema?._zod.def as Def | undefined;

/** A field's type as a reader needs it: allowed values for enums and literals, element types for lists. */
function typeOf(schema: ZodType | undefined): string {
  const def = defOf(schema);
  if (!def) return '';
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return typeOf(def.innerType);
    case 'pipe':
      return typeOf(def.in);
    case 'enum':
      return Object.values(def.entries ?? {})
        .map((v) => `\`${String(v)}\``)
        .join(' \\| ');
    case 'literal':
      return (def.values ?? []).map((v) => `\`${String(v)}\``).join(' \\| ');
    case 'union':
      return typeOfAny(def.options ?? []);
    case 'array':
      return `list of ${typeOf(def.element)}`;
    case 'record':
      return `mapping of ${typeOf(def.valueType)}`;
    case 'object':
      return 'mapping';
    default:
      return def.type;
  }
}

/** The types of several schemas (a union's members, a field's in each member of a union), each once, with their bounds. */
function typeOfAny(schemas: readonly ZodType[]): string {
  return [...new Set(schemas.map((schema) => [typeOf(schema), boundsOf(schema)].filter(Boolean).join(', ')))].join(' \\| ');
}

/** A zod check as its definition holds it (`min_length`, `max_length` with their values). */
type Check = { _zod: { def: { check?: string; minimum?: number; maximum?: number } } };

/**
 * The bounds a field's schema refuses values outside, in words: a number's range or values, a list's or a string's
 * length ('' when it has none). Those a refinement or a pattern holds come from the schema's metadata (wholeNumber,
 * lengthBounds, `values`); zod's own length checks are read directly.
 */
export function boundsOf(schema: ZodType | undefined): string {
  const recorded = (s: ZodType | undefined) => {
    const meta = s ? z.globalRegistry.get(s) : undefined;
    return meta && ['minimum', 'minLength', 'values'].some((key) => meta[key] !== undefined) ? meta : undefined;
  };
  let current = schema;
  for (let def = defOf(current); def && (def.innerType || def.in); def = defOf(current)) {
    if (recorded(current)) break;
    current = def.innerType ?? def.in;
  }
  if (!current) return '';
  const meta = recorded(current);
  if (typeof meta?.minimum === 'number' && typeof meta.maximum === 'number') return `${meta.minimum} to ${meta.maximum}`;
  if (Array.isArray(meta?.values)) return `one of ${meta.values.join(', ')}`;
  if (typeof meta?.minLength === 'number' && typeof meta.maxLength === 'number')
    return meta.lengthOf === 'name'
      ? `a name of ${meta.minLength} to ${meta.maxLength} characters, or an ARN`
      : `${meta.minLength} to ${meta.maxLength} characters`;
  const checks = ((current._zod.def as { checks?: Check[] }).checks ?? []).map((c) => c._zod.def);
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  const unit = defOf(current)?.type === 'array' ? 'items' : 'characters';
  if (min !== undefined && max !== undefined) return `${min} to ${max} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  if (min !== undefined && min > 1) return `at least ${min} ${unit}`;
  return min === 1 ? (unit === 'items' ? 'not empty' : 'not empty') : '';
}

/** The schemas of a field: one, or one per member of a union that has it (`backend.type`: `local` and `s3`). */
function schemasAt(path: readonly string[]): ZodType[] {
  let schemas: ZodType[] = [settingsSchema];
  const shapes = (s: ZodType): Record<string, ZodType>[] => {
    let current: ZodType | undefined = s;
    for (let def = defOf(current); def && (def.innerType || def.in); def = defOf(current)) current = def.innerType ?? def.in;
    const d = current?._zod.def as { shape?: Record<string, ZodType>; options?: ZodType[] } | undefined;
    return d?.shape ? [d.shape] : (d?.options ?? []).flatMap(shapes);
  };
  for (const key of path) schemas = schemas.flatMap((s) => shapes(s).flatMap((shape) => (shape[key] ? [shape[key]] : [])));
  return schemas;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/settings.md as the schema gives it; `root` is the repository (the doc comments are read from its lib/config and app/config). */
export function settingsReference(root = join(__dirname, '..')): string {
  const docs = docComments(root);
  const defaults = parseSettings({}, 'defaults');
  const rows = fieldPaths().map((field) => {
    const path = field.split('.');
    const value = valueAt(defaults, path);
    const shown = value !== undefined ? `\`${JSON.stringify(value)}\`` : (shownComputedDefault(field, defaults) ?? 'unset');
    return `| \`${field}\` | ${typeOfAny(schemasAt(path))} | ${cell(shown)} | ${cell(docFor(path, docs))} |`;
  });
  return [
    '# Settings reference',
    '',
    '<!-- Generated from the settings schema (lib/config/*.ts, app/config/*-schema.ts) by `npm run docs:settings`; do not edit by hand: a test compares. -->',
    '',
    'Every field of the settings file (`rancher.yaml`, or the file `RANCHER_CONFIG` names), in schema order: its type',
    "(or the values allowed), its value when the file leaves it out (where another setting decides it, each case), and the schema's description. The rules between fields (TLS pairs,",
    'versions that fit together, quorum, names AWS would refuse) are in [settings-file.md](settings-file.md);',
    '`rancher.example.yaml` shows every field in context.',
    '',
    '| field | type | when left out | description |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...unconfirmedSection(),
  ].join('\n');
}

/**
 * What the settings accept and no one could confirm from the machines this project is built on (no cloud reachable),
 * from the tables the warnings read, so this list and the synth's warnings cannot part.
 */
function unconfirmedSection(): string[] {
  const sums = (['rke2', 'k3s'] as const).flatMap((distribution) =>
    Object.entries(RECORDED_SUMS[distribution]).flatMap(([version, release]) =>
      Object.entries(release.artifacts)
        .filter(([, artifact]) => artifact !== undefined && artifact.sources.length < CONFIRMING_RECORDS)
        .map(
          ([architecture, artifact]) =>
            `| the SHA-256 of \`${artifact!.file}\` of ${version}, from one record (${artifact!.sources.join('; ')}) | \`versions.${distribution}\` ${version} on ${architecture} servers${distribution === 'rke2' ? ' (not RHEL-family servers with egress: they install RPMs)' : ''} | warning, unless in \`versions.releaseSums\` | servers refuse another file; the report's sums line |`,
        ),
    ),
  );
  const images = Object.entries(UNCONFIRMED_IMAGE_NAMES).map(
    ([os, partitions]) =>
      `| ${os} image names in ${partitions!.join(', ')} (the publisher's account there is known, its names are not) | \`rkeHa.operatingSystem: ${os}\` in those partitions' regions without \`rkeHa.amiId\` | warning | the plan fails at the lookup if none matches; the report's image line |`,
  );
  return [
    '## Unconfirmed here',
    '',
    'What the settings accept that could not be confirmed where this project is built (no cloud is reachable there). Each is said at synth (a sum you supply is one you read in the release\'s `sha256sum-<arch>.txt`), and the acceptance run\'s report ("Images and sums seen") records what a real account showed, so one run settles it.',
    '',
    '| fact | when it applies | at synth | what settles it |',
    '|---|---|---|---|',
    ...sums,
    ...images,
    '| a K3s datastore in one zone (not a doubt: RDS places a single instance in one zone) | `rkeHa.distribution: k3s` with `rkeHa.datastore.multiAz: false` | warning: every server stops writing while that zone is out | FSBP RDS.5 |',
    "| the AWS European Sovereign Cloud (partition `aws-eusc`, `eusc-de-east-1`) | `region: eusc-*` | refused: the provider's own records show it still learning the partition (hashicorp/terraform-provider-aws#45895, region names refused until 6.29.0), and the stacks here do not know its endpoints (some on `amazonwebservices.eu`), DNS suffix, image publishers or service principals | a pinned provider that has them, and the partition tables here extended with its endpoints |",
    '',
  ];
}
