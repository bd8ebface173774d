/**
 * The arguments of the providers, resources and data sources in a `cdk.tf`,
 * each as written: a block (`name { ... }`) or an attribute (`name = ...`).
 *
 * Read from the text alone, independently of the converter's schema, so a
 * test can hold the form against the provider bindings' documentation. It
 * reads the layout the app's converter writes (and `terraform fmt` keeps):
 * one argument per line, a multi-line value
 * closed at its attribute's indent, heredoc content ended by its marker.
 */

export interface HclArgument {
  /** kind/type/name..., e.g. resource/aws_route53_record/alias or resource/aws_lb_listener/default_action/redirect. */
  readonly path: string;
  readonly form: 'block' | 'attribute';
}

/** Terraform's own blocks and arguments in a provider, resource or data source body: not the provider schema's. */
export const META_ARGUMENTS = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle']);

const BLOCK = /^( *)([A-Za-z_][\w-]*)((?: "[^"]*")*) \{(\})?$/;
const ATTRIBUTE = /^( *)("[^"]*"|[A-Za-z_][\w-]*) *= (.*)$/;
const HEREDOC = /<<-?([A-Za-z_]\w*)$/;
const OPENS = /[[{(]$/;

export function hclArguments(text: string): HclArgument[] {
  const found: HclArgument[] = [];
  /** The body being read: its schema path, or undefined inside a block outside any provider schema. */
  const bodies: (string[] | undefined)[] = [];
  let heredoc: string | undefined;
  let closeAt: number | undefined;
  for (const line of text.split('\n')) {
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (closeAt !== undefined) {
      heredoc = HEREDOC.exec(line)?.[1];
      if (indent === closeAt && /^[\]})]/.test(line.trim())) closeAt = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed === '}') {
      bodies.pop();
      continue;
    }
    const block = BLOCK.exec(line);
    if (block) {
      const [, , name, labels, empty] = block;
      const parent = bodies[bodies.length - 1];
      let body: string[] | undefined;
      if (bodies.length === 0) {
        const values = [...labels.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        if (name === 'resource' || name === 'data') body = [name, values[0]];
        else if (name === 'provider') body = ['provider', values[0]];
      } else if (parent && !META_ARGUMENTS.has(name)) {
        body = [...parent, name];
        found.push({ path: body.join('/'), form: 'block' });
      }
      if (!empty) bodies.push(body);
      continue;
    }
    const attribute = ATTRIBUTE.exec(line);
    if (!attribute) throw new Error(`not an argument, block or closing brace: ${line}`);
    const [, , key, value] = attribute;
    const parent = bodies[bodies.length - 1];
    const meta = META_ARGUMENTS.has(key) || (bodies.length === 1 && parent?.[0] === 'provider' && key === 'alias');
    if (parent && !meta) found.push({ path: [...parent, key].join('/'), form: 'attribute' });
    heredoc = HEREDOC.exec(value)?.[1];
    if (heredoc === undefined && OPENS.test(value)) closeAt = indent;
  }
  if (bodies.length > 0 || heredoc !== undefined || closeAt !== undefined) throw new Error('cdk.tf ends inside a block or value');
  return found;
}
