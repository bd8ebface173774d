import { STANDBY_FACTS_PARAMETER } from '../../lib/standby/standby-facts-keys';
import { FAKE_CALLER } from './fake-aws/fake-aws';
import type { TerraformJson } from './synth';

/**
 * Production's standby facts in a fake cloud's world, as production's apply leaves them in the standby region
 * (lib/standby/standby-facts.ts; the contract: docs/development/standby-facts.md, "Where"):
 * - the SSM parameter `/<name>/<stack>/standby-facts` of the standby region (a `String`), naming the facts' object;
 * - `rancher-aws/standby/facts.json` in the copy, SSE-S3;
 * - `rancher-aws/standby/backup-encryption.yaml` beside it, SSE-KMS under the copies' key, whose policy lets the
 *   identity that applied production use it (statement DeployersUseStandbyFacts: the fake AWS's caller), so that S3
 *   answers AccessDenied to any other caller (fake-aws/fake-s3.ts, fake-kms.ts).
 *
 * The document is not written by hand: it is the module's own `standby_facts` local (what Terraform jsonencodes into
 * the object) evaluated against the world's production state, each reference read from the resource or output the
 * state holds. `document` replaces some of its fields where the world's production state stands for another module
 * than the one synthesized (the k8s-ha worlds, built on rke-ha's module): only fields the module's local has.
 */
export interface WorldStandbyFacts {
  /** The stack the parameter is named by (its path `/<name>/<stack>`). @default the deployment record's kind */
  readonly stack?: string;
  /** Fields of the document in place of the module's (each one the local has). */
  readonly document?: Record<string, unknown>;
}

/**
 * Writes the facts into `w.aws` from `w.state` (the world's production: the drill's `world`, or the acceptance run's
 * `applyState` and `applyAws`), their objects' bodies inline (`text`: a run id rewritten in them as in the rest).
 */
export function putStandbyFacts(w: { state: any; aws: any }, json: TerraformJson, options: WorldStandbyFacts = {}): void {
  const local = (json.locals as Record<string, unknown> | undefined)?.standby_facts as Record<string, unknown> | undefined;
  if (!local) throw new Error("the world: production's module has no standby_facts local (no standby.region)");
  const state = w.state;
  const url = String(state.outputs.rancher_url?.value ?? '');
  const hostname = new URL(url).host;
  // The module's variables as production was applied with them: the hostname its URL names, and its zone.
  const variables: Record<string, string> = { rancher_hostname: hostname, route53_zone_name: hostname.split('.').slice(1).join('.') };
  const extra = Object.keys(options.document ?? {}).filter((k) => !(k in local));
  if (extra.length > 0) throw new Error(`the world: ${extra.join(', ')} is no field of the module's standby_facts local`);
  // The module's fields, each read from the state unless the world gives it.
  const document = Object.fromEntries(
    Object.entries(local).map(([k, v]) => [k, options.document && k in options.document ? options.document[k] : evaluate(v, state, variables)]),
  ) as Record<string, any>;
  const backups = document.backups as { copy: string; encryption: { key: string; kmsKeyArn: string } | null };
  const copy = w.aws.buckets[backups.copy];
  if (!copy) throw new Error(`the world: production's facts name the copy ${backups.copy}, which the world's AWS does not hold`);

  const text = JSON.stringify(document);
  const now = new Date().toISOString();
  copy.objects = copy.objects.filter((o: any) => !o.key.startsWith('rancher-aws/standby/'));
  copy.objects.push({ key: 'rancher-aws/standby/facts.json', version: 'f1', lastModified: now, size: text.length, text, sse: 'AES256' });
  if (backups.encryption) {
    // The copies' key, by its ARN in the state: its id in the world's KMS, and its policy's grant to the deployer.
    const keyId = managed(state, 'aws_kms_key').find((k) => k.arn === backups.encryption!.kmsKeyArn)?.key_id;
    if (!keyId || !w.aws.keys[keyId]) throw new Error(`the world: no KMS key ${backups.encryption.kmsKeyArn} of production's state in the world`);
    // (A world's change may have named other users: a caller the policy does not let decrypt.)
    w.aws.keys[keyId].users ??= [w.aws.caller ?? FAKE_CALLER];
    // What Terraform writes into the object is the configuration production's state outputs (the same value).
    const config = String(state.outputs.rancher_backup_encryption_config?.value ?? '');
    copy.objects.push({
      key: backups.encryption.key,
      version: 'f2',
      lastModified: now,
      size: config.length,
      text: config,
      sse: 'aws:kms',
      kmsKey: keyId,
    });
  }
  const pointer = managed(state, 'aws_ssm_parameter').find((p) => String(p.name).endsWith(STANDBY_FACTS_PARAMETER));
  if (!pointer) throw new Error("the world: production's state holds no standby facts parameter");
  const name = options.stack ? `/${document.name}/${options.stack}${STANDBY_FACTS_PARAMETER}` : String(pointer.name);
  w.aws.parameters = {
    ...w.aws.parameters,
    [name]: { value: `s3://${backups.copy}/rancher-aws/standby/facts.json`, version: 1, type: 'String', region: document.standbyRegion, tags: [] },
  };
}

