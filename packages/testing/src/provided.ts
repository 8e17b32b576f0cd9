import { inject } from 'vitest';

/** What the test run's global setup found or started, handed to every test file. */
export interface TestServices {
  /** A Postgres URL with rights to create databases (the maintenance database). */
  postgresAdminUrl: string;
  /** The database with every migration applied, cloned per test file. */
  templateDatabase: string;
  redisUrl: string;
  s3: {
    endpoint?: string | undefined;
    region: string;
    accessKeyId?: string | undefined;
    secretAccessKey?: string | undefined;
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    testServices: TestServices;
  }
}

export function testServices(): TestServices {
  return inject('testServices');
}
