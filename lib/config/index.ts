// The error the constructs throw for props a settings file would refuse, and the versions they pin.
export { SettingsError, type SettingsProblem } from './errors';
export { DEFAULT_VERSIONS } from './versions';
// The settings types the constructs' props use (zod-free: sections.ts holds the schemas' output types).
export {
  TLS_MODES,
  TLS_ISSUERS,
  DOCKER_TLS_MODES,
  DOCKER_TLS_ISSUERS,
  type TlsMode,
  type TlsIssuer,
  type TlsSettings,
  type DockerTlsMode,
  type DockerTlsIssuer,
  type DockerTlsSettings,
  type AuditLogSettings,
  type BackupsSettings,
} from './sections';
