// Unit tier (jest.config.js, project "unit"): starting a process is an error. Every function of child_process that
// starts one throws, naming the tools tier, so a test that runs terraform, a validator, bash or the app cannot
// creep back into `npm test`: such a test belongs in a `*.tools.test.ts` file (`npm run test:tools`).
function refuse(name) {
  return function noProcess(command) {
    throw new Error(
      `child_process.${name}(${JSON.stringify(String(command))}) in the unit tier: unit tests start no process. ` +
        'Move this test into a *.tools.test.ts file beside it (npm run test:tools; docs/development.md).',
    );
  };
}

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];

for (const id of ['child_process', 'node:child_process']) {
  jest.mock(id, () => {
    const actual = jest.requireActual('node:child_process');
    return { ...actual, ...Object.fromEntries(STARTERS.map((name) => [name, refuse(name)])) };
  });
}
