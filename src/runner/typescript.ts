/**
 * TypeScript → JavaScript for the runner, with source maps: the whole language (types, enums,
 * namespaces, parameter properties, standard decorators, or legacy ones where the script's
 * tsconfig.json asks for `experimentalDecorators`), one file at a time.
 *
 * Built as its own bundle (`dist/runner/typescript.js`) and loaded lazily, so JavaScript-only
 * scripts never pay for loading the compiler. The CLI imports {@link transpileTs} to pre-check the
 * entry file and report a syntax error as one clear line.
 */
import ts from 'typescript';
import { DEFAULT_DECORATOR_OPTIONS, type DecoratorOptions } from './tsconfig';

/** A source map (version 3) as produced by the compiler. */
export interface SourceMapLike {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  names: string[];
  mappings: string;
}

/** Module system of the emitted JavaScript. */
export type ModuleFormat = 'esm' | 'cjs';

/** Output of {@link transpileTs}. */
export interface TranspileOutput {
  /** The JavaScript, without a source map comment. */
  code: string;
  /** Maps `code` back to the original file. */
  map: SourceMapLike;
}

/** A syntax error in a TypeScript file; `line` and `column` are 1-based. */
export class TsSyntaxError extends SyntaxError {
  constructor(
    /** Absolute path of the file. */
    readonly file: string,
    /** 1-based line. */
    readonly line: number,
    /** 1-based column. */
    readonly column: number,
    /** The compiler's message. */
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'TsSyntaxError';
  }
}

/** Version of the bundled compiler (part of the transpile cache key). */
export const typescriptVersion: string = ts.version;

/**
 * Transpiles one TypeScript file. Throws {@link TsSyntaxError} for the first syntax error.
 * `format` picks the module system of the output (default CommonJS); `decorators` are the options of
 * the file's tsconfig.json that change what decorators do (default: TypeScript's, standard decorators).
 */
export function transpileTs(file: string, source: string, format: ModuleFormat = 'cjs', decorators: DecoratorOptions = DEFAULT_DECORATOR_OPTIONS): TranspileOutput {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      // ES2022 keeps async/await native: the task lanes depend on seeing real async functions. Below
      // ESNext the compiler also lowers standard decorators, which Node does not run natively yet.
      target: ts.ScriptTarget.ES2022,
      sourceMap: true,
      inlineSources: false,
      experimentalDecorators: decorators.experimentalDecorators,
      emitDecoratorMetadata: decorators.emitDecoratorMetadata,
      esModuleInterop: true,
      allowJs: true,
      jsx: ts.JsxEmit.React,
      isolatedModules: true,
      removeComments: false,
    },
  });
  const err = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (err) {
    let line = 1;
    let column = 1;
    if (err.file && err.start !== undefined) {
      const lc = err.file.getLineAndCharacterOfPosition(err.start);
      line = lc.line + 1;
      column = lc.character + 1;
    }
    throw new TsSyntaxError(file, line, column, ts.flattenDiagnosticMessageText(err.messageText, '\n'));
  }
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const map = JSON.parse(out.sourceMapText ?? '{"version":3,"sources":[],"names":[],"mappings":""}') as SourceMapLike;
  map.sources = [file];
  return { code, map };
}
