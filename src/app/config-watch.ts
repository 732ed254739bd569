/**
 * Watching the config file for changes: the file itself and its directory (editors and config managers replace a
 * file by renaming another over it, which a watch on the old file never sees), debounced into one call.
 */
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "../telemetry/log.js";

/** A running watch; close() stops it. */
export interface ConfigWatch {
  close(): void;
}

/**
 * Calls `onChange` `debounceMs` after the last event on `path`, or on its name or a `..`-entry (a Kubernetes
 * ConfigMap swaps its `..data` link, not the file) in its directory; other files there (a ledger beside it, busy
 * under load) are ignored. Events that never pause still call it every 5 debounce periods. The callee decides
 * whether the text really changed.
 */
export function watchConfigFile(path: string, onChange: () => void, log: Logger, debounceMs = 200): ConfigWatch {
  let timer: NodeJS.Timeout | undefined;
  let firstEvent = 0;
  let closed = false;
  let fileWatch: FSWatcher | undefined;
  const name = basename(path);
  const fire = (): void => {
    timer = undefined;
    if (closed) return;
    armFile();
    onChange();
  };
  const schedule = (_event: string, file: string | Buffer | null): void => {
    if (closed) return;
    const f = file === null ? null : String(file);
    if (f !== null && f !== name && !f.startsWith("..")) return;
    const now = performance.now();
    if (timer) clearTimeout(timer);
    else firstEvent = now;
    timer = setTimeout(fire, Math.max(0, Math.min(debounceMs, firstEvent + 5 * debounceMs - now)));
  };
  const open = (target: string, quiet: boolean): FSWatcher | undefined => {
    try {
      const w = watch(target, { persistent: false }, schedule);
      w.on("error", () => undefined);
      return w;
    } catch (err) {
      // Between an editor's delete and its write the file may be missing: the directory's watch still sees it come.
      if (!quiet) log.log("warn", "cannot watch the config file; reload with SIGHUP or `reload`", { path: target, err });
      return undefined;
    }
  };
  // The file's watch follows one inode: after a rename over it, watch the new file.
  const armFile = (quiet = true): void => {
    fileWatch?.close();
    fileWatch = open(path, quiet);
  };
  const dirWatch = open(dirname(path), false);
  armFile(false);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      fileWatch?.close();
      dirWatch?.close();
    },
  };
}
