/**
 * A logger for the commands a person runs to look at things (`ferry erp read | check |
 * describe`): the adapters log as they do in a sync (pino, secrets redacted), but each line
 * reaches the terminal as `warning: <message>` instead of a JSON object. Warnings and errors
 * only, unless FERRY_LOG_LEVEL asks for more.
 */
import { createLogger, type Logger } from '../logging.js';

const LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** Turns one pino JSON line into `label: message`. */
export function humanLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string };
    return `${LABELS[entry.level ?? 30] ?? 'log'}: ${entry.msg ?? line.trim()}\n`;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
}

export function createHumanLogger(out: { write(text: string): unknown } = process.stderr): Logger {
  return createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' }, { write: (line: string) => void out.write(humanLine(line)) });
}
