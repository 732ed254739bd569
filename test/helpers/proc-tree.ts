/** Child processes of a process and whether a process still runs, from /proc (Linux). */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** A direct child: its pid and command line (arguments joined by spaces). */
export interface ChildProc {
  readonly pid: number;
  readonly cmdline: string;
}

/** The direct children of `pid` now (none when it is gone). */
export function childrenOf(pid: number): ChildProc[] {
  let list: string;
  try {
    list = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  } catch {
    return [];
  }
  return list
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .flatMap((child) => {
      try {
        return [{ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0").join(" ") }];
      } catch {
        return [];
      }
    });
}

/** True while `pid` runs (a zombie, ended but not yet reaped, does not count). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The files `pid` has open (its descriptors) or mapped (its memory map) whose path contains `part`. */
export function filesHeld(pid: number, part: string): string[] {
  const open = readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed meanwhile
    }
  });
  const mapped = readFileSync(`/proc/${pid}/maps`, "utf8")
    .split("\n")
    .map((line) => line.split(/\s+/).slice(5).join(" "));
  return [...new Set([...open, ...mapped])].filter((path) => path.includes(part));
}
