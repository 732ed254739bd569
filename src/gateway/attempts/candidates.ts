/** The per-request candidate queue: which model to call next, honouring backoff, exclusions and the balancer. */
import type { FailoverConfig, ModelConfig } from "../../config/schema.js";
import type { ProviderError } from "../../providers/errors.js";
import { retryAt, wakeJitterMs } from "./policy.js";
import type { Random } from "../clock.js";
import type { Skip, Ticket } from "../health/deployment.js";

/** Admits calls to models (the balancer, or a fake in tests). */
export interface Admitter {
  /** Admits a call (`retry`: the model already failed within this request) or says why it is skipped. */
  admit(model: string, tokens: number, retry: boolean): Ticket | Skip;
  /** The panic rule over the skips of a request with nothing else to call: a call past a breaker, or undefined. */
  panic(skips: readonly Skip[], ask: (model: string) => { readonly tokens: number; readonly retry: boolean }): Ticket | undefined;
}

/** The next call to make, or why there is none now. */
export type NextPick =
  | { readonly kind: "call"; readonly model: ModelConfig; readonly ticket: Ticket }
  | {
      readonly kind: "wait";
      /** Earliest monotonic ms a skipped candidate may be ready; undefined when only a state change can tell (a probe's result). */
      readonly readyAt: number | undefined;
      readonly skips: readonly Skip[];
    }
  | { readonly kind: "none"; readonly skips: readonly Skip[] };

interface Entry {
  readonly model: ModelConfig;
  readonly order: number;
  failures: number;
  notBefore: number;
  excluded: boolean;
  running: boolean;
  /** When this request wakes for the end of the deployment's shared cooldown (jittered); set once: one cooldown is waited out, not the next. */
  wakeAt: number | undefined;
}

/** Candidates of one request in plan order; each tracks its failures and backoff within the request. */
export class CandidateQueue {
  readonly #entries: Entry[];
  readonly #admitter: Admitter;
  readonly #tokens: (m: ModelConfig) => number;
  readonly #config: FailoverConfig;
  readonly #random: Random;

  constructor(models: readonly ModelConfig[], admitter: Admitter, tokens: (m: ModelConfig) => number, config: FailoverConfig, random: Random) {
    this.#entries = models.map((model, order) => ({ model, order, failures: 0, notBefore: 0, excluded: false, running: false, wakeAt: undefined }));
    this.#admitter = admitter;
    this.#tokens = tokens;
    this.#config = config;
    this.#random = random;
  }

  /**
   * The next model to call at `now`: untried candidates first (plan order), then the least retried
   * whose backoff has passed; a model already running for this request is never picked twice. When every
   * candidate left is ejected by its breaker and none runs, the panic rule may still call the least bad.
   */
  next(now: number): NextPick {
    const skips: Skip[] = [];
    let readyAt = Infinity;
    const open = this.#entries.filter((e) => !e.excluded && !e.running).sort((a, b) => a.failures - b.failures || a.order - b.order);
    for (const e of open) {
      if (now < e.notBefore) {
        skips.push({ model: e.model.name, reason: "backoff", readyAt: e.notBefore });
        readyAt = minReady(readyAt, e.notBefore);
        continue;
      }
      if (e.wakeAt !== undefined && now < e.wakeAt) {
        skips.push({ model: e.model.name, reason: "cooling_down", readyAt: e.wakeAt });
        readyAt = minReady(readyAt, e.wakeAt);
        continue;
      }
      const admitted = this.#admitter.admit(e.model.name, this.#tokens(e.model), e.failures > 0);
      if ("permit" in admitted) return this.#call(e, admitted);
      skips.push(admitted);
      if (admitted.reason === "cooling_down" && admitted.readyAt !== undefined) {
        // A shared cooldown is waited out once, each request waking at its own jittered time; a cooldown
        // renewed meanwhile (another request's 429) is not waited for again.
        if (e.wakeAt !== undefined) continue;
        e.wakeAt = admitted.readyAt + wakeJitterMs(admitted.readyAt - now, this.#config, this.#random);
        skips[skips.length - 1] = { ...admitted, readyAt: e.wakeAt };
        readyAt = minReady(readyAt, e.wakeAt);
        continue;
      }
      readyAt = minReady(readyAt, admitted.readyAt);
    }
    const running = this.#entries.some((e) => e.running);
    if (!running && skips.length > 0) {
      const ticket = this.#admitter.panic(skips, (model) => {
        const e = this.#find(model);
        return { tokens: e ? this.#tokens(e.model) : 0, retry: (e?.failures ?? 0) > 0 };
      });
      const e = ticket && this.#find(ticket.model);
      if (ticket && e) return this.#call(e, ticket);
    }
    if (open.length === 0 && !running) return { kind: "none", skips };
    return { kind: "wait", readyAt: readyAt === Infinity ? undefined : readyAt, skips };
  }

  /** True while some candidate could still be called (now or later). */
  get hasCandidates(): boolean {
    return this.#entries.some((e) => !e.excluded);
  }

  /** A running candidate ended well or was aborted: it may be picked again. */
  released(model: string): void {
    const e = this.#find(model);
    if (e) e.running = false;
  }

  /**
   * A running candidate failed: it backs off (or is excluded for a kind that will not change, or a 429);
   * a context-too-long failure also excludes every model whose window is not larger.
   */
  failed(model: string, error: ProviderError, now: number): void {
    const e = this.#find(model);
    if (!e) return;
    e.running = false;
    e.failures++;
    e.notBefore = retryAt(now, e.failures, error, this.#config, this.#random);
    if (e.notBefore === Infinity) e.excluded = true;
    if (error.kind === "context_too_long") {
      const window = e.model.contextWindow;
      for (const other of this.#entries) {
        const w = other.model.contextWindow;
        if (window !== undefined && w !== undefined && w <= window) other.excluded = true;
      }
    }
  }

  #call(e: Entry, ticket: Ticket): NextPick {
    e.running = true;
    return { kind: "call", model: e.model, ticket };
  }

  #find(model: string): Entry | undefined {
    return this.#entries.find((e) => e.model.name === model);
  }
}

function minReady(a: number, b: number | undefined): number {
  return b === undefined ? a : Math.min(a, b);
}
