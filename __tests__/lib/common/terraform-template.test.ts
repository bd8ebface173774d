import { escapeTemplate, hclString, literalArgument, literalDeep } from '../../../lib/common/terraform-template';
import { renderTemplate } from '../../helpers/validators';

const noReference = (expression: string): string => {
  throw new Error(`unexpected reference ${expression}`);
};

// Expected values checked against `terraform console`: "$${HOME}" is ${HOME}, "$$${x}" is $${x}, "%%{ if }" is %{ if }.
describe('escapeTemplate', () => {
  it('escapes ${ as $${', () => {
    expect(escapeTemplate('${HOME}')).toBe('$${HOME}');
    expect(escapeTemplate('a=${A:-x} b=${B} ${#arr[@]}')).toBe('a=$${A:-x} b=$${B} $${#arr[@]}');
    expect(escapeTemplate('$${x}')).toBe('$$${x}');
  });

  it('escapes %{ as %%{', () => {
    expect(escapeTemplate('%{ if x }')).toBe('%%{ if x }');
    expect(escapeTemplate('%{c}%{d}')).toBe('%%{c}%%{d}');
  });

  it('leaves plain shell variables, lone dollars and percents alone', () => {
    const text = 'echo "$HOME $1 $? $$ $@"; printf "%s %d 100%" x 1; $(date); {a,b}';
    expect(escapeTemplate(text)).toBe(text);
    expect(escapeTemplate('')).toBe('');
    expect(escapeTemplate('$ % $\n{ %\n{')).toBe('$ % $\n{ %\n{');
  });

  it('renders back to the original text under Terraform template rules', () => {
    const script = '#!/bin/bash\nset -eu\nfor p in ${PEER_IPS}; do echo "${p}:9345 $p"; done\nprintf "%{x}%s\\n" "${#arr[@]}" $$\n';
    expect(renderTemplate(escapeTemplate(script), noReference)).toBe(script);
  });
});

// Inside a function's arguments cdktf escapes `${` itself (Fn.yamlencode({ k: '${x}' }) synthesizes "$${x}") and
// leaves `%{` alone; literalDeep there would give "$$${x}", which Terraform reads as $${x} (terraform console).
describe('literalArgument (a value for Fn.yamlencode and the like)', () => {
  it('escapes %{ only, in every string and key, and leaves ${ to cdktf', () => {
    expect(literalArgument({ 'k%{': ['${x}', '%{ if }'], n: 1 })).toEqual({ 'k%%{': ['${x}', '%%{ if }'], n: 1 });
    expect(literalDeep({ k: '${x}' })).toEqual({ k: '$${x}' });
  });
});

describe('hclString', () => {
  it('escapes backslashes, quotes and template sequences for an HCL quoted string', () => {
    expect(hclString('a\\.b"c${d}%{e}')).toBe('"a\\\\.b\\"c$${d}%%{e}"');
  });
});
