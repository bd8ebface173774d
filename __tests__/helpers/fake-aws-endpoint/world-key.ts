// The fake cloud names a world to the fake AWS endpoint by the access key id the CLI signs with: SigV4 carries it in
// every request's Authorization header, and the endpoint checks no signature. Hex, since the key id ends at a '/';
// then, for a CLI run, `RUN` and the run's number (fake-cloud.ts registers the run's pid under it: the caller the
// world's stubs signal); then, for an STS session's key (sessions.ts), `SESSION` and its number.

/** The access key that names a world folder, and a run of the CLI in it. */
export const accessKeyOfWorld = (dir: string, run?: number) =>
  `FAKEWORLD${Buffer.from(dir, 'utf8').toString('hex')}${run === undefined ? '' : `RUN${run}`}`;

/** The world folder a request's access key names. */
export const worldOfAccessKey = (accessKeyId: string) =>
  Buffer.from(accessKeyId.replace(/^FAKEWORLD/, '').replace(/(RUN\d+)?(SESSION\d+)?$/, ''), 'hex').toString('utf8');

/** The run a request's access key names, if any. */
export const runOfAccessKey = (accessKeyId: string) => /RUN(\d+)(SESSION\d+)?$/.exec(accessKeyId)?.[1];
