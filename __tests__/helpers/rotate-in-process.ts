import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DeserializeHandler, DeserializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';
import { AwsClients } from '../../cli/shared/aws/clients';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { useTerraformBinary } from '../../cli/shared/terraform';
import { rotate, type RotateSettings } from '../../cli/rotate/rotate';
import { rotateEncryptionKey } from '../../cli/rotate/rotate-encryption';
import { answer } from './fake-aws-endpoint/server';
import { accessKeyOfWorld } from './fake-aws-endpoint/world-key';
import { stubServerPort, type FakeCloud } from './fake-cloud';

// A rotation driven as a function in jest's process, as cli/main.ts calls it (the RotateEntry's options, on an I/O
// host writing plain lines), against a fake cloud's world: terraform and kubectl stay the stub processes (first on
// PATH, as the CLI run has them), the restart Lease goes through the Kubernetes client (cli/shared/lease-api.ts) to
// the world's API in the stub server, and AWS is the real SDK clients whose requests, once serialized and signed,
// are answered by the fake AWS endpoint's own `answer` (fake-aws-endpoint/server.ts) in this process instead of over
// HTTP: the same wire reading and writing, the same hand-over of SSM's calls to the world's stubs (world-stubs.ts),
// so an in-process rotation and a bundled CLI's see one world logic. The stubs' caller is this process: a world
// whose stubs signal or kill their caller (`killAt`, `signalAt`) is refused here; those cases run the bundled CLI.

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
            path: string;
            query?: Record<string, string | string[] | null>;
            headers: Record<string, string>;
            body?: unknown;
          };
          const query = new URLSearchParams();
          for (const [key, value] of Object.entries(request.query ?? {}))
            for (const v of Array.isArray(value) ? value : [value]) query.append(key, v ?? '');
          const url = `${request.path}${query.size > 0 ? `?${query}` : ''}`;
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
          // Decoded as bytes: the SDK's JSON body is a Uint8Array that warns when read through string methods.
          const body =
            request.body === undefined ? '' : typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body as Uint8Array);
          const reply = await answer(request.method, url, headers, body);
          // A Uint8Array of this realm: the SDK's body collector takes one as it is (jest's Buffer is another realm's).
          return {
            response: {
              statusCode: reply.status,
              headers: { ...reply.headers, 'x-amzn-requestid': 'fake-request' },
              body: Uint8Array.from(typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body),
            },
          };
        },
        { step: 'deserialize', name: 'fakeWorldEndpoint', priority: 'low' },
      );
    },
  };
}

/** What an in-process rotation returns: its exit code, its plain lines, its host, and the report `--json` prints. */
export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: '';
  readonly io: IoHost;
  /** As cli/main.ts onIoHost writes it with --json: the command, the exit code, the host's report. */
  readonly report: Record<string, any>;
}

/**
 * `rotate --dir module <rotation>` of the world, in this process, from the world's folder (where the token file goes
 * by default), with the stubs first on PATH and no poll waits, as FakeCloud.run starts the CLI.
 */
export async function rotateInProcess(
  c: FakeCloud,
  rotation: RotateSettings['rotation'],
  settings: Partial<Omit<RotateSettings, 'rotation'>> = {},
): Promise<InProcessRun> {
  const world = c.world();
  if (world.cluster?.killAt !== undefined || world.cluster?.signalAt !== undefined)
    throw new Error("This world kills or signals the stubs' caller: run the bundled CLI (FakeCloud.run), not jest's process.");
  mkdirSync(join(c.dir, 'callers'), { recursive: true });
  writeFileSync(join(c.dir, 'callers', String(IN_PROCESS_RUN)), `${process.pid}\n`);
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const saved = {
    PATH: process.env.PATH,
    FAKE_WORLD: process.env.FAKE_WORLD,
    POLL: process.env.RANCHER_HA_AWS_POLL_MS,
    PORT: process.env.FAKE_STUB_SERVER_PORT,
  };
  const before = process.cwd();
  const made: AwsClients[] = [];
  useTerraformBinary(join(c.bin, 'terraform'));
  process.env.PATH = `${c.bin}${delimiter}${saved.PATH}`;
  process.env.FAKE_WORLD = c.dir;
  process.env.RANCHER_HA_AWS_POLL_MS = '0';
  // The fake endpoint hands SSM's calls to the world's stubs through the stub server (world-stubs.ts runStub).
  const port = stubServerPort();
  if (port) process.env.FAKE_STUB_SERVER_PORT = port;
  process.chdir(c.dir);
  let code: number;
  try {
    const options = {
      dir: c.moduleDir,
      label: c.moduleDir,
      rotation,
      interrupted: () => false,
      ...settings,
      aws: (region: string) => {
        const clients = new AwsClients({
          region,
          credentials: { accessKeyId: accessKeyOfWorld(c.dir, IN_PROCESS_RUN), secretAccessKey: 'fake-secret' },
          retryDelayMs: 0,
          plugins: [worldEndpoint()],
        });
        made.push(clients);
        return clients;
      },
      io,
    };
    code = await (rotation === 'encryption-key' ? rotateEncryptionKey : rotate)(options);
  } finally {
    io.close();
    for (const clients of made) clients.destroy();
    process.chdir(before);
    for (const [name, value] of [
      ['PATH', saved.PATH],
      ['FAKE_WORLD', saved.FAKE_WORLD],
      ['RANCHER_HA_AWS_POLL_MS', saved.POLL],
      ['FAKE_STUB_SERVER_PORT', saved.PORT],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
  return { code, out, err: '', io, report: { command: 'rotate', rotation, exitCode: code, ...io.report() } };
}

/** `rotate --dir module token` in jest's process, with the command line's settings as main.ts passes them. */
export const rotateTokenIn = (c: FakeCloud, settings: Partial<Omit<RotateSettings, 'rotation'>> = {}) => rotateInProcess(c, 'token', settings);
/** `rotate --dir module encryption-key` in jest's process. */
export const rotateKeyIn = (c: FakeCloud, settings: Partial<Omit<RotateSettings, 'rotation'>> = {}) => rotateInProcess(c, 'encryption-key', settings);
