import { defineConfig } from 'vitest/config';

// `npm run dev` serves the app with hot reload and hands API calls to a running backend
// (scripts/dev.sh or `cargo run -p dhana -- serve`), so cookies stay same-origin.
const backend = process.env.DHANA_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  server: {
    proxy: {
      '/api': backend,
      '/docs': backend,
    },
  },
  build: {
    target: 'es2022',
    // Chart.js alone is ~200 kB; one bundle is fine for a LAN app, the warning is noise.
    chunkSizeWarningLimit: 600,
  },
  test: {
    include: ['tests/**/*.test.ts'],
  },
});
