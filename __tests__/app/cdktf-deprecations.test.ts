import { CDKTF_DEPRECATION, hideCdktfDeprecation } from '../../app/cdktf-deprecations';

// The warnings' printers as the app finds them (Node's own is one of them), restored after each case: the worker
// running this file keeps its own.
let before: NodeJS.WarningListener[];
beforeEach(() => {
  before = process.listeners('warning');
  process.removeAllListeners('warning');
});
afterEach(() => {
  process.removeAllListeners('warning');
  for (const listener of before) process.on('warning', listener);
});

const warning = (message: string, code?: string) => Object.assign(new Error(message), { name: 'DeprecationWarning', code });

it("keeps cdktf 0.21's util.isArray deprecation (DEP0044) from every printer", () => {
  const printed: string[] = [];
  process.on('warning', (w) => printed.push(w.message));
  hideCdktfDeprecation();
  process.emit('warning', warning('The `util.isArray` API is deprecated.', CDKTF_DEPRECATION));
  expect(printed).toEqual([]);
});

it('hands every other warning to the printers that were listening, each once, in their order', () => {
  const printed: string[] = [];
  process.on('warning', (w) => printed.push(`first ${w.message}`));
  process.on('warning', (w) => printed.push(`second ${w.message}`));
  hideCdktfDeprecation();
  process.emit('warning', warning('Buffer() is deprecated', 'DEP0005'));
  process.emit('warning', warning('no code at all'));
  expect(printed).toEqual(['first Buffer() is deprecated', 'second Buffer() is deprecated', 'first no code at all', 'second no code at all']);
  expect(process.listeners('warning')).toHaveLength(1);
});
