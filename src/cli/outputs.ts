/** Writes the optional outputs of `run` and `report`: the Chrome trace and the HTML report. */
import { writeFileSync } from 'node:fs';
import { toChromeTrace } from '../trace/chromeExport';
import type { TraceModel } from '../trace/model';
import { renderHtmlReport } from './htmlReport';

/** Which outputs to write. */
export interface OutputPaths {
  chromeTrace?: string;
  html?: string;
  /** Title of the HTML report (the script's file name). */
  title: string;
}

/** Writes the requested outputs; logs and returns true when one of them failed (the trace itself is untouched). */
export function writeOutputs(model: TraceModel, traceText: string, out: OutputPaths, log: (line: string) => void): boolean {
  let failed = false;
  if (out.chromeTrace !== undefined) {
    try {
      writeFileSync(out.chromeTrace, JSON.stringify(toChromeTrace(model)));
      log(`concurrency-diagram: Chrome trace: ${out.chromeTrace}`);
    } catch (e) {
      failed = true;
      log(`concurrency-diagram: could not write the Chrome trace ${out.chromeTrace} (${(e as Error).message})`);
    }
  }
  if (out.html !== undefined) {
    try {
      writeFileSync(out.html, renderHtmlReport(traceText, out.title));
      log(`concurrency-diagram: HTML report: ${out.html}`);
    } catch (e) {
      failed = true;
      log(`concurrency-diagram: could not write the HTML report ${out.html} (${(e as Error).message})`);
    }
  }
  return failed;
}
