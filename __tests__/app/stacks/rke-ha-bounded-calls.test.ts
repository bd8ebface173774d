import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { SERVER_START_TIMEOUT } from '../../../lib/kubernetes/private/start-timeout';
import { resources, userDataOf } from '../../helpers/synth';
import { AIR_GAP, REGISTRY_LOGIN_SSM, STACK_VARIANTS, synthSettings, RKE_HA_STACK } from '../../helpers/variants';

// Every network call a server makes ends by itself (design notes, "Bootstrap reruns until it succeeds"): each curl in
// the servers' scripts names its own --max-time (or takes its bounds from its caller: aws_post's "$@"), each aws_post
// call passes one, and the server unit's start (whose ExecStartPre steps make such calls) is bounded by a drop-in,
// since RKE2's and K3s' own units set TimeoutStartSec=0.

const VARIANTS: [string, SettingsInput][] = [
  ...STACK_VARIANTS.filter((v) => v.stack === RKE_HA_STACK).map((v) => [v.name, v.settings] as [string, SettingsInput]),
  ['registry login', { airGap: { ...AIR_GAP, registryCredentials: REGISTRY_LOGIN_SSM } }],
];

interface ServerFile {
  readonly path: string;
  readonly content: string;
}

const filesOf = (input: SettingsInput): ServerFile[][] => {
  const { json } = synthSettings(RKE_HA_STACK, input);
  return Object.values(resources(json, 'aws_instance')).map(
    (instance) => (parse(userDataOf(json, instance).replace(/^#cloud-config\n/, '')) as { write_files: ServerFile[] }).write_files,
  );
};

/** The script's commands, each on one line (continuation lines joined), comments dropped. */
const commandLines = (script: string) =>
  script
    .replace(/\s*\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line));

/** The lines of a server's scripts that call curl or aws_post without a time bound of their own. */
export function unboundedCalls(files: readonly ServerFile[]): string[] {
  return files
    .filter((f) => f.content.startsWith('#!') || f.path.endsWith('.sh'))
    .flatMap((f) =>
      commandLines(f.content)
        .filter((line) => /(^|[\s|;&($])(curl|aws_post) /.test(line) && !/^\s*aws_post\(\)/.test(line))
        .filter((line) => !/--max-time /.test(line) && !(/(^|[\s|;&($])curl /.test(line) && line.includes('"$@"')))
        .map((line) => `${f.path}: ${line.trim()}`),
    );
}

describe.each(VARIANTS)('rke-ha servers: every call out is bounded (%s)', (_name, input) => {
  const servers = filesOf(input);

  it('every curl and aws_post of the servers names its --max-time', () => {
    for (const files of servers) expect(unboundedCalls(files)).toEqual([]);
  });

  it("bounds the server unit's start (its ExecStartPre steps included) with a drop-in, RKE2's and K3s' units setting none", () => {
    const service = input.rkeHa?.distribution === 'k3s' ? 'k3s' : 'rke2-server';
    for (const files of servers) {
      expect(files.find((f) => f.path === `/etc/systemd/system/${service}.service.d/rancher-aws-start-timeout.conf`)?.content).toBe(
        `[Service]\nTimeoutStartSec=${SERVER_START_TIMEOUT}\n`,
      );
    }
  });
});

describe('the check itself', () => {
  it('finds a curl without --max-time, and an aws_post call without one, and takes aws_post\'s "$@"', () => {
    const script = [
      '#!/bin/bash',
      'a=$(curl -sf https://x/)',
      'aws_post ssm "$AWS_REGION" /dev/null "{}" \\',
      '  -H "X-Amz-Target: T"',
      'aws_post() {',
      '  AWS_STATUS=$(curl -s --config - "$@" https://x/)',
      '}',
      'curl -s --max-time 5 https://y/',
      '# curl in a comment',
    ].join('\n');
    expect(unboundedCalls([{ path: '/usr/local/sbin/x', content: script }])).toEqual([
      '/usr/local/sbin/x: a=$(curl -sf https://x/)',
      '/usr/local/sbin/x: aws_post ssm "$AWS_REGION" /dev/null "{}" -H "X-Amz-Target: T"',
    ]);
  });
});
