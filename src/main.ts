#!/usr/bin/env node
/** Process entry (the package's bin): runs the command line of src/app/main.ts and exits with its code. */
import { main } from "./app/main.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
