import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start a real Envoy per file.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
