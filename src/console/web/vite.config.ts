// Builds the console's frontend into dist/console (served by src/console/server.ts). Preact's JSX
// through Vite's own transform: no framework plugin needed.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: '../../../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
