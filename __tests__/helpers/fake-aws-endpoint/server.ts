import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { FakeAws } from '../fake-aws/fake-aws';
import { load, loggedInput, save, unguardedData } from '../fake-cloud-aws';
import { updateKeptWorld, worldLocked, worldSeen } from '../world-file';
import { assumeRole, deniedBySession } from './sessions';
import { runOfAccessKey, worldOfAccessKey } from './world-key';
import { NotReadable, readCall, writeError, writeOutput, type WireAnswer, type WireCall } from './wire';
import { answeredByStubs, callerOf, cliArgs, cliInput, runStub, stubError, withDates } from './world-stubs';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { unreachable, endpointRegion } = require('../ops-stubs/region-loss.js') as {
  unreachable(loss: unknown, service: string, command: string, region: string): boolean;
  endpointRegion(service: string, region: string): string;
};

// The fake AWS over HTTP, for the bundled CLI run as a process (the tools tier's end-to-end runs: a drill or an
// acceptance run that tears down, a signal, a kill). The CLI's real SDK clients reach it through AWS_ENDPOINT_URL,
// the SDK's own setting for another endpoint (AWS SDKs and Tools Reference Guide, "Service-specific endpoints"), with
// the credentials the fake cloud puts in the environment: the access key id names the world's folder (hex after
// FAKEWORLD), so one server answers every world of a test file. Each request is answered under the world's lock as
// the stubs' calls are: the fake is loaded from the world's AWS objects (parsed again only when another writer has
// replaced it: world-file.ts updateKeptWorld), answers, and is written back
// (fake-cloud-aws.ts load and save, the same bridge the in-process runs use), the call is logged in the world's
// calls.jsonl, and the snapshot-guard invariant is checked after it. SSM Run Command is the exception: the world's
// stubs model it (what a server does with a command), and the endpoint hands it to them (world-stubs.ts).
//
// Started by fake-cloud.ts (awsEndpointPort) with the file to write its port to; it ends when its standard input does.

export async function answer(method: string, url: string, headers: Record<string, string | undefined>, body: string): Promise<WireAnswer> {
  let call;
  try {
    call = readCall(method, url, headers, body);
  } catch (error) {
    if (error instanceof NotReadable) return { status: 501, headers: {}, body: `fake AWS endpoint: ${error.message}` };
    throw error;
  }
  const dir = worldOfAccessKey(call.accessKeyId);
  const name = `${call.service} ${call.command}`;
  const line = ['aws-sdk', call.region, name, loggedInput(name, call.input)];
  // A region lost (world.aws.regionLoss; fake-aws/README.md, "A region lost"): its endpoints do not answer, whoever
  // would (the fake or the stubs). The call is logged as made, and apart as refused with its endpoint's region.
  if (unreachable(worldSeen(dir).aws?.regionLoss, call.service, call.command, call.region)) {
    worldLocked(dir, () => {
      appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: line[0], args: line.slice(1) })}\n`);
      const refused = { client: call.region, call: name, region: endpointRegion(call.service, call.region) };
      appendFileSync(join(dir, 'refused.jsonl'), `${JSON.stringify(refused)}\n`);
    });
    return { status: 0, headers: {}, body: '', unreachable: true };
  }
  // STS sessions with a session policy (sessions.ts): AssumeRole answered here, each call of a session checked against its deny.
  if (name === 'STS AssumeRole') return assumeRole(dir, call);
  const denied = deniedBySession(dir, call, name, line);
  if (denied) return denied;
  if (answeredByStubs(dir, name, call.input)) return answerByStub(dir, call);
  let written: WireAnswer | undefined;
  let streamed: Record<string, any> | undefined;
  let signal: NodeJS.Signals | undefined;
  updateKeptWorld(dir, (world) => {
    // A signal for the CLI run that makes this call (`signalOnCall`: { call, signal }, once), as the stubs' signal
    // hooks signal their caller: the drill's compare phase is its backup's GetObject.
    if (world.signalOnCall?.call === name) {
      signal = world.signalOnCall.signal;
      delete world.signalOnCall;
    }
    const fake = new FakeAws();
    load(fake, world.aws, call.region);
    appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: line[0], args: line.slice(1) })}\n`);
    // A region in an outage (world.aws.downRegions): its endpoints answer 503 Service Unavailable, which the SDK
    // retries, then reports as a server fault (AWS SDKs and Tools Reference Guide, "Retry behavior": 5xx are transient).
    if ((world.aws.downRegions ?? []).includes(call.region)) {
      written = writeError(call, { name: 'ServiceUnavailable', message: `${call.region} is unavailable`, $metadata: { httpStatusCode: 503 } });
      return;
    }
    try {
      const output = fake.answer(name, call.input) as Record<string, any>;
      // An object's body (S3 GetObject) is a stream: read once the world is written back (its bytes are in memory).
      if (output.Body instanceof Readable) streamed = output;
      else written = writeOutput(call, output);
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      // Not an AWS error (a call the fake does not model): a 501 the CLI reports, never a kind answer.
      written = e.$metadata ? writeError(call, e) : { status: 501, headers: {}, body: `fake AWS endpoint: ${e.message}` };
    }
    save(fake, world.aws, call.region);
    const calls = readFileSync(join(dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    for (const text of unguardedData(world.aws)) appendFileSync(join(dir, 'violations'), `${calls} ${line.join(' ')}: ${text}\n`);
  });
  if (signal) {
    const caller = callerOf(dir, runOfAccessKey(call.accessKeyId));
    if (caller !== undefined) process.kill(caller, signal);
  }
  if (streamed) {
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.Body as Readable) chunks.push(Buffer.from(chunk));
    written = writeOutput(call, { ...streamed, Body: Buffer.concat(chunks) });
  }
  return written!;
}

/** A call the world's stubs answer (world-stubs.ts), run for the CLI run that sent it; they take the world's lock. */
async function answerByStub(dir: string, call: WireCall): Promise<WireAnswer> {
  const caller = callerOf(dir, runOfAccessKey(call.accessKeyId));
  if (caller === undefined)
    return {
      status: 501,
      headers: {},
      body: `fake AWS endpoint: ${call.service} ${call.command} reaches the world's stubs only from a CLI run the fake cloud started`,
    };
  const stub = await runStub(dir, caller, cliArgs(call), process.env.FAKE_STUB_SERVER_PORT || undefined, cliInput(call));
  if (stub.code === 0) return writeOutput(call, stub.stdout.trim() === '' ? {} : withDates(JSON.parse(stub.stdout)));
  return writeError(call, stubError(stub));
}

if (require.main === module) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer(request.method ?? 'GET', request.url ?? '/', request.headers as Record<string, string>, Buffer.concat(chunks).toString('utf8'))
        .catch((error: Error): WireAnswer => ({ status: 500, headers: {}, body: `fake AWS endpoint: ${error.stack}` }))
        .then((reply) => {
          // No answer from a lost region: the connection dropped, as an endpoint that is gone leaves it (the SDK's
          // Node.js handler reports ECONNRESET, a transient error it retries).
          if (reply.unreachable) return void request.socket.destroy();
          response.writeHead(reply.status, { ...reply.headers, 'x-amzn-requestid': 'fake-request' });
          response.end(reply.body);
        });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    // Written beside and renamed into place: the starter reads the file once it exists, never half written.
    writeFileSync(`${process.argv[2]}.new`, String(typeof address === 'object' && address ? address.port : ''));
    renameSync(`${process.argv[2]}.new`, process.argv[2]);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
