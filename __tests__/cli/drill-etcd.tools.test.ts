import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runValidator } from '../helpers/validators';

// The script `npm run drill -- rke-ha --etcd` sends through SSM to the throwaway's first server. The drill's tools
// test (drill.tools.test.ts) stands in for its outcome with the fake cloud; here it is held to shellcheck.
describe('drill-etcd-restore.sh', () => {
  it('passes shellcheck as committed', () => {
    const script = readFileSync(join(__dirname, '../../cli/drill-etcd-restore.sh'), 'utf8');
    expect(runValidator('shellcheck', ['--severity=style'], script, 'drill-etcd-restore.sh')).toEqual({ status: 0, output: '' });
  });
});
