import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Whether a Docker engine answers. Only then are testcontainers used; on machines without one
 * (CI here) the tests use the local services instead.
 */
export async function dockerEngineAvailable(): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  const socketPath = host?.startsWith('unix://')
    ? host.slice('unix://'.length)
    : host
      ? undefined
      : '/var/run/docker.sock';
  if (socketPath === undefined) return host !== undefined; // tcp:// engines: let testcontainers try
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.write('GET /_ping HTTP/1.0\r\n\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().includes(' 200 '));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface StartedContainer {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgresContainer(): Promise<StartedContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:17-alpine')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres', POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    url: `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
    stop: async () => {
      await container.stop();
    },
  };
}

export async function startRedisContainer(): Promise<StartedContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    stop: async () => {
      await container.stop();
    },
  };
}
