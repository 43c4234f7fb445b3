import { UnrecoverableError } from 'bullmq';

/** BullMQ's UnrecoverableError (the job fails without retries), with the `cause` its constructor does not take. */
export function unrecoverable(message: string, cause: unknown): UnrecoverableError {
  return Object.assign(new UnrecoverableError(message), { cause });
}
