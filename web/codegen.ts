// GraphQL Code Generator: typed documents for the operations in src/**/*.ts, from the committed schema.
// `npm run codegen` writes src/gql/ (a build output, git-ignored); `make web` and `npm test` run it.
import type { CodegenConfig } from "@graphql-codegen/cli";

const scalars = { DateTime: "string", Date: "string", JSON: "unknown" };

const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { scalars, enumsAsTypes: true, useTypeImports: true, skipTypename: false, nonOptionalTypename: true },
    },
    // Graphcache keys: every object type without an `id` is a value object, embedded in its parent.
    "src/gql/keys.ts": { plugins: ["./codegen/value-object-keys.cjs"] },
  },
};

export default config;
