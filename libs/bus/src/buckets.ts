import { setTimeout as sleep } from 'node:timers/promises';
import { BusError } from './errors.ts';

const ATTEMPTS = 5;

/**
 * Runs a create-or-open call until it succeeds. Several processes may create the same bucket at once:
 * the client's "look up, else add" loses the race with an error, and the next attempt finds the bucket.
 */
export async function createIdempotently<T>(create: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await create();
    } catch (err) {
      lastError = err;
      await sleep(20 * 2 ** attempt);
    }
  }
  throw new BusError('cannot create or open bucket', { cause: lastError });
}
