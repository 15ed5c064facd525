import { describe, expect, it } from 'vitest';
import { failureSummary } from './failure-summary.ts';

const red = (text: string) => `\x1b[31m${text}\x1b[39m`;
const streamed = (project: string, lines: string[]) => lines.map((line) => `${red(project + ':')} ${line}`);

const vitestFailure = [
  ' ❯ test/a.test.ts (2 tests | 1 failed) 22ms',
  '     × fails 16ms',
  '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
  '',
  ' FAIL  test/a.test.ts > suite > fails',
  'AssertionError: expected 1 to be 2 // Object.is equality',
  ' ❯ test/a.test.ts:2:57',
  '',
  ' Test Files  1 failed (1)',
  '      Tests  1 failed | 1 passed (2)',
];

const nxFooter = ['', ' NX   Running targets typecheck, test for 3 projects failed', '', 'Failed tasks:', ''];

describe('failureSummary', () => {
  it('says nothing when no task failed', () => {
    const log = [...streamed('@eg/ok', [' Test Files  1 passed (1)']), ' NX   Successfully ran targets'].join('\n');
    expect(failureSummary(log)).toBe('');
  });

  it("repeats each failed project's vitest report and tsc errors, without colours or other projects' output", () => {
    const log = [
      ...streamed('@eg/ok', [' ✓ test/ok.test.ts (1 test)', ' Test Files  1 passed (1)']),
      ...streamed('@eg/scenarios', vitestFailure),
      ...streamed('@eg/types', ['src/a.ts(3,7): error TS2322: Type "1" is not assignable to type "string".']),
      ...nxFooter,
      '- @eg/scenarios:test',
      '- @eg/types:typecheck',
      '',
      '  Run duration: 5m 31s',
    ].join('\n');
    const summary = failureSummary(log);
    expect(summary).toContain('Failed tasks: @eg/scenarios:test, @eg/types:typecheck');
    expect(summary).toContain('@eg/scenarios:\n⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯');
    expect(summary).toContain(' FAIL  test/a.test.ts > suite > fails\nAssertionError: expected 1 to be 2');
    expect(summary).toContain('@eg/types:\nsrc/a.ts(3,7): error TS2322');
    expect(summary).not.toContain('\x1b[');
    expect(summary).not.toContain('test/ok.test.ts');
    expect(summary).not.toContain('Test Files');
  });

  it('shows the last lines of a project that ended without a vitest or tsc report', () => {
    const output = Array.from({ length: 100 }, (_, index) => `line ${index}`);
    const log = [...streamed('@eg/hung', output), ...nxFooter, '- @eg/hung:test'].join('\n');
    const summary = failureSummary(log);
    expect(summary).toContain('line 99');
    expect(summary).toContain('line 60');
    expect(summary).not.toContain('line 59\n');
  });

  it('keeps a long report to its first lines and says how many were left out', () => {
    const failures = Array.from({ length: 300 }, (_, index) => `failure ${index}`);
    const report = ['⎯⎯⎯ Failed Tests 300 ⎯⎯⎯', ...failures, ' Test Files  1 failed (1)'];
    const log = [...streamed('@eg/big', report), ...nxFooter, '- @eg/big:test'].join('\n');
    const summary = failureSummary(log);
    expect(summary).toContain('failure 118');
    expect(summary).not.toContain('failure 119\n');
    expect(summary).toContain('... 181 more lines above');
  });
});
