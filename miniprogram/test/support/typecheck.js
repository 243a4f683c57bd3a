'use strict';
// Type-checks the mini-program's JS (app.js, config.js, pages/, utils/) against WeChat's
// miniprogram-api-typings: tsc with checkJs (test/tsconfig.json), plus one check tsc leaves out.
// Most wx.* APIs are typed `api<T extends XOption>(option: T)` so that they can return a Promise
// when no callback is given; T is then inferred from the object literal itself, and a misspelled
// *optional* option (`sucess:`, `fial:`, `icn:`) passes tsc. So every object literal handed to
// `wx.<api>(…)` is also checked here, property by property, against the option type the typings
// declare for that API (the constraint of T, or the parameter's own type).
//
//   node test/support/typecheck.js     prints the findings as tsc does; exit 1 if any
const path = require('node:path');
const ts = require('typescript');

const TEST = path.join(__dirname, '..');
const CONFIG = path.join(TEST, 'tsconfig.json');

const host = {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
};

/** The option type a wx API declares for its first parameter. */
function optionType(checker, call) {
  const decl = checker.getResolvedSignature(call)?.getDeclaration();
  const param = decl && decl.parameters && decl.parameters[0];
  if (!param) return null;
  const t = checker.getTypeAtLocation(param);
  return t.flags & ts.TypeFlags.TypeParameter ? checker.getBaseConstraintOfType(t) : t;
}

/** Object-literal options of `wx.x({...})` calls that name a property the API does not have. */
function unknownWxOptions(program) {
  const checker = program.getTypeChecker();
  const found = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) continue;
    const visit = (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'wx' &&
        node.arguments.length > 0 &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const api = node.expression.name.text;
        const type = optionType(checker, node);
        if (type && !(type.flags & ts.TypeFlags.Any)) {
          for (const p of node.arguments[0].properties) {
            if (ts.isSpreadAssignment(p) || !p.name || !ts.isIdentifier(p.name)) continue;
            if (!checker.getPropertyOfType(type, p.name.text)) {
              found.push({
                file: sf,
                start: p.name.getStart(sf),
                length: p.name.getWidth(sf),
                messageText: `wx.${api} has no option '${p.name.text}' (miniprogram-api-typings: ${checker.typeToString(type)}).`,
                category: ts.DiagnosticCategory.Error,
                code: 90001,
              });
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/**
 * @param {{overrides?: Record<string, string>}} [o] file path (absolute) → text to check instead
 *   of the file on disk (how the tests show that a mistake is caught)
 * @returns {{diagnostics: ts.Diagnostic[], files: string[], text: string}}
 */
function typecheck({ overrides = {} } = {}) {
  const parsed = ts.getParsedCommandLineOfConfigFile(CONFIG, {}, host);
  if (parsed.errors.length) throw new Error(ts.formatDiagnostics(parsed.errors, formatHost));
  const compilerHost = ts.createCompilerHost(parsed.options);
  const readFile = compilerHost.readFile;
  compilerHost.readFile = (f) => (Object.hasOwn(overrides, path.resolve(f)) ? overrides[path.resolve(f)] : readFile.call(compilerHost, f));
  const getSourceFile = compilerHost.getSourceFile;
  compilerHost.getSourceFile = (f, lang, onError, create) => {
    const text = Object.hasOwn(overrides, path.resolve(f)) ? overrides[path.resolve(f)] : undefined;
    return text === undefined ? getSourceFile.call(compilerHost, f, lang, onError, create) : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram(parsed.fileNames, parsed.options, compilerHost);
  const fromTsc = ts.getPreEmitDiagnostics(program);
  // Where tsc already reported the same property (a non-generic API such as wx.request), once is enough.
  const reported = new Set(fromTsc.map((d) => d.file && `${d.file.fileName}:${d.start}`));
  const diagnostics = [...fromTsc, ...unknownWxOptions(program).filter((d) => !reported.has(`${d.file.fileName}:${d.start}`))];
  return { diagnostics, files: parsed.fileNames, text: ts.formatDiagnostics(diagnostics, formatHost) };
}

const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => TEST,
  getNewLine: () => '\n',
};

if (require.main === module) {
  const { diagnostics, files, text } = typecheck();
  if (diagnostics.length) {
    process.stderr.write(text);
    process.exit(1);
  }
  console.log(`typecheck: ${files.length} files of the mini-program checked against miniprogram-api-typings, no errors`);
}

module.exports = { typecheck };
