import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start a real nats-server and restart it.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
