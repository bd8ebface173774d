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
  BackupsSettings,
  ServerOperatingSystem,
  RegistryCredentialsSettings,
} from './sections';
export type { Architecture } from './instance-types';
