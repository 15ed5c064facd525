// Vitest setup file: when a scenario test fails, print what the services said last, which usually tells why
// (a NACK, a refused resource, a process that exited).
import { beforeEach } from 'vitest';
import { runningScenarios } from './scenario.ts';

const LINES = 150;

beforeEach(({ onTestFailed, task }) => {
  onTestFailed(() => {
    for (const scenario of runningScenarios()) {
      const tail = scenario.logs.slice(-LINES);
      console.error(
        `--- "${task.name}" failed; the last ${tail.length} lines the services printed:\n${tail.join('\n')}`,
      );
    }
  });
});
