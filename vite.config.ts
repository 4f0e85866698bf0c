// Build, dev server and unit tests. The dev and preview servers proxy the
// Orthanc REST API under /proxy/orthanc so the page reaches it from its own
// origin: Orthanc sends no CORS headers and answers a preflight with 401.
import react from '@vitejs/plugin-react';
import { compression } from 'vite-plugin-compression2';
import { defineConfig } from 'vitest/config';
import type { ProxyOptions } from 'vite';

const orthancPrefix = '/proxy/orthanc';
const orthancUrl = process.env.ORTHANC_URL ?? 'http://localhost:8042';

/**
 * Forwards /proxy/orthanc/* to Orthanc. `WWW-Authenticate` is dropped from
 * the answers: with it, a 401 makes the browser open its own login dialog
 * instead of letting the page report the rejected credentials.
 */
const orthancProxy: ProxyOptions = {
  target: orthancUrl,
  changeOrigin: true,
  rewrite: (path) => path.slice(orthancPrefix.length) || '/',
  configure: (proxy) => {
    proxy.on('proxyRes', (response) => {
      delete response.headers['www-authenticate'];
    });
  },
};

export default defineConfig({
  plugins: [
    react(),
    // Gzipped copies next to the files, served by the production server
    // to browsers that accept them: DuckDB's WebAssembly shrinks from
    // 34 MB to under 8 MB on the wire. Brotli's best levels would take
    // minutes on the wasm at every build.
    compression({
      algorithms: ['gzip'],
      include: /\.(html|css|js|mjs|json|svg|wasm)$/,
      threshold: 1024,
      logLevel: 'silent',
    }),
  ],
  server: { proxy: { [orthancPrefix]: orthancProxy } },
  preview: { proxy: { [orthancPrefix]: orthancProxy } },
  // DuckDB-WASM loads its own wasm and worker files by URL; pre-bundling
  // would move its module away from them.
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  worker: { format: 'es' },
  // The page's chunk holds DuckDB-WASM's JavaScript API and Arrow, which
  // the warehouse needs as soon as the page opens; splitting them off
  // would add a request, not save one.
  build: { chunkSizeWarningLimit: 700 },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
