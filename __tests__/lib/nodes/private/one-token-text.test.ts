import { TerraformLocal, TerraformStack, TerraformVariable, Tokenization } from 'cdktf';
import { oneTokenText } from '../../../../lib/nodes/private/one-token-text';
import { synthStack } from '../../../helpers/synth';

/** The locals `text` and `oneTokenText(text)` as synthesized, `text` built with the stack's two variables. */
function synthBoth(text: (a: string, b: string) => string): { own: unknown; one: unknown; handed: string } {
  let handed = '';
  const { json } = synthStack((app) => {
    const stack = new TerraformStack(app, 'one-token-text');
    const a = new TerraformVariable(stack, 'a', { type: 'string' }).stringValue;
    const b = new TerraformVariable(stack, 'b', { type: 'string' }).stringValue;
    new TerraformLocal(stack, 'own', text(a, b));
    handed = oneTokenText(text(a, b));
    new TerraformLocal(stack, 'one', handed);
    return stack;
  });
  const locals = json.locals as Record<string, unknown>;
  return { own: locals.own, one: locals.one, handed };
}

const isOneToken = (text: string) => {
  const fragments = Tokenization.reverseString(text);
  return fragments.length === 1 && fragments.tokens.length === 1;
};

describe('oneTokenText: a long text with references handed to cdktf as one token', () => {
  it('synthesizes the string cdktf makes of the text itself: shell braces, escapes, references anywhere', () => {
    const { own, one, handed } = synthBoth(
      (a, b) => `${a}#!/bin/sh\nf() { echo "$\${HOME:-/}" "%%{x}" }\nurl=${a}/x\n[ -n "$\${X}" ] && { g; }\n$\${Y:-${'}'}\n${b}`,
    );
    expect(own).toContain('${var.a}#!/bin/sh');
    expect(one).toBe(own);
    // One token for cdktf to resolve: its tokenizer never walks the text's braces.
    expect(isOneToken(handed)).toBe(true);
  });

  it('leaves a text whose reference follows an opened `${` (cdktf writes it without braces) to cdktf, unchanged', () => {
    const text = (a: string) => `echo \${upper(${a})} }`;
    const { own, one, handed } = synthBoth(text);
    expect(own).toBe('echo ${upper(var.a)} }');
    expect(one).toBe(own);
    expect(isOneToken(handed)).toBe(false);
  });

  it('returns a text without references as it is', () => {
    expect(oneTokenText('plain ${x} }')).toBe('plain ${x} }');
  });
});
