// The fake cloud names a world to the fake AWS endpoint by the access key id the CLI signs with: SigV4 carries it in
// every request's Authorization header, and the endpoint checks no signature. Hex, since the key id ends at a '/'.

/** The access key that names a world folder. */
export const accessKeyOfWorld = (dir: string) => `FAKEWORLD${Buffer.from(dir, 'utf8').toString('hex')}`;

/** The world folder a request's access key names. */
export const worldOfAccessKey = (accessKeyId: string) => Buffer.from(accessKeyId.replace(/^FAKEWORLD/, ''), 'hex').toString('utf8');
