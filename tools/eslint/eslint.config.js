// sectree's eslint config for judging candidate JS (see src/sectree/oracle/analyzers.py: ESLint).
// Only security rules: eslint-plugin-security's recommended set, eslint's own eval-like rules, and two
// restricted patterns (Math.random, shell commands built from strings).
// Run as `eslint --no-config-lookup -c <abs path to this file>` from a temp dir holding the candidates;
// require() resolves against this folder's node_modules, wherever the linted files live.
"use strict";

const globals = require("globals");
const security = require("eslint-plugin-security");

module.exports = [
  security.configs.recommended,
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "commonjs",
      globals: { ...globals.node },
    },
    linterOptions: {
      // a candidate must not switch rules off with /* eslint-disable */ comments
      noInlineConfig: true,
      reportUnusedDisableDirectives: "off",
    },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      // sectree's own two patterns, each mapped to one CWE by its rule id (see RULE_CWE):
      // Math.random() is no CSPRNG (CWE-338) ...
      "no-restricted-properties": ["error", {
        object: "Math", property: "random",
        message: "Math.random() is not a cryptographically secure random source.",
      }],
      // ... and a shell command built from a non-literal string (CWE-78); the plugin's
      // detect-child-process only sees .exec() on a variable named from require("child_process").
      "no-restricted-syntax": ["error",
        {
          selector: "CallExpression:matches([callee.name=/^(execSync|spawnSync|execFileSync)$/], [callee.property.name=/^(execSync|spawnSync|execFileSync)$/])[arguments.0.type!='Literal']",
          message: "child_process call with a non-literal command.",
        },
        {
          selector: "CallExpression[callee.property.name='exec'][arguments.0.type=/^(TemplateLiteral|BinaryExpression)$/]",
          message: "child_process.exec() with a command built from strings.",
        },
      ],
    },
  },
  {
    // candidates that use import/export are written as .mjs and parsed as ES modules
    files: ["**/*.mjs"],
    languageOptions: { sourceType: "module" },
  },
];
