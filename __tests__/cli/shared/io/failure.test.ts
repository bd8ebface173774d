import { ServiceException } from '@smithy/core/client';
import { CredentialsProviderError } from '@smithy/core/config';
import { failureCode, failureOf, NO_CREDENTIALS_TEXT, UsageError } from '../../../../cli/shared/io/failure';
import { ChoiceNeeded, ModuleMissing } from '../../../../cli/shared/module-folder';
import { CommandFailed, ToolMissing } from '../../../../cli/shared/process';
import { NotInitialized, TerraformFailed } from '../../../../cli/shared/terraform';
import { KubeRefused, KubeUnanswered, KubeUnreachable } from '../../../../cli/shared/kube/failures';

describe('a thrown failure as the one coded message a command reports', () => {
  it('keeps an AWS error’s name, HTTP status and request id, as the SDK gives them', () => {
    const denied = new ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403, requestId: 'R1' },
      message: 'User is not authorized to perform: s3:ListBucket',
    });
    expect(failureOf(denied)).toEqual({
      kind: 'AWS_FAILED',
      text: 'AWS answered AccessDenied (HTTP 403): User is not authorized to perform: s3:ListBucket',
      exitCode: 1,
      data: { name: 'AccessDenied', httpStatusCode: 403, requestId: 'R1', fault: 'client' },
    });
  });

  it('names the ways to give credentials where the SDK’s chain found none', () => {
    // What the default chain's last provider throws (@smithy/property-provider's chain, on an empty environment).
    const none = new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false });
    const failure = failureOf(none);
    expect(failure).toMatchObject({ kind: 'NO_CREDENTIALS', exitCode: 1, text: NO_CREDENTIALS_TEXT });
    for (const way of ['AWS_PROFILE', 'aws sso login', 'AWS_ACCESS_KEY_ID']) expect(failure.text).toContain(way);
  });

  it('tells the command line and a choice to make (2) from a failure of the world (1)', () => {
    expect(failureOf(new UsageError('roll: name the stack (rke-ha).'))).toMatchObject({ kind: 'USAGE', exitCode: 2 });
    expect(failureOf(new ChoiceNeeded('--deployment a: no such deployment\nNothing was changed.'))).toEqual({
      kind: 'CHOICE_NEEDED',
      text: '--deployment a: no such deployment Nothing was changed.',
      exitCode: 2,
    });
    expect(failureOf(new ModuleMissing('no module', '/m'))).toEqual({ kind: 'NO_MODULE', text: 'no module', exitCode: 1, data: { folder: '/m' } });
    expect(failureOf(new ToolMissing('curl'))).toMatchObject({ kind: 'TOOL_MISSING', exitCode: 1, data: { tool: 'curl' } });
    const pull = new CommandFailed('terraform state pull', { code: 1, stdout: '', stderr: 'Error: Failed to load state\n', timedOut: false });
    expect(failureOf(pull)).toMatchObject({
      kind: 'TERRAFORM_FAILED',
      exitCode: 1,
      data: { command: 'terraform state pull', commandExitCode: 1, timedOut: false },
    });
    expect(failureOf(new CommandFailed('curl', { code: null, stdout: '', stderr: '', timedOut: true }))).toMatchObject({ kind: 'COMMAND_FAILED' });
    expect(failureOf(new NotInitialized('/m was never initialized', '/m'))).toEqual({
      kind: 'NOT_INITIALIZED',
      text: '/m was never initialized',
      exitCode: 1,
      data: { folder: '/m' },
    });
    expect(failureOf(new TerraformFailed('terraform state pull failed in /m: 403', 'terraform state pull', 1))).toMatchObject({
      kind: 'TERRAFORM_FAILED',
      data: { command: 'terraform state pull', commandExitCode: 1 },
    });
    expect(failureOf(new Error('a\n  b'))).toEqual({ kind: 'FAILED', text: 'a b', exitCode: 1 });
  });

  it('keeps what the Kubernetes layer knows of a failure', () => {
    const refused = new KubeRefused('lease read', { code: 403, reason: 'Forbidden', message: 'no' });
    expect(failureOf(refused)).toMatchObject({ kind: 'KUBERNETES_REFUSED', data: { what: 'lease read', httpStatusCode: 403 } });
    expect(failureOf(new KubeUnreachable('nodes', 'https://k:6443', 'ECONNREFUSED'))).toMatchObject({ kind: 'KUBERNETES_UNREACHABLE' });
    expect(failureOf(new KubeUnanswered('lease write', 'https://k:6443', true, 'timeout'))).toMatchObject({
      kind: 'KUBERNETES_UNANSWERED',
      data: { mayHaveApplied: true },
    });
  });

  it('codes a failure under its command, or CLI before one is named', () => {
    expect(failureCode('roll', { kind: 'NO_CREDENTIALS', text: '', exitCode: 1 })).toBe('ROLL_NO_CREDENTIALS');
    expect(failureCode(undefined, { kind: 'USAGE', text: '', exitCode: 2 })).toBe('CLI_USAGE');
  });
});
