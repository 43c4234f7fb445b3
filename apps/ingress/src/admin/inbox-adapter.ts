import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';

type AdapterOptions = ConstructorParameters<typeof BullMQAdapter>[1];
type JobCounts = Awaited<ReturnType<BullMQAdapter['getJobCounts']>>;

/** Reads how many entries the inbox and its rejected stream hold (see inboxLengths). */
export type ReadInbox = () => Promise<{ inbox: number; rejected: number }>;

/**
 * The queue as bull-board shows it, with the inbox in front of it counted.
 *
 * A callback the ingress acknowledged in inbox mode waits in the inbox stream
 * until a worker's mover makes it a job, so with no worker running the queue
 * itself reads empty although work is waiting. bull-board reads a queue's
 * counts from `getJobCounts()` (the queue list, the overview's totals and the
 * status tabs) and its description from `getDescription()` right after, in
 * the same request: the inbox's entries are added to `waiting`, and the
 * description says how many of those are still in the inbox (and how many
 * the rejected stream keeps), since the dashboard cannot list them as jobs.
 * When the inbox cannot be read the queue's own counts are shown.
 */
export class InboxQueueAdapter extends BullMQAdapter {
  private last: { inbox: number; rejected: number } | undefined;

  constructor(
    queue: ConstructorParameters<typeof BullMQAdapter>[0],
    private readonly readInbox: ReadInbox,
    options: AdapterOptions = {},
  ) {
    super(queue, options);
  }

  override async getJobCounts(): Promise<JobCounts> {
    const [counts, lengths] = await Promise.all([super.getJobCounts(), this.readInbox().catch(() => undefined)]);
    this.last = lengths;
    if (!lengths?.inbox) return counts;
    return { ...counts, waiting: (counts.waiting ?? 0) + lengths.inbox };
  }

  override getDescription(): string {
    const base = super.getDescription();
    const notes = inboxNotes(this.last);
    return notes ? (base ? `${base} · ${notes}` : notes) : base;
  }
}

/** "3 in the inbox (counted as waiting, not moved into the queue by a worker yet) · 1 rejected", or "" when both are empty. */
export function inboxNotes(lengths: { inbox: number; rejected: number } | undefined): string {
  if (!lengths) return '';
  const notes: string[] = [];
  if (lengths.inbox > 0) {
    notes.push(`${lengths.inbox} in the inbox (counted as waiting, not moved into the queue by a worker yet)`);
  }
  if (lengths.rejected > 0) notes.push(`${lengths.rejected} rejected (see jobs inbox)`);
  return notes.join(' · ');
}
