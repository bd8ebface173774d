import { runBounded } from '../subprocess';
import { EtcdCluster } from './etcd';

/**
 * Real etcd (Debian's etcd-server 3.4), three members with TLS peer certificates from a test CA: the behaviour the
 * no-Lease rotation's reasoning rests on (issue 47, item 3), shown on etcd itself. Go's TLS (crypto/tls, which etcd's
 * rafthttp transport uses) checks a certificate's validity when a connection is made, never again on a connection
 * that stands: a member whose peer certificate ends while it runs keeps its streams and its vote, and is refused
 * only when it connects again (after a restart).
 */
let etcd: EtcdCluster;
beforeAll(async () => {
  etcd = await EtcdCluster.start(3);
});
afterAll(async () => {
  await etcd?.dispose();
});

const ended = (cert: string) => runBounded('openssl', ['x509', '-checkend', '0', '-noout', '-in', cert]).status !== 0;

describe('real etcd members (the fake cluster datastore)', () => {
  it('three voting members; one stopped leaves a quorum that takes writes, and it rejoins when started', async () => {
    const [a, , c] = etcd.members;
    expect(
      etcd
        .memberList(a)
        ?.map((m) => [m.name, m.isLearner])
        .sort(),
    ).toEqual([
      ['member-0', false],
      ['member-1', false],
      ['member-2', false],
    ]);
    await etcd.stop(c);
    expect(etcd.put(a, 'quorum', 'two of three')).toBe(true);
    expect(etcd.healthy(c)).toBe(false);
    etcd.start(c);
    expect(await etcd.waitFor(() => etcd.healthy(c), 240)).toBe(true);
  });

  it('a peer certificate that ends while the member runs: it stays a voter and healthy; restarted, it cannot rejoin', async () => {
    const [a, b, c] = etcd.members;
    // Started with a peer certificate that ends 12 s from now: every peer connection is made while it is valid (the
    // member is healthy within 10 s, checked, or the case fails rather than pass on connections made after the end).
    await etcd.stop(c);
    const end = new Date(Date.now() + 12_000);
    etcd.reissuePeer(c, end);
    etcd.start(c);
    expect(await etcd.waitFor(() => etcd.healthy(c), 40)).toBe(true);
    expect(ended(c.peer.cert)).toBe(false);
    // Waiting for the certificate's end (seconds; polls bounded), then a few more polls for any new connection.
    expect(await etcd.waitFor(() => ended(c.peer.cert), 240)).toBe(true);
    await etcd.waitFor(() => false, 8);
    // Still a voting member, healthy, and a write through it commits: the established streams carry on.
    expect(etcd.memberList(a)?.find((m) => m.name === c.name)?.isLearner).toBe(false);
    expect(etcd.healthy(c)).toBe(true);
    expect(etcd.put(c, 'after-the-end', 'committed through the member whose certificate ended')).toBe(true);
    // Restarted: each connection to a peer is a new handshake with the ended certificate, which the peers refuse.
    await etcd.stop(c);
    const logged = [a, b, c].map((m) => etcd.log(m).length);
    etcd.start(c);
    // Polled (cheap reads of the logs, bounded) until a handshake since the restart was refused, then one health
    // check after it: a member that cannot reach a quorum spends etcdctl's 3 s command timeout on each, so polling
    // health itself until a refusal shows cost four of them (~13 s of waiting) for what the logs say at once.
    const refusedSinceRestart = () =>
      [a, b, c].some((m, i) => /certificate has expired|bad certificate|expired certificate/.test(etcd.log(m).slice(logged[i])));
    expect(await etcd.waitFor(refusedSinceRestart, 240)).toBe(true);
    expect(etcd.healthy(c)).toBe(false);
    expect(etcd.isRunning(c)).toBe(true);
    // The others keep the quorum (two of three), and still list it as a member: a restart is what took it out.
    expect(etcd.healthy(a) && etcd.healthy(b)).toBe(true);
    expect(etcd.memberList(a)?.map((m) => m.name)).toContain(c.name);
    // Still refused: not a first handshake that failed while the peers were busy.
    expect(etcd.healthy(c)).toBe(false);
    // Given a valid certificate again, it rejoins.
    await etcd.stop(c);
    etcd.reissuePeer(c, new Date(Date.now() + 86400_000));
    etcd.start(c);
    expect(await etcd.waitFor(() => etcd.healthy(c), 240)).toBe(true);
  });
});
