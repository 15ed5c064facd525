import type { Condition, ConditionStatus } from '@eg/ir';

/** A condition without a lastTransitionTime: the status writer adds the clock. */
export function condition(
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  observedGeneration: number,
): Condition {
  return { type, status, reason, message, observedGeneration };
}

/** Envoy Gateway's wording of status messages: a capital first letter and a closing period. */
export function sentence(message: string): string {
  const capital = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Status problems gathered for one condition type: messages one per line, reasons sorted and comma-joined. */
export interface Problem {
  readonly reason: string;
  readonly message: string;
}

export function joinProblems(problems: readonly Problem[]): Problem {
  return {
    reason: [...new Set(problems.map((p) => p.reason))].sort().join(','),
    message: problems.map((p) => sentence(p.message)).join('\n'),
  };
}
