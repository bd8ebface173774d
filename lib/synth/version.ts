/** This project's version, as in package.json (printed by the synth). */
export const VERSION = '0.1.0';
