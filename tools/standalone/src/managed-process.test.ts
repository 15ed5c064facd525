import { describe, expect, it } from 'vitest';
import { ManagedProcess } from './managed-process.ts';

describe('ManagedProcess', () => {
  it('says what a process printed last when it exits before it is ready', async () => {
    const process_ = new ManagedProcess(
      {
        name: 'broken',
        command: process.execPath,
        args: ['-e', "console.error('starting'); console.error('listen EADDRINUSE: 127.0.0.1:18000'); process.exit(1)"],
        readyUrl: 'http://127.0.0.1:9/readyz',
      },
      () => undefined,
    );
    await expect(process_.start(10_000)).rejects.toThrow(
      'broken exited before it was ready; its last lines:\nstarting\nlisten EADDRINUSE: 127.0.0.1:18000',
    );
  });
});
