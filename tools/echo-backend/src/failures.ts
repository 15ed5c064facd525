import { parseDelayMs } from './echo.ts';

/**
 * Failures on request, to exercise gateway retries: `?uuid=<id>&succeedAfter=<n>` fails the first n requests that
 * carry that id, with `responseCode` when given and otherwise by resetting the connection (TCP RST), each after
 * `delayRetry` (e.g. `300ms`); later ones are answered normally.
 */
export type Failure = ({ readonly type: 'Status'; readonly code: number } | { readonly type: 'Reset' }) & {
  readonly delayMs: number;
};

/** Ids remembered at once; the oldest is forgotten beyond this, so a long-running backend stays small. */
const MAX_IDS = 10_000;

export class FailureSimulation {
  private readonly served = new Map<string, number>();

  /** Counts the request and says how it must fail, or undefined when it is answered normally. */
  next(path: string): Failure | undefined {
    const query = new URL(path, 'http://placeholder').searchParams;
    const id = query.get('uuid');
    const succeedAfter = Number(query.get('succeedAfter'));
    if (id === null || !Number.isInteger(succeedAfter) || succeedAfter <= 0) return undefined;
    const count = (this.served.get(id) ?? 0) + 1;
    this.served.delete(id);
    this.served.set(id, count);
    if (this.served.size > MAX_IDS) this.served.delete(this.served.keys().next().value!);
    if (count > succeedAfter) return undefined;
    const code = Number(query.get('responseCode'));
    const delayMs = parseDelayMs(query.get('delayRetry'));
    return Number.isInteger(code) && code >= 100 && code <= 599
      ? { type: 'Status', code, delayMs }
      : { type: 'Reset', delayMs };
  }
}
