import { watch } from 'node:fs';

/**
 * Calls `onChange` after a burst of file events in `dir` settles. Editors write files in several steps
 * (truncate, write, rename), so reacting to each event would publish half-written states.
 */
export function watchFolder(dir: string, onChange: () => void, settleMs = 30): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { persistent: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
