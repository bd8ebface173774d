import { namesCaller, preparedDeployerArgs, preparedDeployers } from '../../../cli/failover/prepared-deployer';
import { IoHost } from '../../../cli/shared/io/io-host';

// The failover's plan of a prepared standby gives the deployer its pilot light read instead of reading IAM
// (cli/failover/prepared-deployer.ts; issue 91 item 1). The region-loss world runs it (failover-region-loss.tools).

const ROLE = 'arn:aws:iam::123456789012:role/ops/rancher-deployer';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/rancher-deployer/alice';
const read = (issuer: string) => ({ mode: 'data', type: 'aws_iam_session_context', instances: [{ attributes: { issuer_arn: issuer } }] });
const withVariable = { variable: { read_deployer_session: { type: 'bool' } } };

const args = async (o: { module?: object; resources?: object[]; caller?: string; env?: NodeJS.ProcessEnv }) => {
  const codes: string[] = [];
  const io = new IoHost({ message: (m: { code: string }) => void codes.push(m.code), status: () => undefined, close: () => undefined } as never);
  let asked = 0;
  const result = await preparedDeployerArgs({
    io,
    stack: 'rke-ha',
    module: (o.module ?? withVariable) as never,
    resources: (o.resources ?? [read(ROLE)]) as never,
    caller: async () => (asked++, o.caller ?? SESSION),
    env: o.env ?? {},
  });
  return { result, codes, asked };
};

describe('the deployer a prepared standby was applied by', () => {
  it("is read from the state's session context, once per identity", () => {
    expect(preparedDeployers([read(ROLE), read(ROLE), { mode: 'managed', type: 'aws_iam_session_context', instances: [] }] as never)).toEqual([ROLE]);
  });

  it("names a role's sessions by account and name (the session's ARN has no path), a user by its ARN", () => {
    expect(namesCaller([ROLE], SESSION)).toBe(true);
    expect(namesCaller([ROLE], 'arn:aws:sts::123456789012:assumed-role/other/alice')).toBe(false);
    expect(namesCaller([ROLE], 'arn:aws:sts::999999999999:assumed-role/rancher-deployer/alice')).toBe(false);
    expect(namesCaller(['arn:aws:iam::123456789012:user/bob'], 'arn:aws:iam::123456789012:user/bob')).toBe(true);
    expect(namesCaller([ROLE], 'arn:aws:iam::123456789012:user/bob')).toBe(false);
  });

  it('turns the read off and gives the deployers, with the ones TF_VAR_deployer_arns names', async () => {
    expect(await args({ env: { TF_VAR_deployer_arns: '["arn:aws:iam::123456789012:role/pipeline"]' } })).toEqual({
      result: ['-var=read_deployer_session=false', `-var=deployer_arns=["${ROLE}","arn:aws:iam::123456789012:role/pipeline"]`],
      codes: [],
      asked: 1,
    });
  });

  it('a caller that only TF_VAR_deployer_arns names is named', async () => {
    const pipeline = 'arn:aws:sts::123456789012:assumed-role/pipeline/run-7';
    expect((await args({ caller: pipeline, env: { TF_VAR_deployer_arns: '["arn:aws:iam::123456789012:role/pipeline"]' } })).result).toHaveLength(2);
  });

  it('reads IAM as before, warned, for a caller the pilot light does not name or a state without the read', async () => {
    expect(await args({ caller: 'arn:aws:sts::123456789012:assumed-role/break-glass/bob' })).toEqual({
      result: [],
      codes: ['FAILOVER_READS_IAM'],
      asked: 1,
    });
    expect(await args({ resources: [] })).toEqual({ result: [], codes: ['FAILOVER_READS_IAM'], asked: 0 });
  });

  it('gives nothing to a module without the variable (k8s-ha: no boot parameters), and asks no one', async () => {
    expect(await args({ module: {} })).toEqual({ result: [], codes: [], asked: 0 });
  });
});
