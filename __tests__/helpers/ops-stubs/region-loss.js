// A region lost, as the stand-ins deny it (world.aws.regionLoss: { region, controlPlanes }; FakeAws.regionLoss), one
// rule for the fake AWS (fake-aws/fake-aws.ts), its endpoint (fake-aws-endpoint/server.ts) and the stubs
// (fake-drill.js: Terraform's S3 backend, its apply, curl). What it rests on (fake-aws/README.md, "A region lost"):
// - an endpoint of a region that is gone does not answer at all: no 4xx or 5xx from AWS, a connection that fails or
//   times out, which the SDK retries as a transient error and then reports (AWS SDKs and Tools Reference Guide, "Retry
//   behavior": connection errors and timeouts are transient);
// - IAM's and Route 53's APIs (their control planes) are served from us-east-1 whatever region a client names, and so
//   is S3's bucket configuration (create and delete a bucket, its policy, versioning, encryption, replication...),
//   while the objects' reads and writes stay in the bucket's region (AWS whitepaper "AWS Fault Isolation Boundaries",
//   Appendix A, "Partitional services"): with us-east-1 lost (`controlPlanes`, implied by region us-east-1) they fail
//   from every region. Route 53's data plane (DNS answers, health checks) is global and goes on.
'use strict';

/** The region whose endpoints serve a call of `service` made by a client of `region` (the control planes above: us-east-1). */
function endpointRegion(service, region) {
  return service === 'IAM' || service === 'Route53' ? 'us-east-1' : region;
}

/** S3's bucket configuration calls: CreateBucket, DeleteBucket, PutBucket*, DeleteBucket* (the bucket, not its objects). */
const bucketConfiguration = (command) => /^(Create|Delete|Put)Bucket/.test(command);

/** Whether the loss takes the global control planes (a us-east-1 primary, or said so). */
const controlPlanesLost = (loss) => Boolean(loss && (loss.controlPlanes ?? loss.region === 'us-east-1'));

/**
 * The regions whose endpoints do not answer: the lost one, and us-east-1 with the control planes. `controlPlanes` on
 * another region is the stand-in for a us-east-1 primary in a world whose production is synthesized elsewhere: what
 * a us-east-1 primary loses beyond its own region's endpoints is exactly us-east-1's (and the control planes there).
 */
const lostRegions = (loss) => (loss ? [loss.region, ...(controlPlanesLost(loss) ? ['us-east-1'] : [])] : []);

/** Whether a call (`service` as the SDK names its client: S3, IAM, Route53, KMS...) from a client of `region` finds no endpoint. */
function unreachable(loss, service, command, region) {
  if (!loss) return false;
  if (controlPlanesLost(loss) && service === 'S3' && bucketConfiguration(command)) return true;
  return lostRegions(loss).includes(endpointRegion(service, region));
}

/** The host a call goes to, as AWS names its endpoints (the message names it, as the SDK's does). */
function endpointHost(service, region) {
  if (service === 'IAM') return 'iam.amazonaws.com';
  if (service === 'Route53') return 'route53.amazonaws.com';
  const prefix =
    { ElasticLoadBalancingV2: 'elasticloadbalancing', CloudWatch: 'monitoring', CloudWatchLogs: 'logs' }[service] ?? service.toLowerCase();
  if (service === 'S3') return region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
  return `${prefix}.${region}.amazonaws.com`;
}

/**
 * The AWS SDK for Go's words for a request that never got an answer (Terraform and its AWS provider use that SDK): no
 * status code, no request id, the dial timed out. Observed with terraform 1.11's S3 backend against an endpoint that
 * does not answer ("request send failed, Get ...: dial tcp ...").
 */
function goSdkUnreachable(service, command, region, attempts) {
  return `operation error ${service}: ${command}, exceeded maximum number of attempts, ${attempts}, https response error StatusCode: 0, RequestID: , request send failed, Post "https://${endpointHost(service, region)}/": dial tcp: i/o timeout`;
}

/**
 * The Terraform resource types whose create calls a control plane of us-east-1: IAM's, Route 53's (records, zones,
 * health checks) and S3's bucket configuration (`aws_s3_bucket` itself and every `aws_s3_bucket_*`; `aws_s3_object`
 * is an object's write, in the bucket's region). The service and the first call the AWS provider makes for it.
 */
function controlPlaneOfResource(type) {
  if (type.startsWith('aws_iam_')) return { service: 'IAM', command: type === 'aws_iam_instance_profile' ? 'CreateInstanceProfile' : 'CreateRole' };
  if (type.startsWith('aws_route53_'))
    return { service: 'Route53', command: type === 'aws_route53_health_check' ? 'CreateHealthCheck' : 'ChangeResourceRecordSets' };
  if (type === 'aws_s3_bucket') return { service: 'S3', command: 'CreateBucket' };
  if (type.startsWith('aws_s3_bucket_'))
    return { service: 'S3', command: `PutBucket${type.slice('aws_s3_bucket_'.length).replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase())}` };
  return undefined;
}

