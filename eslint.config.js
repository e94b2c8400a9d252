// Type-aware lint: the async rules (no-floating-promises, no-misused-promises) are the ones that
// catch real bugs in a reconciler, and they need the type checker.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.venv/**', '.cache/**', 'rig/go/**', 'dist/**', 'charts/**', 'config/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // node:test's test()/describe() return promises the runner awaits itself.
    files: ['**/*.test.ts', 'bench/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      // assert.* narrows types, so a later `x?.y` in a test reads as "unnecessary"; it is not worth the noise.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
