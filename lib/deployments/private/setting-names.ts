import { EXISTING_NETWORK_PROP_NAMES } from './existing-network-props';

/**
 * How a construct's synth-time messages name a setting of its own section. A library user wrote the props flat
 * (`nodeCount`, `existingNetwork.nodeSubnets`); a settings file nests them under its section (`rkeHa.nodeCount`,
 * `rkeHa.existingNetwork.nodeSubnetIds`), and the app marks the props it maps from one (fromSettingsFile), so the
 * messages a settings-file user reads keep naming the file's settings. Plan-time messages and the deployment guard's
 * records in the synthesized Terraform keep the settings file's names for both: a record's name is in the state.
 */

/** The section of a construct's own props in a settings file. */
export type SectionName = 'rkeHa' | 'k8sHa' | 'docker';

const FROM_SETTINGS_FILE = new WeakSet<object>();

/** Marks props mapped from a settings file (the app's stacks): their messages name the file's settings. */
export function fromSettingsFile<P extends object>(props: P): P {
  FROM_SETTINGS_FILE.add(props);
  return props;
}

/** Whether the props came from a settings file (fromSettingsFile). */
export function isFromSettingsFile(props: object): boolean {
  return FROM_SETTINGS_FILE.has(props);
}

/** A section's setting as its props name it, where the prop's name differs from the settings file's (`existingNetwork`'s ids). */
export const PROP_NAMES: Readonly<Record<SectionName, readonly (readonly [string, string])[]>> = {
  rkeHa: EXISTING_NETWORK_PROP_NAMES('rkeHa'),
  k8sHa: [],
  docker: EXISTING_NETWORK_PROP_NAMES('docker'),
};

/** Names a setting of the section, given by its path inside the section (`architecture`), as the props' user wrote it. */
export type SettingNamer = (path: string) => string;

export function settingNamer(section: SectionName, fileNames: boolean): SettingNamer {
  return fileNames ? (path) => `${section}.${path}` : (path) => propsText(path, section);
}

/**
 * A message as a library user reads it: the section's settings named as the props name them (`rkeHa.nodeCount` →
 * `nodeCount`). Only the construct's own section is renamed; the shared settings (`rancher.tls`) are spelled alike.
 */
export function propsText(text: string, section: SectionName): string {
  let out = text.replace(new RegExp(`\\b${section}\\.(?=[A-Za-z])`, 'g'), '');
  for (const [file, prop] of PROP_NAMES[section]) out = out.replace(new RegExp(`\\b${file.replace(/\./g, '\\.')}\\b`, 'g'), prop);
  return out;
}
