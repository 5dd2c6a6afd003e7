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

/**
 * How a file's module system is chosen: fixed, or `'detect'` for a file Node would call ambiguous
 * (no package.json `type` above it, on a Node that detects module syntax): an ES module when it has
 * syntax only an ES module can have, else CommonJS (see {@link hasModuleSyntax}).
 */
export type FormatRule = ModuleFormat | 'detect';

/** Output of {@link transpileTs}. */
export interface TranspileOutput {
  /** The JavaScript, without a source map comment. */
  code: string;
  /** Maps `code` back to the original file. */
  map: SourceMapLike;
  /** The module system `code` was compiled to (what `'detect'` decided). */
  format: ModuleFormat;
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

/** True for a statement that stays an `import` or `export` once the types are removed. */
function isModuleStatement(s: ts.Statement): boolean {
  if (ts.isImportDeclaration(s)) return !s.importClause?.isTypeOnly;
  if (ts.isExportDeclaration(s)) return !s.isTypeOnly;
  if (ts.isExportAssignment(s)) return !s.isExportEquals;
  if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isImportEqualsDeclaration(s)) return false;
  const modifiers = ts.canHaveModifiers(s) ? (ts.getModifiers(s) ?? []) : [];
  return modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/** Names that exist only in a CommonJS module's scope. */
const COMMONJS_NAMES = new Set(['require', 'module', 'exports', '__dirname', '__filename']);

/**
 * Whether the file is run as an ES module when no package.json `type` names its module system
 * (`'detect'`). `import.meta` and an `await` at the top level exist only in ES modules: they decide
 * it, as Node's syntax detection does for JavaScript. `import` and `export` statements decide it too,
 * unless the file also uses what only CommonJS has (`require`, `__dirname`…, not declared by the file
 * itself): TypeScript written to be compiled to CommonJS (tsc's `module: commonjs`, and what tsx and
 * ts-node run) mixes the two, and keeps working so, its statements compiled to `require`. Types are
 * removed first (`import type` and `export interface` are not there for Node). TypeScript's own
 * CommonJS forms, `import x = require()` and `export =`, make it CommonJS whatever else it has: the
 * compiler refuses them in an ES module.
 */
export function hasModuleSyntax(sf: ts.SourceFile): boolean {
  let statements = false;
  const declared = new Set<string>();
  for (const s of sf.statements) {
    if ((ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)) || (ts.isExportAssignment(s) && s.isExportEquals)) return false;
    if (isModuleStatement(s)) statements = true;
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) declared.add(d.name.text);
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) declared.add(s.name.text);
  }
  let onlyModule = false;
  let commonJs = false;
  // The file is parsed without parent links: each node is given its parent.
  const visit = (n: ts.Node, topLevel: boolean, parent: ts.Node): void => {
    if (onlyModule) return;
    if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) onlyModule = true;
    else if (topLevel && (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier !== undefined) || (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing))) onlyModule = true;
    else {
      if (ts.isIdentifier(n) && COMMONJS_NAMES.has(n.text) && !declared.has(n.text) && isReference(n, parent)) commonJs = true;
      ts.forEachChild(n, (c) => visit(c, topLevel && !ts.isFunctionLike(c) && !ts.isClassStaticBlockDeclaration(c), n));
    }
  };
  visit(sf, true, sf);
  return onlyModule || (statements && !commonJs);
}

/** Whether an identifier refers to a variable (not a property name, a declaration's name or a type). */
function isReference(n: ts.Identifier, p: ts.Node): boolean {
  if ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isQualifiedName(p) && p.right === n)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) && p.name === n) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isBindingElement(p)) && p.name === n) return false;
  return !ts.isTypeReferenceNode(p);
}

/**
 * Transpiles one TypeScript file. Throws {@link TsSyntaxError} for the first syntax error.
 * `rule` picks the module system of the output (default CommonJS; `'detect'`: by the file's syntax,
 * as Node picks it for JavaScript); `decorators` are the options of the file's tsconfig.json that
 * change what decorators do (default: TypeScript's, standard decorators).
 */
export function transpileTs(file: string, source: string, rule: FormatRule = 'cjs', decorators: DecoratorOptions = DEFAULT_DECORATOR_OPTIONS): TranspileOutput {
  const format: ModuleFormat = rule !== 'detect' ? rule : hasModuleSyntax(ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, false)) ? 'esm' : 'cjs';
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
  return { code, map, format };
}