/**
 * Data sources the AWS provider computes without a call (a policy document, the partition, the region's name, a
 * service's principal: terraform-provider-aws builds each from its configuration and its endpoints' data).
 */
const LOCAL_DATA = new Set(['aws_iam_policy_document', 'aws_partition', 'aws_region', 'aws_service_principal']);

/**
 * The call a data source's read makes, and whether it is a control plane's of us-east-1. aws_iam_session_context of
 * an assumed role (the world's callers are: SSO and pipeline roles) looks the role up with IAM's GetRole to learn its
 * path (terraform-provider-aws, internal/service/iam session_context_data_source.go); the other IAM and Route 53 data
 * sources read those services' APIs, served from us-east-1 (the control planes above).
 */
function dataSourceCall(type) {
  if (type === 'aws_iam_session_context') return { service: 'IAM', command: 'GetRole', plane: true };
  if (type === 'aws_caller_identity') return { service: 'STS', command: 'GetCallerIdentity', plane: false };
  if (type.startsWith('aws_iam_')) return { service: 'IAM', command: 'Get', plane: true };
  if (type.startsWith('aws_route53_')) return { service: 'Route53', command: 'List', plane: true };
  return { service: serviceOf(type), command: 'Describe', plane: false };
}

/** A variable's value as Terraform takes it: `-var=name=value` on the command line, else TF_VAR_name, else its default. */
function variableValue(config, name, args, env) {
  const given = args.map((a) => /^-var=([^=]+)=(.*)$/s.exec(a)).find((m) => m && m[1] === name);
  if (given) return given[2];
  if (env[`TF_VAR_${name}`] !== undefined) return env[`TF_VAR_${name}`];
  const fallback = config.variable?.[name]?.default;
  return fallback === undefined ? undefined : String(fallback);
}

/**
 * How many instances a block's `count` makes: a literal, or the one form the modules put on a variable
 * (`${var.x ? 1 : 0}`, a read turned off: BootParameters' deployer); any other expression counts as one, the unkind side.
 */
function countOf(config, body, args, env) {
  if (body.count === undefined) return 1;
  if (typeof body.count === 'number') return body.count;
  const onVariable = /^\$\{var\.([A-Za-z0-9_]+) \? 1 : 0\}$/.exec(String(body.count));
  if (onVariable) return variableValue(config, onVariable[1], args, env) === 'false' ? 0 : 1;
  return 1;
}

/** The AWS service behind a resource type, by its prefix (the AWS provider's resource names). */
const SERVICES = [
  [
    /^aws_(vpc|subnet|route|internet_gateway|nat_gateway|eip|security_group|default_|network_|instance|launch_template|ebs_|ec2_|flow_log|vpc_)/,
    'EC2',
  ],
  [/^aws_(lb|alb)/, 'ElasticLoadBalancingV2'],
  [/^aws_cloudwatch_log_/, 'CloudWatchLogs'],
  [/^aws_cloudwatch_/, 'CloudWatch'],
  [/^aws_sns_/, 'SNS'],
  [/^aws_sqs_/, 'SQS'],
  [/^aws_kms_/, 'KMS'],
  [/^aws_ssm_/, 'SSM'],
  [/^aws_s3_/, 'S3'],
  [/^aws_acm_/, 'ACM'],
  [/^aws_db_/, 'RDS'],
];
const serviceOf = (type) => SERVICES.find(([pattern]) => pattern.test(type))?.[1] ?? type.split('_')[1].toUpperCase();
const firstCall = (type) => ({ service: serviceOf(type), command: 'Create' });

/**
 * What Terraform's apply of a module (cdk.tf.json) cannot do in the loss: every data source it reads and every
 * resource it would create (not in `created`, the addresses in its state) through an endpoint that does not answer,
 * each with Terraform's error for it; the control planes' first. A resource goes through its provider's region
 * (`provider` names an alias; else the default provider's). Empty when nothing is denied.
 */
