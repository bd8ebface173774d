// The error the constructs throw for props a settings file would refuse, and the versions they pin.
export { SettingsError, type SettingsProblem } from './errors';
export { DEFAULT_VERSIONS } from './versions';
