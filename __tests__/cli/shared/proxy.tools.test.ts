import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runBounded } from '../../helpers/subprocess';

// A corporate network whose only way out is its proxy: the names below end in .test (RFC 2606), which no resolver
// answers, so a call reaches the servers only through the CONNECT proxy that maps them to loopback. What each
// upstream does there: curl, Terraform and kubectl honour HTTPS_PROXY and NO_PROXY; the operations' AWS SDK clients
// and Kubernetes client now do too (cli/shared/proxy.ts).

const AWS_HOST = 'sts.proxy-only.test';
const KUBE_HOST = 'kube.proxy-only.test';
/** Reached only directly (NO_PROXY lists it): nothing resolves it, so its call fails without the proxy seeing it. */
const DIRECT_HOST = 'sts.direct-only.test';

let dir: string;
let server: Server;
let proxy: Server;
const tunnels: string[] = [];
const userAgents: string[] = [];
const savedEnv = { ...process.env };
const savedCas = getCACertificates('default');

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-'));
  // One certificate for both names (openssl 3: the names as subjectAltName, which TLS checks at the handshake).
  const made = runBounded(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=proxy-only'],
      ...['-addext', `subjectAltName=DNS:${AWS_HOST},DNS:${KUBE_HOST}`],
    ],
    {},
  );
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  // The SDK's agent trusts the system's CAs; this one joins them for the test (the kubeconfig names it itself).
  setDefaultCACertificates([...savedCas, cert]);

  // STS's query API and the Kubernetes API, each answering the one call the test makes, noting who asked.
  server = createHttpsServer({ cert, key: readFileSync(join(dir, 'key.pem')) }, (request: IncomingMessage, response) => {
    userAgents.push(`${request.headers['user-agent'] ?? ''}`);
    request.resume();
    request.on('end', () => {
      if (request.url?.startsWith('/api/v1/namespaces/default')) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'u1' } }));
        return;
      }
      response.setHeader('content-type', 'text/xml');
      response.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          '<Arn>arn:aws:iam::123456789012:user/ops</Arn><UserId>AIDA1</UserId><Account>123456789012</Account>' +
          '</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      );
    });
  });
  const serverPort = await listen(server);
  // The proxy: CONNECT to a .proxy-only.test name is tunnelled to the server; anything else is refused.
  proxy = createHttpServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request: IncomingMessage, client, head: Buffer) => {
    tunnels.push(request.url ?? '');
    if (!/\.proxy-only\.test:\d+$/.test(request.url ?? '')) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(serverPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);
  process.env.HTTPS_PROXY = `http://127.0.0.1:${proxyPort}`;
  process.env.NO_PROXY = DIRECT_HOST;
});

afterAll(async () => {
  setDefaultCACertificates(savedCas);
  process.env = savedEnv;
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => proxy.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  tunnels.length = 0;
  userAgents.length = 0;
  // A fresh module for each case: the run's credentials and proxy agent are made once per process.
  jest.resetModules();
});

/** The operations' AWS clients, loaded anew (the case's environment read by their first call). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded anew after jest.resetModules()
const awsClients = () => (require('../../../cli/shared/aws/clients') as typeof import('../../../cli/shared/aws/clients')).AwsClients;

it("an AWS call goes through HTTPS_PROXY's CONNECT tunnel, naming the tool in its user agent", async () => {
  Object.assign(process.env, { AWS_ENDPOINT_URL_STS: `https://${AWS_HOST}`, AWS_ACCESS_KEY_ID: 'AKIATEST', AWS_SECRET_ACCESS_KEY: 'secret' });
  const clients = new (awsClients())({ region: 'eu-west-1', maxAttempts: 1 });
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  clients.destroy();
  expect(identity.Account).toBe('123456789012');
  expect(tunnels).toEqual([`${AWS_HOST}:443`]);
  expect(userAgents).toHaveLength(1);
  expect(userAgents[0]).toMatch(/(^| )rancher-ha-aws\/\d+\.\d+\.\d+( |$)/);
});

it('a host NO_PROXY lists is reached directly, never through the proxy', async () => {
  Object.assign(process.env, { AWS_ENDPOINT_URL_STS: `https://${DIRECT_HOST}`, AWS_ACCESS_KEY_ID: 'AKIATEST', AWS_SECRET_ACCESS_KEY: 'secret' });
  const clients = new (awsClients())({ region: 'eu-west-1', maxAttempts: 1 });
  await expect(clients.sts.send(new GetCallerIdentityCommand({}))).rejects.toThrow(`getaddrinfo ENOTFOUND ${DIRECT_HOST}`);
  clients.destroy();
  expect(tunnels).toEqual([]);
});

it('the clients of every region share one credential chain: a profile resolved once per run, not once per client', async () => {
  // credential_process, the AWS CLI's and SDK's way to run a program for credentials: it counts its runs.
  const runs = join(dir, 'runs');
  const script = join(dir, 'credentials.sh');
  writeFileSync(script, `#!/bin/sh\necho run >> ${runs}\necho '{"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"s"}'\n`);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'config'), `[profile counted]\ncredential_process = ${script}\n`);
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: `https://${AWS_HOST}`,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_PROFILE: 'counted',
  });
  const AwsClients = awsClients();
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'].map((region) => new AwsClients({ region, maxAttempts: 1 }));
  for (const clients of regions) await clients.sts.send(new GetCallerIdentityCommand({}));
  for (const clients of regions) clients.destroy();
  expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
});

it('a Kubernetes call goes through the same proxy (the kubeconfig names none), with the tool as its user agent', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  const ca = Buffer.from(readFileSync(join(dir, 'cert.pem'))).toString('base64');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: 'https://${KUBE_HOST}:6443', certificate-authority-data: ${ca}}}]`,
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded anew after jest.resetModules()
  const { kubeClient } = require('../../../cli/shared/kube/client') as typeof import('../../../cli/shared/kube/client');
  const namespace = await kubeClient({ kubeconfig }).core.readNamespace({ name: 'default' });
  expect(namespace.metadata?.uid).toBe('u1');
  expect(tunnels).toEqual([`${KUBE_HOST}:6443`]);
  expect(userAgents).toEqual([expect.stringMatching(/^rancher-ha-aws\/\d+\.\d+\.\d+$/)]);
});
