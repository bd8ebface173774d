import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeTemplateSyntax, heredocTemplate, quotedTemplate } from '../../../lib/synth/template';
import { describeWithTerraform, TERRAFORM_ENV } from '../../helpers/terraform';

/** Strings as they occur in synthesized JSON (templates), with the tricky parts of each kind. */
const TEMPLATES = [
  'plain',
  'quotes " and \\ backslashes \\n (two characters)',
  'tab\tand\u0001control',
  'interpolation ${upper("x")} with "${lower("Q\\"R")}" around',
  'escaped $${literal} and %%{literal}',
  '${jsonencode({ a = "}", b = ["${upper("c")}"] })}',
  '%{ for s in ["a", "b"] }${s},%{ endfor }',
  '#cloud-config\nwrite_files:\n  - content: "${upper("x")}"\n    path: C:\\temp\\$${HOME}\nEOT\n',
  'multi-line without a final newline\nlast',
];

/** Literal strings (variable defaults, descriptions): Terraform must not read them as templates. */
const LITERALS = ['~/.kube/config', 'has ${not_a_reference} and %{not_a_directive}', 'already $${escaped}', 'two\nlines\n'];

describeWithTerraform('templates written as HCL evaluate like the JSON they come from', () => {
  let decoded: Record<string, unknown> = {};
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'rancher-template-'));
    try {
      // The same values once in JSON syntax, once in HCL as the converter writes them.
      writeFileSync(join(dir, 'json.tf.json'), JSON.stringify({ locals: { from_json: TEMPLATES }, variable: { literals: { default: LITERALS } } }));
      const hcl = TEMPLATES.map((t) => {
        const heredoc = heredocTemplate(t);
        return heredoc ? `${heredoc.open}\n${[...heredoc.lines, heredoc.close].join('\n')}\n` : quotedTemplate(t);
      });
      const literals = LITERALS.map((t) => quotedTemplate(escapeTemplateSyntax(t)));
      writeFileSync(
        join(dir, 'hcl.tf'),
        `locals {\n  from_hcl = [\n${hcl.map((h) => `${h},\n`).join('')}]\n  literals = [${literals.join(', ')}]\n}\n`,
      );
      const result = spawnSync('terraform', ['console'], {
        cwd: dir,
        input: 'jsonencode({ json = local.from_json, hcl = local.from_hcl, literals = local.literals, defaults = var.literals })\n',
        encoding: 'utf8',
        env: TERRAFORM_ENV,
      });
      if (result.status !== 0) throw new Error(result.stdout + result.stderr);
      decoded = JSON.parse(JSON.parse(result.stdout.trim())) as Record<string, unknown>;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every template, quoted or as a heredoc', () => {
    expect(decoded.hcl).toEqual(decoded.json);
    expect((decoded.json as string[])[3]).toBe('interpolation X with "q"r" around');
  });

  it('literal text, escaped, as JSON variable defaults read it (not as templates)', () => {
    expect(decoded.literals).toEqual(LITERALS);
    expect(decoded.defaults).toEqual(LITERALS);
  });
});
