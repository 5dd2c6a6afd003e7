/** `concurrency-diagram report <trace> --html FILE | --chrome-trace FILE`: turns a saved trace into reports. */
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { TraceFormatError, parseTrace, type TraceModel } from '../trace/model';
import { EXIT_INTERNAL, UsageError, type ReportCommand } from './args';
import { writeOutputs } from './outputs';

/** Runs `report`; returns the exit code. */
export function reportCommand(cmd: ReportCommand, log: (line: string) => void): number {
  const path = resolve(cmd.trace);
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a trace file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `trace file not found: ${path}` : `cannot read ${path} (${code ?? (e as Error).message})`);
  }
  let model: TraceModel;
  try {
    model = parseTrace(text);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  if (!model.header) throw new UsageError(`${path}: not a Concurrency Diagram trace (empty file)`);
  const title = model.run?.script ? basename(model.run.script) : basename(path);
  return writeOutputs(model, text, { chromeTrace: cmd.chromeTrace && resolve(cmd.chromeTrace), html: cmd.html && resolve(cmd.html), title }, log) ? EXIT_INTERNAL : 0;
}
