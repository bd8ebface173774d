import { ENVIRONMENT_PROOF } from '../../lib/rancher/rancher2-provider';
import { resources, type TerraformJson } from './synth';

/** Paths that hold a secret, or material a portable module takes from a reference (certificates of the cluster). */
const SECRET_PATH =
  /(password|token|secret|secret_key|access_key|private_key|client_key|client_certificate|key_pem|cluster_ca_certificate|set_sensitive\[\d+\]\.value|aws_ssm_parameter\.[^.]+\.value)$/i;

/** The rancher2 provider's keys written as its own "not given" marker, so the environment cannot set them: no secret. */
const notGiven = (path: string, value: string) =>
  /^provider\.rancher2\[\d+\]\.(access_key|secret_key|token_key)$/.test(path) && value === ENVIRONMENT_PROOF.access_key;

/**
 * Every string of a synthesized module at such a path that is not a
 * Terraform reference, as `path=value`: the secrets must come from the
 * random/tls providers, sensitive variables or SSM, never as literals.
 * Walks the resources, data sources, providers and outputs.
 */
export function secretLiterals(json: Pick<TerraformJson, 'resource' | 'data' | 'provider' | 'output'>): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, `${path}.${k}`));
    else if (typeof value === 'string' && SECRET_PATH.test(path) && !value.startsWith('${') && !notGiven(path, value)) found.push(`${path}=${value}`);
  };
  walk(json.resource, 'resource');
  walk(json.data, 'data');
  walk(json.provider, 'provider');
  walk(json.output, 'output');
  return found;
}

/** The one literal at such a path, and not a secret: the marker a replaced first server looks for (rke-ha). */
export const CLUSTER_INITIALIZED_MARKER = 'resource.aws_ssm_parameter.cluster-initialized.value=true';
/** The deployment's server count the restart guards read (rke-ha): a number, not a secret. */
export const SERVER_COUNT_LITERAL = /^resource\.aws_ssm_parameter\.server-count\.value=[1-9]$/;

/** Each server's report of its API certificate's end (rke-ha), the Docker host's of its K3s certificates, before the first report: a fixed phrase. */
export const API_CERTIFICATE_END_LITERAL =
  /^resource\.aws_ssm_parameter\.(api-certificate-end_server-\d|k3s-certificate-end_rancher)_[0-9A-F]{8}\.value=not reported yet$/;
/** The three servers' API certificate reports of a default rke-ha stack, as secretLiterals lists them. */
export const apiCertificateEndLiterals = (json: TerraformJson): string[] =>
  Object.keys(resources(json, 'aws_ssm_parameter'))
    .filter((name) => name.startsWith('api-certificate-end_server-'))
    .map((name) => `resource.aws_ssm_parameter.${name}.value=not reported yet`);

/** The marker of a finished migration restore: the backup's file name (a setting), not a secret. */
export const RESTORE_DONE_LITERAL =
  /^resource\.aws_ssm_parameter\.rancher-backups_restore-preflight_marker_[0-9A-F]{8}\.value=[a-z0-9][-.+a-zA-Z0-9]*\.tar\.gz(\.enc)?$/;

/** What the Docker host was last applied with (AppliedRecord): a Rancher version and a snapshot id, not secrets. */
export const APPLIED_RECORD_LITERAL =
  /^resource\.aws_ssm_parameter\.applied_(rancher-version_[0-9A-F]{8}\.value=2\.\d+\.\d+|restore-snapshot-id_[0-9A-F]{8}\.value=(none|snap-[0-9a-f]+))$/;

/** Where a standby's copy keeps production's facts for a failover (StandbyFacts' pointer): a bucket and a key, not secrets. */
export const STANDBY_FACTS_POINTER_LITERAL =
  /^resource\.aws_ssm_parameter\.standby_facts_pointer_[0-9A-F]{8}\.value=s3:\/\/\$\{aws_s3_bucket\.standby_rancher-backups_bucket_[0-9A-F]{8}\.id\}\/rancher-aws\/standby\/facts\.json$/;

/** Where production's servers find the failover's fence (FailoverFence's servers-region): a region's name, not a secret. */
export const FENCE_REGION_LITERAL =
  /^resource\.aws_ssm_parameter\.failover-fence_servers-region_[0-9A-F]{8}\.value=[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * The literals found that are not secrets: the markers, and the K3s datastore
 * URL (a template whose password is the generated one, a reference; the rest
 * is scheme, user and database name).
 */
export function notSecret(literal: string): boolean {
  return (
    literal === CLUSTER_INITIALIZED_MARKER ||
    SERVER_COUNT_LITERAL.test(literal) ||
    API_CERTIFICATE_END_LITERAL.test(literal) ||
    RESTORE_DONE_LITERAL.test(literal) ||
    APPLIED_RECORD_LITERAL.test(literal) ||
    STANDBY_FACTS_POINTER_LITERAL.test(literal) ||
    FENCE_REGION_LITERAL.test(literal) ||
    /^resource\.aws_ssm_parameter\.boot-parameters_datastore-endpoint_[0-9A-F]{8}\.value='(postgres|mysql):\/\/k3s:\$\{random_password\.[^}]+\.result\}@[^']*'$/.test(
      literal,
    )
  );
}

/** Key or certificate material: a PEM header followed by base64 (a validation message may name the header alone). */
export const PEM_BLOCK = /-----BEGIN [A-Z ]+-----(\\n|\s)*[A-Za-z0-9+/]{16}/;

/**
 * No key material in the module, the boot parameters SecureStrings whose
 * every secret part is a reference (what is left after removing references
 * holds no 16+ character token; the cluster-initialized marker, "true", is
 * the one plain String), and database passwords generated.
 */
export function expectSecretsByReference(json: TerraformJson, text = JSON.stringify(json)): void {
  expect(text).not.toMatch(PEM_BLOCK);
  for (const param of Object.values(resources(json, 'aws_ssm_parameter')).filter(
    (p) =>
      !/\/(cluster-initialized|server-count)$/.test(String(p.name)) && !/\/(api-certificate-end|k3s-certificate-end|applied)\//.test(String(p.name)),
  )) {
    expect(param.type).toBe('SecureString');
    expect(String(param.value).replace(/\$\{[^}]+\}/g, '')).not.toMatch(/[A-Za-z0-9]{16,}/);
  }
  for (const db of Object.values(resources(json, 'aws_db_instance'))) expect(db.password).toMatch(/^\$\{random_password\./);
}
