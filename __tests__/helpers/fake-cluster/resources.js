// The resource registry of the fake Kubernetes API server (api-server.js): what discovery lists (so the real kubectl
// maps kinds and short names to paths) and how each resource is stored. Only what the project's scripts and CLI
// touch; each entry as the Kubernetes API of the pinned versions (1.35) serves it.
//
// unconditionalUpdate: whether a PUT without metadata.resourceVersion is accepted. The apiserver's generic registry
// asks the resource's strategy (AllowUnconditionalUpdate); kubernetes' pkg/registry/coordination/lease/strategy.go
// answers false for Leases, so every Lease write but a create must name the version it read; Nodes, Secrets,
// ConfigMaps, Pods, Jobs and webhook configurations answer true.
'use strict';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** @type {{group: string, version: string, kind: string, plural: string, singular: string, namespaced: boolean, shortNames?: string[], unconditionalUpdate: boolean, builtIn: boolean}[]} */
const RESOURCES = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, shortNames: ['ev'] },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, unconditionalUpdate: false },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    singular: 'validatingwebhookconfiguration',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    namespaced: false,
  },
  // system-upgrade-controller's CRD (rancher/system-upgrade-controller v0.20.1, pkg/apis/upgrade.cattle.io/v1).
  { group: 'upgrade.cattle.io', version: 'v1', kind: 'Plan', plural: 'plans', singular: 'plan', namespaced: true, builtIn: false },
].map((r) => ({ unconditionalUpdate: true, builtIn: true, shortNames: [], ...r }));

const groupVersion = (r) => (r.group ? `${r.group}/${r.version}` : r.version);
/** The name the apiserver's messages use: plural.group ("leases.coordination.k8s.io"), the plural alone in the core group. */
const qualified = (r) => (r.group ? `${r.plural}.${r.group}` : r.plural);

/** GET /api */
function coreVersions(host) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

/** GET /apis: one group per distinct group, its one version preferred. */
function groupList() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].map((name) => {
    const version = RESOURCES.find((r) => r.group === name).version;
    const gv = { groupVersion: `${name}/${version}`, version };
    return { name, versions: [gv], preferredVersion: gv };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /api/v1, /apis/<group>/<version>: the resources of one group version, or undefined. */
function resourceList(gv) {
  const resources = RESOURCES.filter((r) => groupVersion(r) === gv);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.flatMap((r) => [
      { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS, shortNames: r.shortNames },
      ...(['Node', 'Pod', 'Job', 'Plan'].includes(r.kind)
        ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }]
        : []),
    ]),
  };
}

/** The resource a path's group, version and plural name, or undefined. */
function lookup(group, version, plural) {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The resource of an object by its apiVersion and kind (the test's own writes). */
function byKind(apiVersion, kind) {
  return RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

module.exports = { RESOURCES, groupVersion, qualified, coreVersions, groupList, resourceList, lookup, byKind };
