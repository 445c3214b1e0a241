// ESLint flat config: typescript-eslint with type information (the Pulumi rules need it), Pulumi's own
// rules, and eslint-config-prettier last so that formatting is left to Prettier (`npm run lint` runs both).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "out/", "examples/*/sdks/", "examples/*/venv/"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            // An Output in a template literal renders as a warning text instead of its value: use
            // pulumi.interpolate or .apply.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // This file and other plain JavaScript: no type information.
        files: ["**/*.mjs", "**/*.js"],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: { globals: { process: "readonly", console: "readonly" } },
    },
    prettier,
);
