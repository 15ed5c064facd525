import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Longer than the 30 s a test waits for a change to reach Envoy, so a miss reports what it last saw.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    setupFiles: ['./src/logs-on-failure.ts'],
  },
});
