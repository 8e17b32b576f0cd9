import { type JobEvent, jobEventSchema } from '@imagegate/contracts';
import { jobCancelChannel, jobEventsChannel, jobProgressChannel } from './queue-names.ts';
import type { Redis } from './redis-connection.ts';

export async function publishJobEvent(redis: Redis, prefix: string, event: JobEvent): Promise<void> {
  await redis.publish(jobEventsChannel(prefix), JSON.stringify(event));
}

export async function publishCancelRequest(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.publish(jobCancelChannel(prefix), jobId);
}

/**
 * Subscribes a dedicated connection (a subscribed Redis connection can do nothing else) to job
 * events and cancel requests. One subscription per process, not one per waiting request.
 */
export async function subscribeJobChannels(
  subscriber: Redis,
  prefix: string,
  handlers: {
    onJobEvent?: (event: JobEvent) => void;
    onCancelRequest?: (jobId: string) => void;
    /** A job's progress stream has new events (read them with `readJobProgress`). */
    onJobProgress?: (jobId: string) => void;
  },
): Promise<void> {
  const eventsChannel = jobEventsChannel(prefix);
  const cancelChannel = jobCancelChannel(prefix);
  const progressChannel = jobProgressChannel(prefix);
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === eventsChannel && handlers.onJobEvent) {
      const parsed = jobEventSchema.safeParse(safeJson(message));
      if (parsed.success) handlers.onJobEvent(parsed.data);
    } else if (channel === cancelChannel && handlers.onCancelRequest) {
      handlers.onCancelRequest(message);
    } else if (channel === progressChannel && handlers.onJobProgress) {
      handlers.onJobProgress(message);
    }
  });
  const channels = [
    handlers.onJobEvent ? eventsChannel : undefined,
    handlers.onCancelRequest ? cancelChannel : undefined,
    handlers.onJobProgress ? progressChannel : undefined,
  ];
  await subscriber.subscribe(...channels.filter((channel): channel is string => channel !== undefined));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
