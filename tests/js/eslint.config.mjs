// The JS lint of scripts/test-gates: ESLint's recommended rules (undefined names, unused
// variables, redeclarations, unreachable code, duplicate keys, ...) and a few more that catch
// bugs rather than style, with the globals each runtime really has. Run from the repository root:
//   tests/js/node_modules/.bin/eslint --config tests/js/eslint.config.mjs
// (scripts/test-gates installs the pinned tools of tests/js/package-lock.json first).
import js from "@eslint/js";
import globals from "globals";

// What WeChat's mini-program runtime gives a page or util module: the framework's globals and
// CommonJS, no `window`/`document` and no Node (`process`, `Buffer`) — using those is a bug
// that only shows on a phone.
const miniProgram = {
  wx: "readonly",
  App: "readonly",
  Page: "readonly",
  Component: "readonly",
  Behavior: "readonly",
  getApp: "readonly",
  getCurrentPages: "readonly",
  console: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
  setInterval: "readonly",
  clearInterval: "readonly",
};

export default [
  {
    // pkg/'s generated glue (scripts/build-wasm) and the cloud functions' byte-for-byte copies
    // of it are wasm-bindgen's code, not ours; pkg/random.js, pkg/bin/ and pkg/doctor/ (the
    // `wxpay doctor` command) are hand-written and linted.
    ignores: [
      "**/node_modules/",
      "target/",
      "pkg/*",
      "!pkg/random.js",
      "!pkg/bin/",
      "!pkg/doctor/",
      "miniprogram/cloudfunctions/*/wxpay/",
    ],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `== null` is the one loose comparison that says what it means (null or undefined).
      eqeqeq: ["error", "always", { null: "ignore" }],
      // `const { sign, ...rest } = x` is how a key is left out; `_name` is a parameter a caller passes.
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "no-template-curly-in-string": "error",
      "no-self-compare": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "array-callback-return": "error",
      // A name read before its `let`/`const` in the same scope throws (TDZ); a function body that
      // reads a module constant defined further down runs later, and is fine.
      "no-use-before-define": ["error", { functions: false, classes: false, variables: false }],
      // Code built from strings at run time: only the benchmark's JS competitor does it, on purpose.
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
    },
  },
  {
    // Node, CommonJS: the package's hand-written file, its tests, examples and benchmarks, the
    // cloud functions (Node 16+) and the mini-program's tests (which run in Node).
    files: ["pkg/random.js", "pkg/bin/*.js", "pkg/doctor/*.js", "node/**/*.js", "benches/**/*.js", "miniprogram/cloudfunctions/**/*.js", "miniprogram/test/**/*.js", "tests/js/**/*.js", "sim/tests/peer/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  {
    // The glue's JS snippets (wasm/src/*.js, wxpay/v3's node:crypto): written as ES modules for
    // wasm-bindgen, run as CommonJS on Node (scripts/build-wasm rewrites their exports).
    files: ["wasm/src/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, require: "readonly" } },
  },
  {
    // A cloud function's entry keeps the signature WeChat documents, `main(event, context)`, for
    // whoever copies it (cloud-pay-notify.test.js holds it to that).
    files: ["miniprogram/cloudfunctions/*/index.js"],
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^(_|context$)", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    // The mini-program itself: app.js, config.js, pages/, utils/.
    files: ["miniprogram/**/*.js"],
    ignores: ["miniprogram/cloudfunctions/**", "miniprogram/test/**"],
    languageOptions: { sourceType: "commonjs", globals: miniProgram },
  },
  {
    // The back office page of wxpay-server: ES modules the browser loads as they are (no build).
    files: ["server/src/http/admin/page/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // The browser tests: Node ES modules whose page.evaluate / waitForFunction callbacks run
    // in the page, so the browser's globals are there too.
    files: ["sim/e2e/**/*.mjs", "server/e2e/**/*.mjs", "tests/js/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];