/**
 * Production's state as Terraform holds what the facts read (the fake state's own names are not S3's, and its objects'
 * contents are expressions): its backup bucket and the copy under the world's names, and the records beside the
 * backups resolved (the CA record `ca`, and a backup record of the hostname). In place.
 */
export function heldAsApplied(state: any, o: { bucket: string; copy: string; ca: string; hostname: string }): void {
  const attributes = (type: string, prefix: string) =>
    state.resources.find((r: any) => r.type === type && r.name.startsWith(prefix)).instances[0].attributes;
  Object.assign(attributes('aws_s3_bucket', 'rancher-backups_bucket_'), { id: o.bucket, bucket: o.bucket });
  Object.assign(attributes('aws_s3_bucket', 'standby_rancher-backups_bucket_'), { id: o.copy, bucket: o.copy });
  Object.assign(attributes('aws_s3_object', 'rancher-backups_record_ca-object_'), {
    key: `rancher-aws/record-ca/ca=${o.ca}`,
    content: JSON.stringify({ ca: o.ca }),
  });
  const fields = { rancher: '2.15.2', hostname: o.hostname, encryption: '0a1b', since: '2026-11-01T00:00:00Z' };
  Object.assign(attributes('aws_s3_object', 'rancher-backups_record_object_'), {
    key: `rancher-aws/record/${Object.entries(fields)
      .map(([k, v]) => `${k}=${v}`)
      .join('/')}`,
    content: JSON.stringify(fields),
  });
}

/** The attributes of every instance of the state's managed resources of `type`. */
const managed = (state: any, type: string): any[] =>
  state.resources.filter((r: any) => r.mode === 'managed' && r.type === type).flatMap((r: any) => r.instances.map((i: any) => i.attributes));

/**
 * A value of the local with its references read from the state: `${...}` holding `var.x`, `type.name.attribute`,
 * `type.name[*]` (every instance), and the functions the local uses (`concat`, `nonsensitive`, `jsondecode`, and an
 * attribute of the result); `https://${var.x}` as text. Anything else fails: the module's local changed, so must this.
 */
function evaluate(value: unknown, state: any, variables: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, state, variables));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, state, variables)]));
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const whole = /^\$\{(.*)\}$/s.exec(value);
  if (whole && !whole[1].includes('${')) return expression(whole[1].trim(), state, variables);
  return value.replace(/\$\{([^}]*)\}/g, (_, e: string) => String(expression(e.trim(), state, variables)));
}

function expression(text: string, state: any, variables: Record<string, string>): unknown {
  const call = /^([a-z]+)\((.*)\)(?:\.([a-z_]+))?$/s.exec(text);
  if (call) {
    const args = splitArguments(call[2]).map((a) => expression(a, state, variables));
    const result = ((): unknown => {
      if (call[1] === 'concat') return (args as unknown[][]).flat();
      if (call[1] === 'nonsensitive') return args[0];
      if (call[1] === 'jsondecode') return JSON.parse(String(args[0]));
      throw new Error(`the world does not evaluate ${call[1]}() of the standby facts local`);
    })();
    return call[3] ? (result as Record<string, unknown>)[call[3]] : result;
  }
  const variable = /^var\.([a-z0-9_]+)$/.exec(text);
  if (variable) return variables[variable[1]];
  const reference = /^(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.([a-z0-9_]+)|(\[\*\]))$/.exec(text);
  if (!reference) throw new Error(`the world does not evaluate ${text} of the standby facts local`);
  const [, type, name, attribute, splat] = reference;
  const resource = state.resources.find((r: any) => r.mode === 'managed' && r.type === type && r.name === name);
  if (!resource) throw new Error(`the world: production's state holds no ${type}.${name}, which the standby facts name`);
  if (splat) return resource.instances.map((i: any) => i.attributes);
  const found = resource.instances[0].attributes[attribute];
  if (found === undefined) throw new Error(`the world: production's ${type}.${name} has no ${attribute} (set it as Terraform stores it)`);
  return found;
}

/** A call's arguments, split at the commas outside parentheses. */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(' || text[i] === '[') depth++;
    if (text[i] === ')' || text[i] === ']') depth--;
    if (text[i] === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.trim() !== '') args.push(text.slice(start).trim());
  return args;
}
