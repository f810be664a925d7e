import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// One config for the dashboard build (web/ -> dist/web) and for vitest.
export default defineConfig(({ command }) => ({
  root: 'web',
  publicDir: false,
  resolve: {
    // Vite picks packages' "development" exports (Lit's dev mode, with its console warning and
    // extra checks) whenever NODE_ENV is not "production", and vitest sets it to "test" for the
    // builds the browser tests make: a build is a production build whoever runs it.
    conditions:
      command === 'build'
        ? defaultClientConditions.map((c) => (c === 'development|production' ? 'production' : c))
        : [...defaultClientConditions],
  },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/api': 'http://127.0.0.1:8080',
    },
  },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
}));
