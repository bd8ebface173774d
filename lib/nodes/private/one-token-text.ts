import { StringConcat, Token, Tokenization, type IResolvable, type IResolveContext, type TokenizedStringFragments } from 'cdktf';

/** cdktf's mark of a reference in a string (`${TfToken[TOKEN.12]}`), as its tokenizer finds it. */
const REFERENCE_MARK = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** What cdktf reads as an escape's opening (a `${` that is not a reference's mark) or closing (any `}`), in order. */
const ESCAPE_MARK = /\$\{(?!TfToken\[)|\}/g;

/** The text's pieces, each reference resolved in the context it is resolved in, joined as cdktf joins a string's. */
class JoinedText implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly fragments: TokenizedStringFragments) {}

  public resolve(context: IResolveContext): unknown {
    return this.fragments.mapTokens(context).join(new StringConcat());
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/**
 * `text` (which may carry references: cdktf tokens) as one token whose value is the same text with the references
 * resolved: the synthesized string is the one cdktf makes of `text` itself. cdktf splits a string that holds a
 * reference at each of its `${` and `}`, searching the rest of the string for the next reference from each (cdktn
 * 0.24 `lib/tokens/private/encoding.js`, `TokenString.tokenizeNext`): for a server's user data, 60 KB of shell with
 * 220 braces and four references, that is about 2 ms for each resolve, and a synth resolves every element twice
 * (bench/README.md, 2026-11-29). Here the text is split at its references once.
 *
 * cdktf writes a reference that follows an unclosed `${` (an escape's opening) without its braces; such a text is
 * returned unchanged, for cdktf to split, so the output is the same either way. So is a text without references.
 */
export function oneTokenText(text: string): string {
  const fragments = Tokenization.reverseString(text);
  if (fragments.tokens.length === 0) return text;
  // cdktf leaves the braces off a reference when the last escape mark before it opens an escape.
  let open = false;
  let from = 0;
  for (const reference of text.matchAll(REFERENCE_MARK)) {
    const marks = text.slice(from, reference.index).match(ESCAPE_MARK);
    if (marks) open = marks[marks.length - 1] !== '}';
    if (open) return text;
    from = reference.index + reference[0].length;
  }
  return Token.asString(new JoinedText(fragments));
}
