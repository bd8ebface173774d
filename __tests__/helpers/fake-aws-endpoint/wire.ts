// AWS's wire protocols, the server's side, for the calls the bundled CLI makes in the tools tier's end-to-end runs:
// a request the real SDK for JavaScript v3 serialized is read back into the command's input, and the fake's answer
// (or its error) is written as the service would write it, for the SDK's own deserializers to read. The protocols,
// as each service's API Reference and the Smithy protocol specifications define them (smithy.io, "AWS protocols"):
// - awsQuery (Elastic Load Balancing v2, RDS, STS, IAM): a form-encoded POST with Action; lists as `Name.member.N`; the
//   answer `<ActionResponse><ActionResult>...`, lists as `<member>` unless the shape names its members (RDS's
//   DBInstances hold `<DBInstance>`); errors `<ErrorResponse><Error><Code>`.
// - ec2Query (EC2): as awsQuery, lists as `Name.N` under the query names the API Reference gives (Filter, Owner);
//   the answer's members lowerCamelCase, lists `<xSet><item>`; errors `<Response><Errors><Error><Code>`.
// - restXml (S3): the bucket in the path (path style: the SDK uses it for an endpoint given as an IP address), the
//   operation in the query; the answer's lists flattened (`<Version>` repeated); errors `<Error><Code>`.
// - awsJson1_1 (KMS, CloudWatch Logs, SSM, CloudTrail, the Resource Groups Tagging API) and awsJson1_0 (CloudWatch,
//   signed as monitoring): the operation in X-Amz-Target, the input as JSON, timestamps as epoch seconds; errors
//   `{"__type"}`.
// - restXml (Route 53, signed for us-east-1: the service is global): the operation in the path under `/2013-04-01/`
//   (POST `hostedzone/{Id}/rrset` with a `ChangeResourceRecordSetsRequest` document, GET `change/{Id}`), the answer
//   `<OperationResponse xmlns=...>` with members as named, lists of `<Change>`/`<ResourceRecordSet>`; errors
//   `<ErrorResponse><Error><Code>` (Route 53 API Reference, ChangeResourceRecordSets, GetChange, "Common Errors").
// A request this file cannot read is answered with HTTP 501 naming it: a test never passes on a guessed answer.

/** One call read off the wire. */
export interface WireCall {
  /** The fake's service name (its client's: `S3`, `ElasticLoadBalancingV2`). */
  readonly service: string;
  readonly command: string;
  readonly region: string;
  /** The access key id the request was signed with (the fake cloud names its world with it). */
  readonly accessKeyId: string;
  readonly input: Record<string, any>;
}

/** What the server writes back. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** An object's bytes (S3 GetObject) as they are; every other answer is text. */
  readonly body: string | Buffer;
  /** No answer at all: the endpoint's region is lost (server.ts drops the connection; in-process.ts throws as Node.js does). */
  readonly unreachable?: true;
}

/** A request the server does not read: answered 501 with the reason. */
export class NotReadable extends Error {}

type Protocol = 'query' | 'ec2' | 'restXml' | 'json' | 'route53';

