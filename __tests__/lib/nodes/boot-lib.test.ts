import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeSandbox } from '../../helpers/node-sandbox';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

describe('boot-lib.sh ssm_lookup and fetch_to (SSM GetParameter signed by curl, through IMDSv2 credentials)', () => {
  it('sends the credentials to curl on stdin, not on its command line', () => {
    const lib = readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8');
    expect(lib).toContain('curl -s --config -');
    expect(lib).not.toMatch(/--user "\$/);
  });
});

describe('boot-lib.sh wait_turn (one join at a time)', () => {
  it('waits 20 minutes by default', () => {
    const lib = readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8');
    expect(lib).toContain('TURN_WAIT_SECONDS=${TURN_WAIT_SECONDS:-1200}');
    expect(lib).toContain('FETCH_ATTEMPTS=${FETCH_ATTEMPTS:-30}');
    expect(lib).toContain('STATE_ATTEMPTS=${STATE_ATTEMPTS:-10}');
  });
});
