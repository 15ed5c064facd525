/**
 * Picks out of the log of `nx run-many --outputStyle=stream` what someone who sees only the log's
 * tail needs: which tasks failed, and each failed project's own failure report.
 */

// Colour codes, which nx and vitest print even into a pipe when told to.
const ansi = new RegExp(String.raw`\x1b\[[0-9;]*[A-Za-z]`, 'g');

/** How many lines of one project's report are kept, so one noisy project cannot hide the others. */
const linesPerProject = 120;

export function failureSummary(log: string): string {
  const lines = log.replace(ansi, '').split(/\r?\n/);
  const failedTasks = failedTaskNames(lines);
  if (failedTasks.length === 0) return '';
  const projects = [...new Set(failedTasks.map((task) => task.slice(0, task.lastIndexOf(':'))))];
  const parts = [`Failed tasks: ${failedTasks.join(', ')}`];
  for (const project of projects) {
    const report = failureReport(projectLines(lines, project));
    parts.push('', `${project}:`, ...report.slice(0, linesPerProject));
    if (report.length > linesPerProject) parts.push(`... ${report.length - linesPerProject} more lines above`);
  }
  return parts.join('\n');
}

/** The `- project:target` lines nx lists under "Failed tasks:". */
function failedTaskNames(lines: readonly string[]): string[] {
  const start = lines.findIndex((line) => line.trim() === 'Failed tasks:');
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const task = /^\s*- (\S+:\S+)\s*$/.exec(line);
    if (task) names.push(task[1]!);
    else if (names.length > 0 && line.trim() !== '') break;
  }
  return names;
}

/** A project's own output, without the `project: ` prefix nx puts on every line it streams. */
function projectLines(lines: readonly string[], project: string): string[] {
  const prefix = `${project}:`;
  return lines
    .filter((line) => line === prefix || line.startsWith(`${prefix} `))
    .map((line) => line.slice(prefix.length + 1));
}

/**
 * Vitest ends a failed run with its "Failed Suites"/"Failed Tests" sections; tsc reports `error TS`
 * lines; anything else is shown by its last lines.
 */
function failureReport(lines: readonly string[]): string[] {
  const vitestStart = lines.findIndex((line) => /⎯ Failed (Suites|Tests) \d+ ⎯/.test(line));
  if (vitestStart >= 0) {
    const end = lines.findIndex((line, index) => index > vitestStart && /^\s*Test Files\s/.test(line));
    return lines.slice(vitestStart, end < 0 ? undefined : end);
  }
  const typeErrors = lines.filter((line) => /error TS\d+:/.test(line));
  if (typeErrors.length > 0) return typeErrors;
  return lines.slice(-40);
}
