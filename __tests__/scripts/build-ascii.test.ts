// scripts/build.js is plain CommonJS: its helper as the app build uses it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script of this repository, without types
const { asciiOnly } = require('../../scripts/build.js') as { asciiOnly(text: string): string };

const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

describe("asciiOnly: the app bundle's text in ASCII, meaning what it meant", () => {
  it('escapes every other character, in comments as in strings, templates, regular expressions and names', () => {
    const source = [
      '// a comment — with an accent: invàlid',
      '/** and a block — */',
      "const café = 'é—😀';",
      'const raw = `x—${café}`;',
      'const re = /—+/;',
      '[café, raw, re.test("a——b"), re.test("a-b")]',
    ].join('\n');
    const ascii = asciiOnly(source);
    expect(isAscii(ascii)).toBe(true);
    // The same values as the source's own (indirect eval: the global scope). A regular expression's `source` and a
    // template's raw text read the escape, as in esbuild's own ASCII output.
    expect((0, eval)(ascii)).toEqual((0, eval)(source));
    expect(ascii.split('\n')[0]).toBe('// a comment \\u2014 with an accent: inv\\u00e0lid');
  });

  it('leaves U+2028 and U+2029 as written: they end a line comment, an escape would not', () => {
    const source = '// note\u2028[1]';
    expect(asciiOnly(source)).toBe(source);
    expect((0, eval)(asciiOnly(source))).toEqual([1]);
  });
});
