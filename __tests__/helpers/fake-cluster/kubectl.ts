import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Where the tools tier finds Debian's kubectl (package kubernetes-client, 1.20): DEBIAN_KUBECTL if set, else the
 * copy .ci/run extracts into the checkout (.tools/kubernetes-client/usr/bin/kubectl), else /opt/debian-kubectl/kubectl
 * (the development machines). Never PATH: there, Google's kubectl package owns /usr/bin/kubectl.
 */
export const DEBIAN_KUBECTL_PLACES = [join(ROOT, '.tools/kubernetes-client/usr/bin/kubectl'), '/opt/debian-kubectl/kubectl'];

export function debianKubectl(): string {
  const found = process.env.DEBIAN_KUBECTL || DEBIAN_KUBECTL_PLACES.find((p) => existsSync(p));
  if (!found || !existsSync(found))
    throw new Error(
      `Debian's kubectl is missing (looked at ${[process.env.DEBIAN_KUBECTL, ...DEBIAN_KUBECTL_PLACES].filter(Boolean).join(', ')}): run .ci/run, which extracts it`,
    );
  return found;
}
