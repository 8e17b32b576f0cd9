import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['{packages,services,test,infra,bench}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '.data/**', '.tools/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', new SummaryReporter()],
    globalSetup: ['./test/support/global-setup.ts'],
  },
});
