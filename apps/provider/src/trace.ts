import { randomBytes } from 'node:crypto';
import type { TraceContext } from '@eg/bus';

/** A new W3C trace context for a change that starts here (a file write or a watch event). */
export function newTraceContext(): TraceContext {
  return { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` };
}