function deniedResources(loss, config, created = new Set(), { args = [], env = {} } = {}) {
  if (!loss) return [];
  const providers = [].concat(config.provider?.aws ?? []);
  const providerOf = (provider) => {
    const alias = provider ? String(provider).replace(/^aws\./, '') : undefined;
    return providers.find((p) => (alias ? p.alias === alias : p.alias === undefined));
  };
  const regionOf = (provider) => providerOf(provider)?.region;
  const regions = lostRegions(loss);
  const denied = [];
  // Terraform configures every provider a block uses, and the AWS provider's configuration checks the credentials
  // with STS GetCallerIdentity in `sts_region`, else its region (aws-sdk-go-base: GetAwsAccountIDAndPartition, stsClient).
  const used = new Set(
    [config.resource, config.data].flatMap((section) =>
      Object.entries(section ?? {})
        .filter(([type]) => type.startsWith('aws_'))
        .flatMap(([, byName]) => Object.values(byName).map((body) => providerOf(body.provider))),
    ),
  );
  for (const p of used) {
    const region = p?.sts_region ?? p?.region;
    if (!p || !regions.includes(region)) continue;
    const address = `provider["registry.terraform.io/hashicorp/aws"]${p.alias ? `.${p.alias}` : ''}`;
    denied.push({
      address,
      plane: false,
      message: `Error: validating provider credentials: retrieving caller identity from STS: ${goSdkUnreachable('STS', 'GetCallerIdentity', region, 25)}\n\n  with ${address}`,
    });
  }
  // A data source is read at every plan (unless its count makes none), through its provider's region or the control
  // plane it reads; a few are computed by the provider alone.
  for (const [type, byName] of Object.entries(config.data ?? {})) {
    if (!type.startsWith('aws_') || LOCAL_DATA.has(type)) continue;
    const call = dataSourceCall(type);
    for (const [name, body] of Object.entries(byName)) {
      if (countOf(config, body, args, env) === 0) continue;
      const onPlane = call.plane && controlPlanesLost(loss);
      const region = call.plane ? 'us-east-1' : regionOf(body.provider);
      if (!onPlane && !(regions.includes(region) && !call.plane)) continue;
      const address = `data.${type}.${name}`;
      denied.push({ address, plane: onPlane, message: `Error: reading ${address}: ${goSdkUnreachable(call.service, call.command, region, 25)}` });
    }
  }
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    if (!type.startsWith('aws_')) continue;
    for (const [name, body] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      if (created.has(address)) continue;
      const region = regionOf(body.provider);
      const plane = controlPlaneOfResource(type);
      const onPlane = Boolean(plane && controlPlanesLost(loss));
      if (!onPlane && !regions.includes(region)) continue;
      const { service, command } = onPlane ? plane : firstCall(type);
      const host = onPlane && service === 'S3' ? 'us-east-1' : region;
      denied.push({ address, plane: onPlane, message: `Error: creating ${address}: ${goSdkUnreachable(service, command, host, 25)}` });
    }
  }
  return denied.sort((a, b) => Number(b.plane) - Number(a.plane));
}

/**
 * The AWS services and regions an apply of a module (cdk.tf.json) calls to create its resources, one entry per
 * resource type: the region of its endpoint (the control planes': us-east-1) and the service and first call. What
 * the state holds already (`created`, addresses: a prepared pilot light) is not created again.
 */
function moduleCalls(config, created = new Set()) {
  const providers = [].concat(config.provider?.aws ?? []);
  const regionOf = (provider) => {
    const alias = provider ? String(provider).replace(/^aws\./, '') : undefined;
    return providers.find((p) => (alias ? p.alias === alias : p.alias === undefined))?.region;
  };
  const calls = new Set();
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    if (!type.startsWith('aws_')) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (created.has(`${type}.${name}`)) continue;
      const plane = controlPlaneOfResource(type);
      const region = plane && plane.service !== 'S3' ? 'us-east-1' : regionOf(body.provider);
      calls.add(
        plane
          ? `${region} ${plane.service} ${plane.service === 'S3' ? 'bucket configuration' : 'API'} (control plane in us-east-1)`
          : `${region} ${serviceOf(type)}`,
      );
    }
  }
  return [...calls].sort();
}

/**
 * `terraform state pull` (or any read of the state) of a module whose backend is S3 in the lost region: Terraform's
 * S3 backend reads the state object there (terraform internal/backend/remote-state/s3: GetObject of `key` in
 * `bucket`, in the backend's `region`), and fails as the state command says (internal/command/state_pull.go: "Failed
 * to load state"). Undefined when the state is elsewhere (a local file, another region).
 */
function stateUnreachable(loss, config) {
  const s3 = config.terraform?.backend?.s3;
  if (!loss || !s3 || !lostRegions(loss).includes(s3.region ?? 'us-east-1')) return undefined;
  return `Failed to load state: ${goSdkUnreachable('S3', 'GetObject', s3.region, 5).replace(`Post "https://s3.${s3.region}.amazonaws.com/"`, `Get "https://${s3.bucket}.s3.${s3.region}.amazonaws.com/${s3.key}"`)}\n`;
}

module.exports = {
  unreachable,
  endpointRegion,
  endpointHost,
  controlPlanesLost,
  lostRegions,
  deniedResources,
  moduleCalls,
  stateUnreachable,
  goSdkUnreachable,
};