/** Each SigV4 signing name the CLI's clients use: the fake's service, its protocol and its API version's XML namespace. */
const SERVICES: Readonly<Record<string, { service: string; protocol: Protocol; xmlns?: string }>> = {
  elasticloadbalancing: { service: 'ElasticLoadBalancingV2', protocol: 'query', xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  rds: { service: 'RDS', protocol: 'query', xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/' },
  sts: { service: 'STS', protocol: 'query', xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  ec2: { service: 'EC2', protocol: 'ec2', xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' },
  s3: { service: 'S3', protocol: 'restXml', xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
  kms: { service: 'KMS', protocol: 'json' },
  logs: { service: 'CloudWatchLogs', protocol: 'json' },
  ssm: { service: 'SSM', protocol: 'json' },
  route53: { service: 'Route53', protocol: 'route53', xmlns: 'https://route53.amazonaws.com/doc/2013-04-01/' },
  // The acceptance run's (its sweep, its report's CloudTrail actions, its metrics phase).
  iam: { service: 'IAM', protocol: 'query', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' },
  tagging: { service: 'ResourceGroupsTaggingAPI', protocol: 'json' },
  cloudtrail: { service: 'CloudTrail', protocol: 'json' },
  monitoring: { service: 'CloudWatch', protocol: 'json' },
};

/** Query lists whose members the API names (RDS API Reference, DBInstance data type inside DescribeDBInstances' result). */
const QUERY_MEMBER_NAMES: Readonly<Record<string, string>> = { DBInstances: 'DBInstance', DBSnapshots: 'DBSnapshot' };
/** EC2's query names of list parameters (EC2 API Reference, DescribeSnapshots' request parameters) and their SDK members. */
const EC2_QUERY_NAMES: Readonly<Record<string, string>> = {
  Filter: 'Filters',
  Value: 'Values',
  Owner: 'OwnerIds',
  SnapshotId: 'SnapshotIds',
  InstanceId: 'InstanceIds',
};
/** EC2's response names of object members it renames (EC2 API Reference, Instance: its State, an InstanceState, is `instanceState`). */
const EC2_OBJECT_NAMES: Readonly<Record<string, string>> = { State: 'instanceState' };
/** EC2's response names of lists (`snapshotSet`), by the SDK's member. */
const EC2_SET_NAMES: Readonly<Record<string, string>> = {
  Snapshots: 'snapshotSet',
  Reservations: 'reservationSet',
  Instances: 'instancesSet',
  Tags: 'tagSet',
  StoppingInstances: 'instancesSet',
};
/** S3's flattened list elements, by the SDK's member (S3 API Reference, ListObjectVersions' and DeleteObjects' responses). */
const S3_FLATTENED: Readonly<Record<string, string>> = {
  Versions: 'Version',
  DeleteMarkers: 'DeleteMarker',
  Deleted: 'Deleted',
  Errors: 'Error',
  Contents: 'Contents',
};
/** S3's REST operations the server reads: method and query word → command. */
const S3_OPERATIONS: readonly { method: string; word?: string; command: string }[] = [
  { method: 'GET', word: 'versions', command: 'ListObjectVersions' },
  { method: 'POST', word: 'delete', command: 'DeleteObjects' },
  { method: 'DELETE', command: 'DeleteBucket' },
  { method: 'GET', word: 'list-type', command: 'ListObjectsV2' },
];

/** Reads a request: the service and region from its SigV4 credential scope, the command and input by the protocol. */
export function readCall(method: string, url: string, headers: Readonly<Record<string, string | undefined>>, body: string): WireCall {
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
  if (!scope) throw new NotReadable(`no SigV4 Authorization header on ${method} ${url}`);
  const [, accessKeyId, region, signingName] = scope;
  const known = SERVICES[signingName];
  if (!known) throw new NotReadable(`the service signed as '${signingName}' is not read by the fake AWS endpoint`);
  const base = { service: known.service, region, accessKeyId };
  if (known.protocol === 'json') {
    const target = headers['x-amz-target'] ?? '';
    return { ...base, command: target.slice(target.indexOf('.') + 1), input: body === '' ? {} : JSON.parse(body) };
  }
  if (known.protocol === 'restXml') return { ...base, ...readS3(method, new URL(url, 'http://fake'), body, headers) };
  if (known.protocol === 'route53') return { ...base, ...readRoute53(method, new URL(url, 'http://fake'), body) };
  const form = new URLSearchParams(body);
  const command = form.get('Action');
  if (!command) throw new NotReadable(`a ${known.service} query request without Action`);
  form.delete('Action');
  form.delete('Version');
  return { ...base, command, input: unflatten(form, known.protocol === 'ec2') };
}

/** The form's `A.member.1.B=x` (EC2: `Filter.1.Value.1=x`) as the input object the SDK serialized it from. */
function unflatten(form: URLSearchParams, ec2: boolean): Record<string, any> {
  const input: Record<string, any> = {};
  for (const [name, raw] of form) {
    const path = name.split('.').filter((part) => part !== 'member');
    let at: any = input;
    for (let i = 0; i < path.length; i++) {
      const part = /^\d+$/.test(path[i]) ? Number(path[i]) - 1 : ec2 ? (EC2_QUERY_NAMES[path[i]] ?? path[i]) : path[i];
      const last = i === path.length - 1;
      if (last) at[part] = typed(path[i], raw);
      else at = at[part] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
    }
  }
  return input;
}

/** Query members that are not strings (their shapes in the API References); every other value stays the string sent. */
const QUERY_BOOLEANS = new Set(['DeletionProtection', 'ApplyImmediately', 'DryRun', 'IncludeShared', 'IncludePublic']);
const QUERY_NUMBERS = new Set(['MaxRecords', 'MaxResults']);
const typed = (name: string, raw: string): string | boolean | number =>
  QUERY_BOOLEANS.has(name) ? raw === 'true' : QUERY_NUMBERS.has(name) ? Number(raw) : raw;

/** S3: the bucket from the path (path style), the operation from method and query word. */
function readS3(
  method: string,
  url: URL,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): { command: string; input: Record<string, any> } {
  const [bucket, ...key] = url.pathname.slice(1).split('/');
  if (bucket === '') throw new NotReadable(`S3 ${method} ${url.pathname}: no bucket in the path`);
  if (key.some(Boolean)) return readS3Object(method, decodeURIComponent(bucket), key.map(decodeURIComponent).join('/'), url, headers);
  const operation = S3_OPERATIONS.find((o) => o.method === method && (o.word === undefined ? url.search === '' : url.searchParams.has(o.word)));
  if (!operation) throw new NotReadable(`S3 ${method} ${url.pathname}${url.search} is not read by the fake AWS endpoint`);
  const input: Record<string, any> = { Bucket: decodeURIComponent(bucket) };
  const q = url.searchParams;
  if (q.has('key-marker')) input.KeyMarker = q.get('key-marker');
  if (q.has('version-id-marker')) input.VersionIdMarker = q.get('version-id-marker');
  if (q.has('max-keys')) input.MaxKeys = Number(q.get('max-keys'));
  if (q.has('prefix')) input.Prefix = q.get('prefix');
  if (q.has('continuation-token')) input.ContinuationToken = q.get('continuation-token');
  if (operation.command === 'DeleteObjects') {
    const objects = [...body.matchAll(/<Object>(.*?)<\/Object>/gs)].map(([, o]) => ({
      Key: xmlText(/<Key>(.*?)<\/Key>/s.exec(o)?.[1]),
      ...(/<VersionId>/.test(o) ? { VersionId: xmlText(/<VersionId>(.*?)<\/VersionId>/s.exec(o)?.[1]) } : {}),
    }));
    input.Delete = { Objects: objects, Quiet: /<Quiet>true<\/Quiet>/.test(body) };
  }
  return { command: operation.command, input };
}

/**
 * S3's object-level operations (S3 API Reference): GetObject is a GET of `/bucket/key`, its Range in the `Range`
 * header; CopyObject a PUT of the target with the source in `x-amz-copy-source` (`bucket/url-encoded-key`, passed on
 * as sent) and the encryption in `x-amz-server-side-encryption`.
 */
function readS3Object(
  method: string,
  bucket: string,
  key: string,
  url: URL,
  headers: Readonly<Record<string, string | undefined>>,
): { command: string; input: Record<string, any> } {
  // The SDK names the operation in an `x-id` query parameter; no other is read.
  const only = [...url.searchParams.keys()].every((name) => name === 'x-id');
  if (method === 'GET' && only)
    return { command: 'GetObject', input: { Bucket: bucket, Key: key, ...(headers.range ? { Range: headers.range } : {}) } };
  const source = headers['x-amz-copy-source'];
  if (method === 'PUT' && source !== undefined && only) {
    const encryption = headers['x-amz-server-side-encryption'];
    return {
      command: 'CopyObject',
      input: { Bucket: bucket, Key: key, CopySource: source, ...(encryption ? { ServerSideEncryption: encryption } : {}) },
    };
  }
  throw new NotReadable(`S3 ${method} /${bucket}/${key}${url.search} is not read by the fake AWS endpoint`);
}

/** Route 53: the operation from the path, a change batch from its XML document (alias or plain records). */
function readRoute53(method: string, url: URL, body: string): { command: string; input: Record<string, any> } {
  const path = url.pathname.replace(/^\/2013-04-01\//, '');
  const change = /^change\/([^/]+)$/.exec(path);
  if (method === 'GET' && change) return { command: 'GetChange', input: { Id: decodeURIComponent(change[1]) } };
  const rrset = /^hostedzone\/([^/]+)\/rrset\/?$/.exec(path);
  if (method !== 'POST' || !rrset) throw new NotReadable(`Route53 ${method} ${url.pathname} is not read by the fake AWS endpoint`);
  const tag = (text: string, name: string) => {
    const found = new RegExp(`<${name}>(.*?)</${name}>`, 's').exec(text);
    return found ? xmlText(found[1]) : undefined;
  };
  const changes = [...body.matchAll(/<Change>(.*?)<\/Change>/gs)].map(([, c]) => {
    const set = /<ResourceRecordSet>(.*?)<\/ResourceRecordSet>/s.exec(c)?.[1] ?? '';
    const alias = /<AliasTarget>(.*?)<\/AliasTarget>/s.exec(set)?.[1];
    const ttl = tag(set, 'TTL');
    const values = [...set.matchAll(/<ResourceRecord>(.*?)<\/ResourceRecord>/gs)].map(([, r]) => ({ Value: tag(r, 'Value') }));
    return {
      Action: tag(c, 'Action'),
      ResourceRecordSet: {
        Name: tag(set, 'Name'),
        Type: tag(set, 'Type'),
        ...(ttl === undefined ? {} : { TTL: Number(ttl) }),
        ...(values.length ? { ResourceRecords: values } : {}),
        ...(alias
          ? {
              AliasTarget: {
                HostedZoneId: tag(alias, 'HostedZoneId'),
                DNSName: tag(alias, 'DNSName'),
                ...(tag(alias, 'EvaluateTargetHealth') === undefined ? {} : { EvaluateTargetHealth: tag(alias, 'EvaluateTargetHealth') === 'true' }),
              },
            }
          : {}),
      },
    };
  });
  const comment = tag(/<ChangeBatch>(.*?)<\/ChangeBatch>/s.exec(body)?.[1] ?? '', 'Comment');
  return {
    command: 'ChangeResourceRecordSets',
    input: { HostedZoneId: decodeURIComponent(rrset[1]), ChangeBatch: { ...(comment === undefined ? {} : { Comment: comment }), Changes: changes } },
  };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };
const xmlText = (text: string | undefined) => (text ?? '').replace(/&(lt|gt|quot|apos|amp);/g, (e) => XML_ENTITIES[e]);
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The fake's output written as the service answers. */
export function writeOutput(call: WireCall, output: Record<string, any>): WireAnswer {
  const { protocol, xmlns } = protocolOf(call);
  const data = Object.fromEntries(Object.entries(output).filter(([k]) => k !== '$metadata'));
  if (protocol === 'json') return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(data, jsonDates) };
  if (protocol === 'restXml') {
    if (call.command === 'DeleteBucket') return { status: 204, headers: {}, body: '' };
    // GetObject: the bytes as the body, the rest of the output in headers (206 for a Range).
    if (call.command === 'GetObject') {
      const bytes = data.Body as Buffer;
      return {
        status: call.input.Range ? 206 : 200,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(bytes.length),
          'x-amz-version-id': String(data.VersionId),
          // The object's encryption and replication status, as S3 answers them (S3 API Reference, GetObject: Response Syntax).
          ...(data.ServerSideEncryption ? { 'x-amz-server-side-encryption': String(data.ServerSideEncryption) } : {}),
          ...(data.ReplicationStatus ? { 'x-amz-replication-status': String(data.ReplicationStatus) } : {}),
        },
        body: bytes,
      };
    }
    // CopyObject: the result element as the payload, the version and encryption in headers.
    if (call.command === 'CopyObject')
      return {
        ...xml(200, `<CopyObjectResult xmlns="${xmlns}">${members(data.CopyObjectResult ?? {}, 's3')}</CopyObjectResult>`),
        headers: {
          'content-type': 'text/xml',
          'x-amz-version-id': String(data.VersionId),
          ...(data.ServerSideEncryption ? { 'x-amz-server-side-encryption': String(data.ServerSideEncryption) } : {}),
        },
      };
    const root = { ListObjectVersions: 'ListVersionsResult', ListObjectsV2: 'ListBucketResult' }[call.command as string] ?? 'DeleteResult';
    return xml(200, `<${root} xmlns="${xmlns}">${members(data, 's3')}</${root}>`);
  }
  if (protocol === 'route53') return xml(200, `<${call.command}Response xmlns="${xmlns}">${members(data, 'query')}</${call.command}Response>`);
  if (protocol === 'ec2')
    return xml(200, `<${call.command}Response xmlns="${xmlns}"><requestId>fake-request</requestId>${members(data, 'ec2')}</${call.command}Response>`);
  const result = `<${call.command}Result>${members(data, 'query')}</${call.command}Result>`;
  return xml(
    200,
    `<${call.command}Response xmlns="${xmlns}">${result}<ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></${call.command}Response>`,
  );
}

/** An error the fake threw (an SDK exception: its name is AWS's code) written as the service answers it. */
export function writeError(call: WireCall, error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }): WireAnswer {
  const { protocol } = protocolOf(call);
  const status = error.$metadata?.httpStatusCode ?? 400;
  const code = escapeXml(error.name);
  const message = escapeXml(error.message);
  if (protocol === 'json')
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: error.name, message: error.message }),
    };
  if (protocol === 'restXml')
    return xml(status, `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fake-request</RequestId></Error>`);
  if (protocol === 'ec2')
    return xml(
      status,
      `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fake-request</RequestID></Response>`,
    );
  return xml(
    status,
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
  );
}

const protocolOf = (call: WireCall) => Object.values(SERVICES).find((s) => s.service === call.service)!;
const xml = (status: number, body: string): WireAnswer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>${body}`,
});
/** awsJson1_1 writes timestamps as epoch seconds (Smithy, "awsJson1_1 protocol", timestamp serialization). */
const jsonDates = function (this: any, key: string, value: unknown) {
  return this[key] instanceof Date ? this[key].getTime() / 1000 : value;
};

/** An object's members as XML elements, each protocol's way of naming members and lists. */
function members(data: Record<string, any>, style: 'query' | 'ec2' | 's3'): string {
  return Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => element(name, value, style))
    .join('');
}

function element(name: string, value: any, style: 'query' | 'ec2' | 's3'): string {
  const object = value !== null && typeof value === 'object' && !(value instanceof Date);
  const tag =
    style === 'ec2'
      ? Array.isArray(value)
        ? (EC2_SET_NAMES[name] ?? `${lowerFirst(name)}Set`)
        : ((object ? EC2_OBJECT_NAMES[name] : undefined) ?? lowerFirst(name))
      : name;
  if (Array.isArray(value)) {
    if (style === 's3') return value.map((v) => element(S3_FLATTENED[name] ?? name, v, style)).join('');
    const member = style === 'ec2' ? 'item' : (QUERY_MEMBER_NAMES[name] ?? 'member');
    return `<${tag}>${value.map((v) => element(member, v, style)).join('')}</${tag}>`;
  }
  if (value instanceof Date) return `<${tag}>${value.toISOString()}</${tag}>`;
  if (value !== null && typeof value === 'object') return `<${tag}>${members(value, style)}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
