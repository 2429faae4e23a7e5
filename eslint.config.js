// Lint: typescript-eslint's recommended rules everywhere, React hooks and accessibility rules for the web app.
// Run by `npm run lint` (part of `npm test`); any warning fails it (--max-warnings 0).
import globals from "globals";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "packages/db/src/generated/**",
      ".data/**",
      ".test-artifacts/**",
      "scripts/mediasoup/shims/**",
      "**/next-env.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["apps/web/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["apps/web/src/**/*.tsx"],
    ...jsxA11y.flatConfigs.recommended,
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      // live call audio/video and media someone shares in a meeting come with no caption track to attach
      "jsx-a11y/media-has-caption": "off",
      // our dialogs move focus to their first field or main action when they open (the WAI-ARIA dialog pattern)
      "jsx-a11y/no-autofocus": "off",
    },
  },
);
