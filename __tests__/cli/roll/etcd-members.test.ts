import { MEMBER_NAME_ANNOTATION, membersWithoutNode, parseMembers } from '../../../cli/roll/etcd-members';
import { hasAddress, nodeStatus } from '../../../cli/shared/kubectl';

const node = (name: string, ip: string | string[], member?: string) =>
  nodeStatus({
    metadata: { name, annotations: member ? { [MEMBER_NAME_ANNOTATION]: member } : {} },
    status: { addresses: [ip].flat().map((address) => ({ type: 'InternalIP', address })) },
  });

// As etcd's JSON gateway answers /v3/cluster/member/list (uint64 ids as strings, proto JSON names).
const answer = (members: object[]) => JSON.stringify({ header: { cluster_id: '1', member_id: '2', raft_term: '3' }, members });

describe('membersWithoutNode', () => {
  const nodes = [
    node('ip-10-0-0-10', '10.0.0.10', 'ip-10-0-0-10-1a2b3c4d'),
    node('ip-10-0-1-10', '10.0.1.10', 'ip-10-0-1-10-5e6f7a8b'),
    node('ip-10-0-2-10', '10.0.2.10'),
  ];

  it('accepts members named by a Node, and by address for a Node not annotated yet or a learner not started (no name)', () => {
    const members = parseMembers(
      answer([
        { ID: '1', name: 'ip-10-0-0-10-1a2b3c4d', peerURLs: ['https://10.0.0.10:2380'] },
        { ID: '2', name: 'ip-10-0-1-10-5e6f7a8b', peerURLs: ['https://10.0.1.10:2380'] },
        { ID: '3', peerURLs: ['https://10.0.2.10:2380'], isLearner: true },
      ]),
    );
    expect(members[2]).toEqual({ name: '', peerURLs: ['https://10.0.2.10:2380'], isLearner: true });
    // A voter's entry has no isLearner at all (proto JSON leaves a false field out).
    expect(members.map((m) => m.isLearner)).toEqual([false, false, true]);
    expect(membersWithoutNode(members, nodes)).toEqual([]);
  });

  it('names a leftover member of a replaced instance (same address, old name) and a member of a server with no Node', () => {
    const members = parseMembers(
      answer([
        { ID: '1', name: 'ip-10-0-0-10-1a2b3c4d', peerURLs: ['https://10.0.0.10:2380'] },
        { ID: '4', name: 'ip-10-0-0-10-00000001', peerURLs: ['https://10.0.0.10:2380'] },
        { ID: '5', name: 'ip-10-0-3-10-99999999', peerURLs: ['https://10.0.3.10:2380'] },
      ]),
    );
    expect(membersWithoutNode(members, nodes).map((m) => m.name)).toEqual(['ip-10-0-0-10-00000001', 'ip-10-0-3-10-99999999']);
  });
});

describe('a dual-stack Node (an InternalIP of each family)', () => {
  it('lists both addresses, and stands for the member at either, whichever it lists first', () => {
    const dual = node('ip-10-0-2-10', ['fd00:10:0:2::a', '10.0.2.10']);
    expect(dual.internalIps).toEqual(['fd00:10:0:2::a', '10.0.2.10']);
    expect(hasAddress(dual, '10.0.2.10')).toBe(true);
    expect(hasAddress(dual, '10.0.2.1')).toBe(false);
    const members = parseMembers(answer([{ ID: '3', peerURLs: ['https://10.0.2.10:2380'], isLearner: true }]));
    expect(membersWithoutNode(members, [dual])).toEqual([]);
  });

  it('stands a not-yet-annotated Node for a member that lists its address among several peer URLs (dual stack)', () => {
    const members = parseMembers(answer([{ ID: '6', peerURLs: ['https://10.0.2.10:2380', 'https://[fd00:0:0:2::10]:2380'], isLearner: true }]));
    expect(membersWithoutNode(members, [node('ip-10-0-2-10', '10.0.2.10')])).toEqual([]);
  });
});
