// The error the constructs throw for props a settings file would refuse, and the versions they pin.
export { SettingsError, type SettingsProblem } from './errors';
export { DEFAULT_VERSIONS } from './versions';
// The settings types the constructs' props use (zod-free: sections.ts holds the schemas' output types).
export type {
  TlsMode,
  TlsIssuer,
  TlsSettings,
  DockerTlsMode,
  DockerTlsIssuer,
  DockerTlsSettings,
  AuditLogSettings,
  ServerOperatingSystem,
  RegistryCredentialsSettings,
} from './sections';
export type { Architecture } from './instance-types';
// The settings file's `backups` section, which no construct takes any more (RancherBackups has props of its own):
// still exported for code that typed the section with it.
export type { BackupsSettings } from './sections';
