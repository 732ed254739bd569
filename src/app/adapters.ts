/**
 * The provider adapters of a running gateway across reloads: a provider whose config did not change keeps its
 * adapter (and its connection pool); a changed or new one gets a new adapter; one no snapshot uses is closed.
 */
import { sameValue } from "../config/diff.js";
import type { GatewayConfig, ProviderConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { createAdapter } from "../providers/registry.js";
import { createRedactor } from "../telemetry/redact.js";
import type { Redactor } from "../telemetry/redact.js";
import { systemClock } from "./system.js";

interface Made {
  readonly config: ProviderConfig;
  /** The byte bounds it was made with (config.bounds' provider fields). */
  readonly caps: { readonly maxEventBytes: number; readonly maxBodyBytes: number };
  readonly adapter: ProviderAdapter;
}

/** Every secret of a config: provider keys, and the ledger's and the shared state's URLs with their passwords alone. */
export function configSecrets(config: GatewayConfig): string[] {
  const out: string[] = [];
  for (const p of config.providers.values()) if (p.apiKey) out.push(p.apiKey.reveal());
  for (const url of [config.ledger.postgres?.url, config.state.redis]) {
    if (!url) continue;
    out.push(url.reveal());
    const password = passwordOf(url.reveal());
    if (password) out.push(password);
  }
  return out;
}

/** The password of a URL, decoded; undefined when it has none. */
function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p === "" ? undefined : decodeURIComponent(p);
  } catch {
    return undefined;
  }
}

/** Every adapter made so far that is not closed yet, and the redactor of every secret of the configs seen. */
export class AdapterSet {
  #made = new Map<string, Made>();
  readonly #all = new Set<ProviderAdapter>();
  readonly #secrets = new Set<string>();
  #redactor: Redactor = createRedactor([]);
  /** A redactor that always scrubs every secret seen so far (a rotated key too: old adapters may still echo it). */
  readonly redactor: Redactor = {
    get empty() {
      return false;
    },
    text: (v) => this.#redactor.text(v),
    value: (v) => this.#redactor.value(v),
  };

  /** The adapters of `config` by provider name, reusing those whose provider config and byte bounds are unchanged. */
  adaptersFor(config: GatewayConfig): Map<string, ProviderAdapter> {
    for (const secret of configSecrets(config)) this.#secrets.add(secret);
    this.#redactor = createRedactor([...this.#secrets]);
    const caps = { maxEventBytes: config.bounds.maxProviderEventBytes, maxBodyBytes: config.bounds.maxProviderBodyBytes };
    const made = new Map<string, Made>();
    for (const p of config.providers.values()) {
      const old = this.#made.get(p.name);
      if (old && sameValue(old.config, p) && sameValue(old.caps, caps)) made.set(p.name, old);
      else {
        const adapter = createAdapter(p, systemClock.now, this.#redactor.empty ? undefined : this.redactor.text, caps);
        this.#all.add(adapter);
        made.set(p.name, { config: p, caps, adapter });
      }
    }
    this.#made = made;
    return new Map([...made].map(([name, m]) => [name, m.adapter]));
  }

  /** Closes every adapter not in `inUse` (once idle: no request of any snapshot holds it). */
  async closeUnused(inUse: ReadonlySet<ProviderAdapter>): Promise<void> {
    const idle = [...this.#all].filter((a) => !inUse.has(a));
    for (const a of idle) this.#all.delete(a);
    await Promise.all(idle.map((a) => a.close()));
  }

  /** Closes every adapter. */
  async close(): Promise<void> {
    await this.closeUnused(new Set());
  }
}
