import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// The `console` project: component and store tests in jsdom. Listed in the root vitest.config.ts
// `projects`; runs alone with `npx vitest run --config console/vitest.config.ts`.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [svelte({ configFile: false }), svelteTesting()],
  test: {
    name: 'console',
    root,
    include: ['src/**/*.test.ts'],
    environment: 'jsdom',
    // Same group as the root `unit` project: fast, no services.
    sequence: { groupOrder: 0 },
  },
});
