import { mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { DeserializeHandler, DeserializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';
import { AwsClients, type ClientsOfRegion } from '../../../cli/shared/aws/clients';
import { stubServerPort, type FakeCloud } from '../fake-cloud';
import { answer } from './server';
import { accessKeyOfWorld } from './world-key';

// The fake AWS endpoint without its HTTP server, for a command driven as a function in jest's process (the roll's
// and the rotations' tools tests): the real SDK clients, whose requests, once serialized and signed, the endpoint's
// own `answer` (server.ts) reads in this process. The same wire reading and writing and the same hand-over of SSM's
// Run Command and parameter calls and RDS's snapshots to the world's stubs (world-stubs.ts) as for a bundled CLI,
// so an in-process run and a process run see one world logic. The stubs' caller is this process: a world whose stubs
// signal or kill their caller (signalHooks) needs the bundled CLI instead.

/** The run number this process registers as the stubs' caller (the fake cloud numbers its CLI runs from 1). */
const IN_PROCESS_RUN = 0;

/**
 * The SDK plugin: in the deserialize step, inside the SDK's deserializer, each request is answered by the fake
 * endpoint's `answer` as the HTTP server would answer it; the SDK reads that answer with its own deserializers, and
 * its retry strategy sees its errors.
 */
function worldEndpoint(): Pluggable<object, MetadataBearer> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (_next: DeserializeHandler<any, any>) => async (args: DeserializeHandlerArguments<any>) => {
          const request = args.request as {
            method: string;
            hostname: string;
            path: string;
            query?: Record<string, string | string[] | null>;
            headers: Record<string, string>;
            body?: unknown;
          };
          const query = new URLSearchParams();
          for (const [key, value] of Object.entries(request.query ?? {}))
            for (const v of Array.isArray(value) ? value : [value]) query.append(key, v ?? '');
          // S3 takes a bucket in the host (virtual-hosted style, what the SDK sends for a name DNS can carry when it
          // resolves S3's own endpoint) as in the path (path style, what it sends to a custom endpoint: the HTTP
          // server's). The endpoint reads it from the path.
          const bucket = /^([a-z0-9][a-z0-9-]*)\.s3[.-]/.exec(request.hostname)?.[1];
          const url = `${bucket ? `/${bucket}` : ''}${request.path}${query.size > 0 ? `?${query}` : ''}`;
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
          // Decoded as bytes: the SDK's JSON body is a Uint8Array that warns when read through string methods.
          const body =
            request.body === undefined ? '' : typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
          const reply = await answer(request.method, url, headers, body);
          // A lost region's endpoint: no answer, the error Node.js gives a dropped connection (transient to the SDK).
          if (reply.unreachable) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $unreachable: true });
          // A stream, as the SDK's Node.js HTTP handler gives every body (an object's, GetObject's, is read as one), of a
          // Uint8Array of this realm: the SDK's body collector takes its chunks as they are (jest's Buffer is another realm's).
          const bytes = Uint8Array.from(typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body);
          return {
            response: {
              statusCode: reply.status,
              headers: { ...reply.headers, 'x-amzn-requestid': 'fake-request' },
              body: Readable.from([bytes]),
            },
          };
        },
        { step: 'deserialize', name: 'fakeWorldEndpoint', priority: 'low' },
      );
    },
  };
}

/**
 * The world's hooks set that make a stub kill or signal its caller (fake-roll.js, fake-drill.js, fake-synth.js,
 * fake-failback.js, fake-acceptance.js, fake-acceptance-synth.js): in this process, the caller is jest's worker.
 */
function signalHooks(world: any): string[] {
  const hooks = {
    'cluster.killAt': world.cluster?.killAt,
    'cluster.signalAt': world.cluster?.signalAt,
    'cluster.signalDuringDrain': world.cluster?.signalDuringDrain,
    'cluster.ctrlCDuringDrain': world.cluster?.ctrlCDuringDrain,
    killAfterApply: world.killAfterApply,
    'drill.signalAt': world.drill?.signalAt,
    'acceptance.signalAt': world.acceptance?.signalAt,
    'acceptance.downstreamKillAt': world.acceptance?.downstreamKillAt,
    'acceptance.migrateKillAt': world.acceptance?.migrateKillAt,
  };
  return Object.entries(hooks)
    .filter(([, hook]) => hook !== undefined && hook !== false)
    .map(([name]) => name);
}

/**
 * The world's AWS for a command in this process: its clients by region (made on first use), and `close`, which
 * destroys them and puts back the environment it set. This process is registered as the stubs' caller, and the stub
 * server's port is named for the endpoint's hand-over (world-stubs.ts runStub).
 */
export function inProcessAwsOf(c: FakeCloud): { readonly of: ClientsOfRegion; close(): void } {
  const hooks = signalHooks(c.world());
  if (hooks.length > 0)
    throw new Error(`This world kills or signals the stubs' caller (${hooks.join(', ')}): run the bundled CLI (FakeCloud.run), not jest's process.`);
  mkdirSync(join(c.dir, 'callers'), { recursive: true });
  writeFileSync(join(c.dir, 'callers', String(IN_PROCESS_RUN)), `${process.pid}\n`);
  const savedPort = process.env.FAKE_STUB_SERVER_PORT;
  const port = stubServerPort();
  if (port) process.env.FAKE_STUB_SERVER_PORT = port;
  const made = new Map<string, AwsClients>();
  return {
    of: (region) => {
      let clients = made.get(region);
      if (clients === undefined)
        made.set(
          region,
          (clients = new AwsClients({
            region,
            credentials: { accessKeyId: accessKeyOfWorld(c.dir, IN_PROCESS_RUN), secretAccessKey: 'fake-secret' },
            retryDelayMs: 0,
            plugins: [worldEndpoint()],
          })),
        );
      return clients;
    },
    close: () => {
      for (const clients of made.values()) clients.destroy();
      if (savedPort === undefined) delete process.env.FAKE_STUB_SERVER_PORT;
      else process.env.FAKE_STUB_SERVER_PORT = savedPort;
    },
  };
}
