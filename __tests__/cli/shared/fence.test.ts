import { fenceParameterName, lowerFence, raiseFence } from '../../../cli/shared/fence';
import { IoHost } from '../../../cli/shared/io/io-host';
import { FakeAws } from '../../helpers/fake-aws/fake-aws';

// The failover's fence (cli/shared/fence.ts) against the fake SSM (fake-aws/README.md, Parameter Store): written once
// as a String in the client's region, kept by a rerun, deleted by the failback, a second delete harmless.

const MARKER = {
  since: '2026-11-29T05:00:00.000Z',
  standby: { name: 'rancher-sb', region: 'us-west-2' },
  backup: { bucket: 'rancher-rke-ha-backups-sb-0a1b', key: 'rancher/rancher-2026-11-29T04-00-00Z.tar.gz.enc' },
};
const io = () => {
  const codes: string[] = [];
  return {
    codes,
    io: new IoHost({ message: (m: { code: string }) => void codes.push(m.code), status: () => undefined, close: () => undefined } as never),
  };
};

describe("the failover's fence", () => {
  it('is a String parameter after the deployment path, written once: a rerun keeps the first (its since)', async () => {
    const fake = new FakeAws();
    const clients = fake.clients({ region: 'us-west-2' });
    const said = io();
    const o = { productionName: 'rancher', stack: 'rke-ha', io: said.io };
    expect(await raiseFence(clients, { ...o, marker: MARKER })).toBe('created');
    expect(await raiseFence(clients, { ...o, marker: { ...MARKER, since: '2026-11-29T06:00:00.000Z' } })).toBe('kept');
    const name = fenceParameterName('rancher', 'rke-ha');
    expect(name).toBe('/rancher/rke-ha/failover-fence');
    expect(fake.calls.map((c) => `${c.call} ${c.input.Name} ${c.input.Type} ${c.input.Overwrite ?? false}`)).toEqual([
      `SSM PutParameter ${name} String false`,
      `SSM PutParameter ${name} String false`,
    ]);
    expect(JSON.parse(fake.ssm.parameters.get(name)!.value)).toEqual(MARKER);
    expect(said.codes).toEqual(['FAILOVER_FENCE', 'FAILOVER_FENCE']);
  });

  it('is deleted by the failback; deleting it again (a rerun) is not an error', async () => {
    const fake = new FakeAws();
    const clients = fake.clients({ region: 'us-west-2' });
    await raiseFence(clients, { productionName: 'rancher', stack: 'k8s-ha', io: io().io, marker: MARKER });
    expect(await lowerFence(clients, { productionName: 'rancher', stack: 'k8s-ha' })).toBe(true);
    expect(fake.ssm.parameters.size).toBe(0);
    expect(await lowerFence(clients, { productionName: 'rancher', stack: 'k8s-ha' })).toBe(false);
  });
});
