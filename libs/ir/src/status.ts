/** Status entries the translator publishes and the provider writes back (or shows in standalone mode). */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
}

export interface ResourceStatus {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  /** The `.status` object, shaped as the resource's schema defines it. */
  readonly status: unknown;
}
