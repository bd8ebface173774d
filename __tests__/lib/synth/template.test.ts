import { escapeTemplateSyntax, heredocTemplate, quotedTemplate, soleInterpolation, templateParts } from '../../../lib/synth/template';

describe('templateParts', () => {
  it('splits literal text from interpolations and directives, keeping escapes literal', () => {
    expect(templateParts('a ${var.x} $${not} %%{not} %{if true}y%{endif}')).toEqual([
      { kind: 'literal', text: 'a ' },
      { kind: 'sequence', text: '${var.x}' },
      { kind: 'literal', text: ' $${not} %%{not} ' },
      { kind: 'sequence', text: '%{if true}' },
      { kind: 'literal', text: 'y' },
      { kind: 'sequence', text: '%{endif}' },
    ]);
  });

  it('finds the end of a sequence past braces, quotes, escaped quotes and nested templates', () => {
    const sequence = '${{ for c in ["}", "\\"}", "${x["}"]}"] : c => "{${c}}" }}';
    expect(templateParts(`<${sequence}>`)).toEqual([
      { kind: 'literal', text: '<' },
      { kind: 'sequence', text: sequence },
      { kind: 'literal', text: '>' },
    ]);
  });

  it('refuses what it cannot delimit', () => {
    expect(() => templateParts('${var.x')).toThrow('unterminated template sequence');
    expect(() => templateParts('${"abc}')).toThrow('unterminated string');
    expect(() => templateParts('${<<EOT\nx\nEOT\n}')).toThrow('heredoc');
  });
});

describe('soleInterpolation', () => {
  it('returns the expression of a template that is one interpolation', () => {
    expect(soleInterpolation('${var.x}')).toBe('var.x');
    expect(soleInterpolation('${ { a = "}" } }')).toBe('{ a = "}" }');
  });

  it('returns nothing for anything else: text around it, two of them, directives, strip markers', () => {
    for (const text of ['x${var.x}', '${var.x}y', '${a}${b}', '%{if true}x%{endif}', '${~ var.x}', '${var.x ~}', '$${var.x}', 'plain']) {
      expect(soleInterpolation(text)).toBeUndefined();
    }
  });
});

describe('quotedTemplate', () => {
  it('escapes the literal parts only', () => {
    expect(quotedTemplate('say "hi"\n\t\\ ${upper("a\\"b")} \u0001')).toBe('"say \\"hi\\"\\n\\t\\\\ ${upper("a\\"b")} \\u0001"');
  });
});

describe('heredocTemplate', () => {
  it('holds a multi-line template that ends with a newline, verbatim', () => {
    expect(heredocTemplate('a \\n "b"\n${x}\n')).toEqual({ open: '<<EOT', lines: ['a \\n "b"', '${x}'], close: 'EOT' });
  });

  it('picks a marker that no line of the text equals', () => {
    expect(heredocTemplate('EOT\n  EOT1 \nx\n')).toEqual({ open: '<<EOT2', lines: ['EOT', '  EOT1 ', 'x'], close: 'EOT2' });
  });

  it('declines what a heredoc cannot hold exactly', () => {
    expect(heredocTemplate('one line\n')).toEqual({ open: '<<EOT', lines: ['one line'], close: 'EOT' });
    expect(heredocTemplate('no newline')).toBeUndefined();
    expect(heredocTemplate('a\nno final newline')).toBeUndefined();
    expect(heredocTemplate('a\r\nb\n')).toBeUndefined();
  });
});

describe('escapeTemplateSyntax', () => {
  it('escapes interpolation and directive openers, including already escaped ones', () => {
    expect(escapeTemplateSyntax('${a} %{b} $${c}')).toBe('$${a} %%{b} $$${c}');
  });
});
