import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, GetParameterCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { endReadsInFlightOn } from '../../../../cli/shared/in-flight';
import { failureOf } from '../../../../cli/shared/io/failure';
import { AWS_DEFAULTS, AwsClients, clientsByRegion } from '../../../../cli/shared/aws/clients';
import { UnlistedAwsCall } from '../../../../cli/shared/aws/only-listed-calls';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe('the AWS SDK clients', () => {
  it('retry a throttled call and answer when it succeeds within the attempts', async () => {
    const fake = new FakeAws();
    fake.ssm.parameters.set('/p', { value: 'v', version: 1, tags: [] });
    fake.throttle('SSM GetParameter', 2);
    const got = await fake.clients({ maxAttempts: 3 }).ssm.send(new GetParameterCommand({ Name: '/p', WithDecryption: true }));
    expect(got.Parameter?.Value).toBe('v');
    expect(got.$metadata.attempts).toBe(3);
    expect(fake.count('SSM GetParameter')).toBe(3);
  });

  it('give up after maxAttempts when AWS keeps throttling, with the throttling error', async () => {
    const fake = new FakeAws();
    fake.ssm.parameters.set('/p', { value: 'v', version: 1, tags: [] });
    fake.throttle('SSM GetParameter', 10);
    await expect(fake.clients({ maxAttempts: 4 }).ssm.send(new GetParameterCommand({ Name: '/p' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { attempts: 4 },
    });
    expect(fake.count('SSM GetParameter')).toBe(4);
  });

  it('do not retry an error that is not throttling or transient (a missing parameter is asked once)', async () => {
    const fake = new FakeAws();
    await expect(fake.clients().ssm.send(new GetParameterCommand({ Name: '/missing' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    expect(fake.count('SSM GetParameter')).toBe(1);
  });

  it('refuse a command AWS_CALLS does not list, before anything is sent', async () => {
    const fake = new FakeAws();
    const sent = fake.clients().ssm.send(new DescribeInstanceInformationCommand({}));
    await expect(sent).rejects.toBeInstanceOf(UnlistedAwsCall);
    await expect(sent).rejects.toThrow('SSM DescribeInstanceInformation is not in AWS_CALLS (cli/shared/aws/calls.ts)');
    expect(fake.calls).toEqual([]);
  });

  it('are built once each, on first use, all in the region given', async () => {
    const clients = new FakeAws().clients({ region: 'ap-southeast-2' });
    expect(clients.ssm).toBe(clients.ssm);
    expect(await clients.s3.config.region()).toBe('ap-southeast-2');
    expect(await clients.iam.config.region()).toBe('ap-southeast-2');
    clients.destroy();
  });

  it('bound each request: the HTTP handler is built with the request and connection timeouts', async () => {
    const clients = new FakeAws().clients({ requestTimeoutMs: 12_345 });
    // NodeHttpHandler resolves the options it was built with into configProvider (read here: no request is sent).
    const resolved = await (clients.kms.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
    expect(resolved).toMatchObject({ requestTimeout: 12_345, connectionTimeout: AWS_DEFAULTS.connectionTimeoutMs });
  });

  it('refuse settings out of range, naming the setting, the value and the range', () => {
    expect(() => new AwsClients({ region: 'eu-west-1', maxAttempts: 0 })).toThrow('maxAttempts is 0: give a whole number from 1 to 10');
    expect(() => new AwsClients({ region: 'eu-west-1', requestTimeoutMs: 0 })).toThrow(
      'requestTimeoutMs is 0: give a number of milliseconds above 0',
    );
    expect(AWS_DEFAULTS.maxAttempts).toBeGreaterThan(1);
  });
});

describe('the clients of each region', () => {
  it('are made once a region, in that region, and answer from the same settings', async () => {
    const fake = new FakeAws();
    fake.ssm.parameters.set('/p', { value: 'v', version: 1, tags: [] });
    const regions = clientsByRegion({ credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake' }, plugins: [fake.plugin] });
    const west = regions.of('eu-west-1');
    expect(regions.of('eu-west-1')).toBe(west);
    const east = regions.of('us-east-1');
    expect(east).not.toBe(west);
    expect([west.region, east.region]).toEqual(['eu-west-1', 'us-east-1']);
    expect(await east.ssm.config.region()).toBe('us-east-1');
    expect((await east.ssm.send(new GetParameterCommand({ Name: '/p', WithDecryption: true }))).Parameter?.Value).toBe('v');
    regions.destroy();
    expect(regions.of('eu-west-1')).not.toBe(west);
  });
});

describe("a command's stop reaching the AWS calls in flight (cli/shared/in-flight.ts)", () => {
  /**
   * An endpoint that reads each request whole and never answers (an AWS endpoint in a brownout, as the SDK's Node.js
   * handler meets it): each request held by its X-Amz-Target (SSM's JSON protocol), answered only when the test says.
   */
  async function silentEndpoint() {
    const held: { target: string; res: ServerResponse }[] = [];
    const waiting: { n: number; done: () => void }[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        held.push({ target: String(req.headers['x-amz-target']), res });
        for (const w of waiting.filter((x) => held.length >= x.n)) w.done();
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const arrived = (n: number) => new Promise<void>((done) => (held.length >= n ? done() : waiting.push({ n, done })));
    const answer = (target: string, body: object) => {
      // The newest one held (the ended read's connection is gone).
      const found = [...held].reverse().find((h) => h.target === target && !h.res.headersSent)!;
      found.res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    };
    return { held, arrived, answer, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }

  it('ends a read in flight on the first signal, not retried; lets a write in flight finish; leaves the calls after it alone', async () => {
    const endpoint = await silentEndpoint();
    const stop = new AbortController();
    process.env.AWS_ENDPOINT_URL = endpoint.url;
    endReadsInFlightOn(stop.signal);
    const clients = new AwsClients({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, retryDelayMs: 0 });
    try {
      const read = clients.ssm.send(new GetCommandInvocationCommand({ CommandId: 'c-1', InstanceId: 'i-1' })).catch((error: unknown) => error);
      const write = clients.ssm.send(new SendCommandCommand({ InstanceIds: ['i-1'], DocumentName: 'AWS-RunShellScript' }));
      await endpoint.arrived(2);
      stop.abort();
      const ended = await read;
      expect(ended).toMatchObject({ name: 'AbortError' });
      expect(failureOf(ended)).toMatchObject({ kind: 'FAILED', text: expect.stringContaining('Stopped by a signal') });
      // The write was not ended: it finishes with AWS's answer (its outcome is what a command records).
      endpoint.answer('AmazonSSM.SendCommand', { Command: { CommandId: 'c-2' } });
      expect((await write).Command?.CommandId).toBe('c-2');
      // A read after the stop is the command's own stop (its teardown): it runs.
      const after = clients.ssm.send(new GetCommandInvocationCommand({ CommandId: 'c-2', InstanceId: 'i-1' }));
      await endpoint.arrived(3);
      endpoint.answer('AmazonSSM.GetCommandInvocation', { Status: 'Success' });
      expect((await after).Status).toBe('Success');
      // The ended read was sent once: no retry after the signal.
      expect(endpoint.held.map((h) => h.target)).toEqual([
        'AmazonSSM.GetCommandInvocation',
        'AmazonSSM.SendCommand',
        'AmazonSSM.GetCommandInvocation',
      ]);
    } finally {
      endReadsInFlightOn(undefined);
      delete process.env.AWS_ENDPOINT_URL;
      clients.destroy();
      endpoint.close();
    }
  });
});
