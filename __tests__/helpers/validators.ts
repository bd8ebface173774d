import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs a Debian validator (installed by .ci/run) on some text. A missing tool
 * fails the test: a check that silently skips cannot fail.
 */
export function runValidator(tool: string, args: string[], text: string, fileName: string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-validate-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, text);
    const result = spawnSync(tool, [...args, file], { encoding: 'utf8' });
    if (result.error) throw new Error(`${tool} is not runnable (${result.error.message}); .ci/run installs it with apt-get`);
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Evaluates a Terraform string template the way Terraform would for text with
 * no directives: `$${` and `%%{` become literal, each `${expr}` becomes
 * `resolve(expr)`.
 */
export function renderTemplate(text: string, resolve: (expression: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (text.startsWith('%%{', i)) {
      out += '%{';
      i += 3;
    } else if (text.startsWith('%{', i)) {
      throw new Error(`unexpected template directive at ${i}`);
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i);
      const expression = text.slice(i + 2, end);
      if (expression.includes('{')) throw new Error(`nested expression not supported: ${expression}`);
      out += resolve(expression);
      i = end + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}


const YAMLLINT_CONFIG = join(__dirname, '..', '..', '.yamllint.yaml');

export interface CloudConfigFile {
  readonly path: string;
  readonly permissions: string;
  readonly content: string;
}

/**
 * Checks rendered user data with the real tools: `cloud-init schema`, yamllint
 * on the document and on every YAML file it writes, shellcheck on every shell
 * script it writes. Returns the parsed files for further assertions.
 */
export function validateCloudConfig(userData: string): CloudConfigFile[] {
  expect(userData.startsWith('#cloud-config\n')).toBe(true);

  const schema = runValidator('cloud-init', ['schema', '--config-file'], userData, 'user-data.yaml');
  expect(schema.output).toContain('Valid cloud-config');
  expect(schema.status).toBe(0);

  const lint = runValidator('yamllint', ['-c', YAMLLINT_CONFIG, '-f', 'parsable', '--strict'], userData, 'user-data.yaml');
  expect(lint.output).toBe('');
  expect(lint.status).toBe(0);

  const doc = parse(userData) as { write_files: CloudConfigFile[]; runcmd: string[][] };
  for (const file of doc.write_files) {
    if (file.path.endsWith('.yaml')) {
      const result = runValidator('yamllint', ['-c', YAMLLINT_CONFIG, '-f', 'parsable', '--strict'], file.content, 'file.yaml');
      expect({ path: file.path, ...result }).toEqual({ path: file.path, status: 0, output: '' });
    }
    if (file.content.startsWith('#!/bin/bash') || file.content.startsWith('#!/bin/sh')) {
      const result = runValidator('shellcheck', ['--severity=style'], file.content, 'script.sh');
      expect({ path: file.path, ...result }).toEqual({ path: file.path, status: 0, output: '' });
    }
  }
  return doc.write_files;
}
