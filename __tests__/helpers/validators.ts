import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cachedShared, keepShared, runShared } from './memo';

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs the installed command itself; a missing one fails the test. */
export function runCommand(tool: string, args: string[]): ToolResult {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${tool} is not runnable (${result.error.message}); .ci/run installs it with apt-get`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Runs a Debian validator (installed by .ci/run) on some text; a missing tool fails the test. */
export function runValidator(tool: string, args: string[], text: string, fileName: string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-validate-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, text);
    return runCommand(tool, [...args, file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stand-in value for a Terraform expression in a rendered template: `value-of-` and the expression's words. */
export const placeholderValue = (expression: string): string => `value-of-${expression.replace(/[^a-z0-9]+/gi, '-')}`;

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
 * Runs a validator that prefixes every finding with the file's path, once for
 * all of `texts` not seen before in this test file or another of this run
 * (identical scripts recur in every variant and file; memo.ts), and returns each text's findings: status 1 with the lines
 * that name it, or status 0 and no output.
 */
function lintEach(tool: string, args: string[], texts: readonly string[], fileName: string): ToolResult[] {
  const key = (text: string) => `${tool}\0${args.join(' ')}\0${text}`;
  const pending = [...new Set(texts.filter((text) => cachedShared<ToolResult>(key(text)) === undefined))];
  if (pending.length > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'rancher-lint-'));
    try {
      const paths = pending.map((text, i) => {
        const path = join(dir, `${i}-${fileName}`);
        writeFileSync(path, text);
        return path;
      });
      const result = runCommand(tool, [...args, ...paths]);
      const lines = result.output.split('\n').filter(Boolean);
      const attributed = new Set<string>();
      const found = pending.map((_text, i) => {
        const own = lines.filter((line) => line.startsWith(`${paths[i]}:`));
        own.forEach((line) => attributed.add(line));
        return { status: own.length ? 1 : 0, output: own.map((line) => line.slice(dir.length + 1)).join('\n') };
      });
      // Anything the tool said about no file in particular (a crash, a bad option) fails loudly, and nothing is kept.
      const stray = lines.filter((line) => !attributed.has(line));
      if (stray.length > 0 || (result.status !== 0 && attributed.size === 0))
        throw new Error(`${tool} failed:\n${stray.join('\n') || result.status}`);
      pending.forEach((text, i) => keepShared(key(text), found[i]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return texts.map((text) => cachedShared<ToolResult>(key(text))!);
}

/**
 * yamllint (the repository's `.yamllint.yaml`, strict) on each of `texts`, e.g. a chart's values as Helm will read them:
 * each text's findings, status 0 and no output when clean.
 */
export function lintYaml(texts: readonly string[]): ToolResult[] {
  return lintEach('yamllint', ['-c', YAMLLINT_CONFIG, '-f', 'parsable', '--strict'], texts, 'values.yaml');
}

/** The files a cloud-config writes, parsed only (no validator runs: the unit tier's reading of user data). */
export function cloudConfigFiles(userData: string): CloudConfigFile[] {
  return (parse(userData) as { write_files: CloudConfigFile[] }).write_files;
}

/**
 * Checks rendered user data with the real tools: `cloud-init schema`, yamllint
 * on the document and on every YAML file it writes (one run), shellcheck on
 * every shell script it writes (one run; scripts already checked in this test
 * file are not checked again). Returns the parsed files for further assertions.
 */
export function validateCloudConfig(userData: string): CloudConfigFile[] {
  expect(userData.startsWith('#cloud-config\n')).toBe(true);

  const schema = runShared(`cloud-init schema\0${userData}`, () =>
    runValidator('cloud-init', ['schema', '--config-file'], userData, 'user-data.yaml'),
  );
  expect(schema.output).toContain('Valid cloud-config');
  expect(schema.status).toBe(0);

  const doc = parse(userData) as { write_files: CloudConfigFile[]; runcmd: string[][] };
  const yamlFiles = doc.write_files.filter((file) => file.path.endsWith('.yaml'));
  const [lint, ...yamlLint] = lintEach(
    'yamllint',
    ['-c', YAMLLINT_CONFIG, '-f', 'parsable', '--strict'],
    [userData, ...yamlFiles.map((f) => f.content)],
    'file.yaml',
  );
  expect(lint).toEqual({ status: 0, output: '' });
  yamlFiles.forEach((file, i) => expect({ path: file.path, ...yamlLint[i] }).toEqual({ path: file.path, status: 0, output: '' }));

  const scripts = doc.write_files.filter((file) => file.content.startsWith('#!/bin/bash') || file.content.startsWith('#!/bin/sh'));
  const shellcheck = lintEach(
    'shellcheck',
    ['--severity=style', '--format=gcc'],
    scripts.map((f) => f.content),
    'script.sh',
  );
  scripts.forEach((file, i) => expect({ path: file.path, ...shellcheck[i] }).toEqual({ path: file.path, status: 0, output: '' }));
  return doc.write_files;
}
