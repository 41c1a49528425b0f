import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { loopbackAddressing, splitHostPort, type ProxyAddressing } from './addressing.ts';
import { describeError, ToxiproxyHarnessError } from './errors.ts';
import { readToxiproxyVersion } from './readiness.ts';
import { normalizeToxic, type Toxic, type ToxicSpec } from './toxics.ts';

/** One change made to a Toxiproxy server, reported so that a trace can record it. */
export type ToxiproxyChange =
  | { action: 'proxy-created'; proxy: string; listen: string; upstream: string }
  | { action: 'proxy-removed'; proxy: string }
  | { action: 'proxy-enabled' | 'proxy-disabled'; proxy: string }
  | { action: 'toxic-added'; proxy: string; toxic: Toxic }
  | { action: 'toxic-updated'; proxy: string; toxic: { name: string; attributes?: Record<string, number>; toxicity?: number } }
  | { action: 'toxic-removed'; proxy: string; toxic: string }
  | { action: 'reset' };

export interface ToxiproxyControlOptions {
  /** Address translation; the default suits a server on our own loopback. */
  addressing?: ProxyAddressing;
  /** Told of every change after the server accepted it. */
  onChange?: (change: ToxiproxyChange) => void;
}

export interface CreateProxyOptions {
  /** Unique on the server: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** `host:port` of the real server, as this process reaches it (e.g. `127.0.0.1:8188`). */
  upstream: string;
  /** Where the proxy listens, as the server sees it; default: a free port on the server's loopback. */
  listen?: string;
  /** Default true. */
  enabled?: boolean;
}

const PROXY_NAME = /^[A-Za-z0-9._-]+$/;

const STATUS_HINTS: Record<number, string> = {
  400: 'the server rejected the request as invalid',
  404: 'not found on the server (removed already, or the server restarted?)',
  409: 'the name is already taken on this server',
  500: 'the server failed (for a proxy: is the listen address free and allowed?)',
};

/**
 * A thin layer over `toxiproxy-node-client` that validates arguments before sending,
 * translates addresses for containers, reports changes, and turns every failure into a
 * `ToxiproxyHarnessError` that says which request to which server failed.
 */
export class ToxiproxyControl {
  readonly url: string;
  private readonly api: Toxiproxy;
  private readonly addressing: ProxyAddressing;
  private readonly onChange: (change: ToxiproxyChange) => void;

  constructor(url: string, options: ToxiproxyControlOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.api = new Toxiproxy(this.url);
    this.addressing = options.addressing ?? loopbackAddressing;
    this.onChange = options.onChange ?? (() => {});
  }

  /** What GET /version answers. */
  version(): Promise<string> {
    return this.call('reading the version', () => readToxiproxyVersion(this.url));
  }

  /** Creates a proxy in front of `upstream` and returns a handle to drive it. */
  async createProxy(options: CreateProxyOptions): Promise<ProxyControl> {
    if (!PROXY_NAME.test(options.name)) {
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_INVALID_ARGUMENT',
        `toxiproxy: proxy name "${options.name}" is not allowed; use letters, digits, ".", "_" and "-"`,
      );
    }
    splitHostPort(options.upstream);
    const listen = options.listen ?? this.addressing.allocateListen();
    const upstream = this.addressing.upstream(options.upstream);
    let proxy: Proxy;
    try {
      proxy = await this.call(`creating proxy "${options.name}" (listen ${listen} -> upstream ${upstream})`, () =>
        this.api.createProxy({ name: options.name, listen, upstream, enabled: options.enabled ?? true }),
      );
    } catch (error) {
      if (options.listen === undefined) this.addressing.releaseListen(listen);
      throw error;
    }
    this.onChange({ action: 'proxy-created', proxy: proxy.name, listen: proxy.listen, upstream: proxy.upstream });
    return new ProxyControl(this, proxy, this.addressing.reachable(proxy.listen), options.upstream);
  }

  /** A handle to a proxy that already exists on the server. */
  async getProxy(name: string): Promise<ProxyControl> {
    const proxy = await this.call(`reading proxy "${name}"`, () => this.api.get(name));
    return new ProxyControl(this, proxy, this.addressing.reachable(proxy.listen), proxy.upstream);
  }

  /** Enables every proxy and removes every toxic (POST /reset); proxies stay. */
  async reset(): Promise<void> {
    await this.call('resetting all proxies and toxics', () => this.api.reset());
    this.onChange({ action: 'reset' });
  }

  /** Removes every proxy on the server. */
  async removeAllProxies(): Promise<void> {
    const proxies = await this.call('listing proxies', () => this.api.getAll());
    for (const name of Object.keys(proxies)) {
      await (await this.getProxy(name)).remove();
    }
  }

  /** @internal Runs one request and names it in any error. */
  async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ToxiproxyHarnessError) throw error;
      const text = describeError(error);
      const status = /status code (\d{3})/.exec(text)?.[1];
      const hint = status ? STATUS_HINTS[Number(status)] : /ECONNREFUSED|fetch failed/.test(text) ? 'is the server running (not disposed)?' : undefined;
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_REQUEST_FAILED',
        `toxiproxy at ${this.url}: ${what} failed: ${text}${hint ? `; ${hint}` : ''}`,
        { cause: error },
      );
    }
  }

  /** @internal */
  changed(change: ToxiproxyChange): void {
    this.onChange(change);
  }

  /** @internal */
  releaseListen(listen: string): void {
    this.addressing.releaseListen(listen);
  }
}

