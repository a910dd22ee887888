import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The console is a plain Svelte 5 + Vite SPA (no SvelteKit). `vite build --config console/vite.config.ts`
// from the repository root writes console/dist, which the API serves at `/` with SPA deep links.
const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.GUARDIAN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev:console` against a running service (`npm start`/`npm run demo`).
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: false },
      '/mqtt': { target: backend, ws: true },
      '/healthz': { target: backend },
    },
  },
});
