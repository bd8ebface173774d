// Jest transform for the shell scripts lib/ imports as text (lib/shell-scripts.d.ts):
// the module's default export is the file's text, as esbuild's text loader makes it.
// The file is read again: jest strips a leading #! line from the source it hands over.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

module.exports = {
  process(_sourceText, sourcePath) {
    const text = readFileSync(sourcePath, 'utf8');
    return { code: `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = ${JSON.stringify(text)};\n` };
  },
  getCacheKey(_sourceText, sourcePath) {
    return createHash('sha256').update('text-v1').update(sourcePath).update(readFileSync(sourcePath)).digest('hex');
  },
};