/** One proxy: where to connect, and the toxics and switches that act on it. */
export class ProxyControl {
  readonly name: string;
  /** Where the proxy listens, as the server sees it. */
  readonly listen: string;
  /** `host:port` where this process connects to reach the upstream through the proxy. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** The upstream as the caller gave it. */
  readonly upstream: string;
  private readonly control: ToxiproxyControl;
  private proxy: Proxy;

  /** @internal use `ToxiproxyControl.createProxy` */
  constructor(control: ToxiproxyControl, proxy: Proxy, address: string, upstream: string) {
    this.control = control;
    this.proxy = proxy;
    this.name = proxy.name;
    this.listen = proxy.listen;
    this.address = address;
    ({ host: this.host, port: this.port } = splitHostPort(address));
    this.upstream = upstream;
  }

  /** Adds a toxic; returns it with its defaults filled in (its `name` removes it later). */
  async addToxic(spec: ToxicSpec): Promise<Toxic> {
    let toxic: Toxic;
    try {
      toxic = normalizeToxic(spec);
    } catch (error) {
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_INVALID_ARGUMENT',
        `toxiproxy: invalid ${String((spec as { type?: unknown }).type ?? 'toxic')} toxic for proxy "${this.name}": ${describeError(error)}`,
        { cause: error },
      );
    }
    await this.control.call(
      `adding ${toxic.type} toxic "${toxic.name}" (${toxic.stream}, toxicity ${toxic.toxicity}, ${JSON.stringify(toxic.attributes)}) to proxy "${this.name}"`,
      () => this.proxy.addToxic<Toxic['attributes']>(toxic),
    );
    this.control.changed({ action: 'toxic-added', proxy: this.name, toxic });
    return toxic;
  }

  /** Changes a toxic's attributes or toxicity in place (live connections keep their toxicity decision). */
  async updateToxic(name: string, change: { attributes?: Record<string, number>; toxicity?: number }): Promise<void> {
    await this.control.call(`updating toxic "${name}" of proxy "${this.name}"`, () =>
      this.proxy.api.post(`${this.proxy.getPath()}/toxics/${name}`, change),
    );
    this.control.changed({ action: 'toxic-updated', proxy: this.name, toxic: { name, ...change } });
  }

  /** Removes a toxic by name. Removing a `timeout` toxic closes the connections it held. */
  async removeToxic(name: string): Promise<void> {
    await this.control.call(`removing toxic "${name}" from proxy "${this.name}"`, () =>
      this.proxy.api.delete(`${this.proxy.getPath()}/toxics/${name}`),
    );
    this.control.changed({ action: 'toxic-removed', proxy: this.name, toxic: name });
  }

  /** The toxics on the proxy now, as the server reports them. */
  async toxics(): Promise<Toxic[]> {
    const response = await this.control.call(`listing toxics of proxy "${this.name}"`, () =>
      this.proxy.api.get<Toxic[]>(`${this.proxy.getPath()}/toxics`),
    );
    return response.data;
  }

  /** Partition: stops listening and drops every live connection; new ones are refused. */
  disable(): Promise<void> {
    return this.setEnabled(false);
  }

  /** Ends a partition: listens again on the same address. */
  enable(): Promise<void> {
    return this.setEnabled(true);
  }

  async setEnabled(enabled: boolean): Promise<void> {
    this.proxy = await this.control.call(`${enabled ? 'enabling' : 'disabling'} proxy "${this.name}"`, () =>
      this.proxy.update({ enabled, listen: this.listen, upstream: this.proxy.upstream }),
    );
    this.control.changed({ action: enabled ? 'proxy-enabled' : 'proxy-disabled', proxy: this.name });
  }

  /** Deletes the proxy from the server; its connections close. */
  async remove(): Promise<void> {
    await this.control.call(`removing proxy "${this.name}"`, () => this.proxy.remove());
    this.control.releaseListen(this.listen);
    this.control.changed({ action: 'proxy-removed', proxy: this.name });
  }
}
