import { parseCommandLine } from '../../cli/main';
import { moduleFolder } from '../../cli/shared/module-folder';
import { requireTools } from '../../cli/shared/process';

describe('the operations command line', () => {
  it('reads the command, the stack, flags and options with values (also as --opt=value)', () => {
    const line = parseCommandLine(['roll', 'rke-ha', '--server', 'server-1', '--dry-run', '--wait-minutes=5']);
    expect(line.command).toBe('roll');
    expect(line.stack).toBe('rke-ha');
    expect([...line.flags]).toEqual(['--dry-run']);
    expect(Object.fromEntries(line.values)).toEqual({ '--server': 'server-1', '--wait-minutes': '5' });
    // The deployment to act on, where a module holds more than one.
    expect(Object.fromEntries(parseCommandLine(['roll', '--dir', 'module', '--deployment=acme']).values)).toEqual({
      '--dir': 'module',
      '--deployment': 'acme',
    });
    expect(() => parseCommandLine(['roll', '--deployment'])).toThrow('--deployment needs a value.');
  });

  it("reads the drill's flags and its throwaway's name", () => {
    const line = parseCommandLine(['drill', 'rke-ha', '--keep', '--etcd', '--teardown', '--name=prod-drill', '--wait-minutes', '20']);
    expect([...line.flags].sort()).toEqual(['--etcd', '--keep', '--teardown']);
    expect(Object.fromEntries(line.values)).toEqual({ '--name': 'prod-drill', '--wait-minutes': '20' });
  });

  it('reads what rotate rotates from its last word, after the stack or after --dir', () => {
    expect(parseCommandLine(['rotate', 'rke-ha', 'token', '--dry-run'])).toMatchObject({ command: 'rotate', stack: 'rke-ha', what: 'token' });
    expect(parseCommandLine(['rotate', '--dir', 'module', 'token'])).toMatchObject({ command: 'rotate', stack: undefined, what: 'token' });
    expect(() => parseCommandLine(['rotate', 'rke-ha', 'k8s-ha', 'token'])).toThrow('Unexpected argument k8s-ha.');
    // Other commands take no third word.
    expect(parseCommandLine(['roll', 'rke-ha']).what).toBeUndefined();
  });

  it("names the order when rotate's words are swapped, and the word too many after what it rotates", () => {
    expect(() => parseCommandLine(['rotate', 'token', 'rke-ha'])).toThrow(
      'rotate: the stack comes first, then what to rotate: `rotate rke-ha token`.',
    );
    expect(() => parseCommandLine(['rotate', 'encryption-key', 'rke-ha', '--dry-run'])).toThrow('`rotate rke-ha encryption-key`');
    expect(() => parseCommandLine(['rotate', 'rke-ha', 'token', 'now'])).toThrow(
      'Unexpected argument now after token: rotate takes the stack, then what to rotate (`rotate rke-ha token`).',
    );
    expect(() => parseCommandLine(['rotate', '--dir', 'module', 'token', 'now'])).toThrow('Unexpected argument now after token');
  });

  it('reads one word after rotate as the stack unless it is a rotation or --dir gives the module (the rotation left out is said to be missing)', () => {
    expect(parseCommandLine(['rotate', 'rke-ha', '--dry-run'])).toMatchObject({ stack: 'rke-ha', what: undefined });
    expect(parseCommandLine(['rotate', 'encryption-key', '--dir', 'module'])).toMatchObject({ stack: undefined, what: 'encryption-key' });
    expect(parseCommandLine(['rotate', 'token'])).toMatchObject({ stack: undefined, what: 'token' });
    expect(parseCommandLine(['rotate', '--dir', 'module', 'certificates'])).toMatchObject({ stack: undefined, what: 'certificates' });
  });

  it('refuses an unknown option, a missing value and a stray argument', () => {
    expect(() => parseCommandLine(['teardown', '--force'])).toThrow('Unknown option --force.');
    expect(() => parseCommandLine(['teardown', '--dir'])).toThrow('--dir needs a value.');
    expect(() => parseCommandLine(['teardown', '--dir', '--yes'])).toThrow('--dir needs a value.');
    expect(() => parseCommandLine(['teardown', 'rke-ha', 'docker'])).toThrow('Unexpected argument docker.');
  });

  it('names the stacks it knows and says to synthesize when the module is missing', () => {
    expect(() => moduleFolder('rke', undefined, '/nonexistent')).toThrow("Unknown stack 'rke': the stacks are rke-ha, k8s-ha, docker");
    expect(() => moduleFolder('docker', undefined, '/nonexistent')).toThrow(
      '/nonexistent/cdktf.out/stacks/docker holds no synthesized module: run `npm run synth` first',
    );
    expect(() => moduleFolder(undefined, 'pipeline/module', '/nonexistent')).toThrow('--dir pipeline/module: no synthesized module there');
    expect(() => moduleFolder(undefined, undefined)).toThrow('Name the stack');
  });

  it('names every missing tool at once, with where to get it', () => {
    expect(() => requireTools(['terraform', 'kubectl'], '/nonexistent')).toThrow(
      /'terraform' was not found on PATH\. Install Terraform >= 1\.10.*\n'kubectl' was not found on PATH/s,
    );
    expect(() => requireTools(['node'], process.execPath.replace(/\/node$/, ''))).not.toThrow();
  });
});
