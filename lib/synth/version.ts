/** This project's version: package.json's and CHANGELOG.md's newest (a test keeps the three in step); the synth prints it. */
export const VERSION = '0.5.0';
