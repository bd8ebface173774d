#!/usr/bin/env node
// Parses every Mermaid block of the Markdown files named on the command line with mermaid's own parser (the library
// GitHub renders these blocks with), and prints one line per block: `ok <file>:<line> <diagram type>` or
// `error <file>:<line> <the parser's first line>`. Exits 1 if any block does not parse, 2 on a bad invocation.
// The names a diagram shows are held to the code by __tests__/docs/diagrams.test.ts; this checks that it renders.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

// mermaid sanitizes every label with DOMPurify, which needs a DOM: in a browser the page's, here jsdom's. DOMPurify
// looks for `window` when it is first loaded, so the DOM is in place before mermaid is imported.
const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-diagrams.mjs FILE.md ...');
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const block of text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, block.index).split('\n').length;
    try {
      const { diagramType } = await mermaid.parse(block[1]);
      console.log(`ok ${file}:${line} ${diagramType}`);
    } catch (error) {
      failed++;
      console.log(`error ${file}:${line} ${String(error?.message ?? error).split('\n')[0]}`);
    }
  }
}
process.exit(failed ? 1 : 0);
