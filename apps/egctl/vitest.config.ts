import { defineConfig } from 'vitest/config';

// Tests spawn egctl processes (about a second each on a busy 2-core machine) and a real Envoy.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
