import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard's server (server/server.ts) serves dist/ and forwards /api to the services; `vite` (dev) proxies /api to
// a running dashboard server on :8080.
export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
