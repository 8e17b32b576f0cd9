import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,services,test,infra}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**', '.tools/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/support/global-setup.ts'],
  },
});
