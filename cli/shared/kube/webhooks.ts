import type { KubeClient } from './client';
import { kubeFailure } from './errors';

/** An admission webhook configuration: its kind, name, and the webhooks it registers with their failure policy. */
export interface WebhookConfiguration {
  readonly kind: 'validating' | 'mutating';
  readonly name: string;
  readonly webhooks: readonly { readonly name: string; readonly failurePolicy: string }[];
}

/**
 * Every validating and mutating webhook configuration in the cluster (the drill's check that production's are gone
 * from a restored cluster). `failurePolicy` unset is the API's default, Fail.
 */
export async function listWebhookConfigurations(client: KubeClient): Promise<WebhookConfiguration[]> {
  try {
    const [validating, mutating] = await Promise.all([
      client.admission.listValidatingWebhookConfiguration(),
      client.admission.listMutatingWebhookConfiguration(),
    ]);
    const hooks = (list: readonly { name: string; failurePolicy?: string }[] | undefined) =>
      (list ?? []).map((w) => ({ name: w.name, failurePolicy: w.failurePolicy ?? 'Fail' }));
    return [
      ...validating.items.map((c) => ({ kind: 'validating' as const, name: c.metadata?.name ?? '', webhooks: hooks(c.webhooks) })),
      ...mutating.items.map((c) => ({ kind: 'mutating' as const, name: c.metadata?.name ?? '', webhooks: hooks(c.webhooks) })),
    ];
  } catch (error) {
    throw kubeFailure(error, 'Listing the admission webhook configurations', client.server, false);
  }
}
