/**
 * Builds the Console (the single-page app `ferry serve` serves) from web/ into dist/web.
 * Its own config so the root vitest config (test/**) never picks up anything from web/.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev:web` next to a running `ferry serve --port 8080`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
