import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('writes one JSON object per line with service, level, message and fields', () => {
    const lines: string[] = [];
    const log = createLogger('translator', 'info', {}, (l) => lines.push(l));
    log.info('translated', { routes: 3 });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', service: 'translator', msg: 'translated', routes: 3 });
    expect(typeof record['ts']).toBe('string');
  });

  it('drops records below the configured level', () => {
    const lines: string[] = [];
    const log = createLogger('x', 'warn', {}, (l) => lines.push(l));
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('logs errors with name, message and cause, and children add their fields', () => {
    const lines: string[] = [];
    const log = createLogger('x', 'info', {}, (l) => lines.push(l)).child({ key: 'default/eg' });
    log.error('failed', { err: new TypeError('bad', { cause: 'root' }) });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      key: 'default/eg',
      err: { name: 'TypeError', message: 'bad', cause: 'root' },
    });
  });
});
