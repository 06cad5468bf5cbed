/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In dev mode the controller is reached through Vite's proxy, so the app talks to its own origin exactly as it
// does when the controller serves the built files. AETHER_CONTROLLER_URL points the proxy elsewhere.
const controller = process.env.AETHER_CONTROLLER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/graphql': { target: controller, changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-dom/client', 'scheduler', 'react-router-dom'],
          charts: ['recharts'],
          data: ['@tanstack/react-query', '@tanstack/react-table', '@tanstack/react-virtual', 'graphql', 'graphql-ws'],
        },
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
});
