/**
 * How a message names a setting, for whoever reads it. The rules over a construct's props (lib/config/*-rules.ts)
 * are read by two kinds of user: a construct's (RancherOnRke's props are flat: `amiId`,
 * `existingNetwork.nodeSubnets`) and a settings file's (every setting under its section: `rkeHa.amiId`,
 * `rkeHa.existingNetwork.nodeSubnetIds`; app/config/settings-rules.ts). Each rule is given its reader's name of a
 * prop, so a message is written in its reader's words from the start, and a problem's path is mapped by its
 * segments (propsPath), never by rewriting text.
 */

/** The sections of a settings file, one per deployment: each construct's own props. */
export type SectionName = 'rkeHa' | 'k8sHa' | 'docker';

/**
 * The props whose names differ from the settings file's: an existing network is objects in the props (an
 * ExistingVpc, ExistingSubnets), ids in the file.
 */
const PROP_NAMES: Readonly<Record<SectionName, Readonly<Record<string, string>>>> = {
  rkeHa: {
    'existingNetwork.vpcId': 'existingNetwork.vpc',
    'existingNetwork.loadBalancerSubnetIds': 'existingNetwork.loadBalancerSubnets',
    'existingNetwork.nodeSubnetIds': 'existingNetwork.nodeSubnets',
    'existingNetwork.datastoreSubnetIds': 'existingNetwork.datastoreSubnets',
  },
  k8sHa: {},
  docker: {
    'existingNetwork.vpcId': 'existingNetwork.vpc',
    'existingNetwork.subnetId': 'existingNetwork.subnet',
  },
};

/** `path` with the first name of each pair of the section's table that leads it (whole: `x`, `x.y`, `x[1]`) as the second. */
function renamed(section: SectionName, path: string, pairs: (file: string, prop: string) => readonly [string, string]): string {
  for (const [file, prop] of Object.entries(PROP_NAMES[section])) {
    const [from, to] = pairs(file, prop);
    if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) return to + path.slice(from.length);
  }
  return path;
}

/**
 * A path inside a construct's section as the props name it: `existingNetwork.nodeSubnetIds[1]` (the file's form, in
 * which an existing network is checked) is `existingNetwork.nodeSubnets[1]`.
 */
export function propsPath(path: string, own: SectionName): string {
  return renamed(own, path, (file, prop) => [file, prop]);
}

/** A prop's path inside its construct's section (`existingNetwork.nodeSubnets`) as the settings file names it (`existingNetwork.nodeSubnetIds`). */
export function filePathOfProp(section: SectionName, path: string): string {
  return renamed(section, path, (file, prop) => [prop, file]);
}
