import { describe, expect, it } from 'vitest';
import { createHumanLogger, humanLine } from '../../src/cli/human-log.js';

describe('the human-readable CLI logger', () => {
  it('prints warnings and errors as `label: message`, secrets redacted, info hidden by default', () => {
    const lines: string[] = [];
    const logger = createHumanLogger({ write: (t: string) => lines.push(t) });
    logger.info('not shown');
    logger.warn({ password: 'hunter2', stream: 'items' }, 'Tryton items: 3 translations are fuzzy');
    logger.error('the ERP went away');
    expect(lines).toEqual(['warning: Tryton items: 3 translations are fuzzy\n', 'error: the ERP went away\n']);
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(humanLine('plain text')).toBe('plain text\n');
  });
});
