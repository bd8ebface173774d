// ESLint (flat config): the recommended JavaScript and TypeScript rules, without type information (a type-aware
// run would repeat the type-check `tsc --noEmit` already makes). Formatting is prettier's (.prettierrc.json).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdktf.out/',
      'coverage/',
      'reports/',
      '.stryker-tmp/',
      'examples/**/node_modules/',
      'examples/**/dist/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      // The settings loader and the HCL writer match control characters on purpose (to refuse or escape them).
      'no-control-regex': 'off',
      // Unused names are tsc's to report (noUnusedLocals, noUnusedParameters); a leading underscore marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests walk synthesized Terraform JSON, which has no type: `any` is its honest type there.
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The test harness's own JavaScript (jest setup files, the stubs) runs under jest or node.
    files: ['__tests__/**/*.js'],
    languageOptions: { globals: { jest: 'readonly', expect: 'readonly' } },
  },
  {
    // The scripts and jest configs are CommonJS run by node.
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
