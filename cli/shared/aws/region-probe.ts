import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients';

/**
 * Whether a region's EC2 answers (the failback's gate: production is applied there next). One describe of at most
 * five instances, whatever they are: any answer is a region that answers, a refusal included; a server error after
 * the SDK's retries (5xx), or a connection refused or timed out, is its message. No credentials is no answer of the
 * region's: the SDK's chain found none before any request was sent (CredentialsProviderError, thrown by
 * @smithy/property-provider's chain and by fromIni/fromSso for a profile it cannot use), so it is thrown on, for the
 * command to name the ways to give them (io/failure.ts), never reported as a region down.
 */
export async function regionAnswers(clients: AwsClients): Promise<{ readonly answers: true } | { readonly answers: false; readonly error: string }> {
  try {
    await clients.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    return { answers: true };
  } catch (error) {
    if ((error as Error).name === 'CredentialsProviderError') throw error;
    // A refusal (AccessDenied, a throttle's last answer is a 4xx too) is EC2 answering: the region is there.
    if ((error as { $fault?: string }).$fault === 'client') return { answers: true };
    return { answers: false, error: (error as Error).message || (error as Error).name };
  }
}
