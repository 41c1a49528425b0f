import { ToxiproxyHarnessError } from './errors.ts';

/**
 * How proxy addresses look from this process versus from the Toxiproxy server. They are
 * the same when the server shares our network (a local binary, a container on the host
 * network) and differ when it sits behind Docker's port mapping.
 */
export interface ProxyAddressing {
  /** The `listen` to ask the server for when the caller gives none. */
  allocateListen(): string;
  /** Gives a listen address back when its proxy is removed. */
  releaseListen(listen: string): void;
  /** `host:port` where this process reaches a proxy that the server reports listening on `listen`. */
  reachable(listen: string): string;
  /** The upstream as the server must dial it, from an address as this process sees it. */
  upstream(address: string): string;
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (!match) {
    throw new ToxiproxyHarnessError('TOXIPROXY_INVALID_ARGUMENT', `toxiproxy: "${address}" is not a host:port address`);
  }
  return { host: match[1], port: Number(match[2]) };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]', '']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The server shares our network namespace: proxies listen on 127.0.0.1 with a port the
 * kernel picks, so parallel runs never collide and nothing leaves loopback.
 */
export const loopbackAddressing: ProxyAddressing = {
  allocateListen: () => '127.0.0.1:0',
  releaseListen: () => {},
  reachable(listen) {
    const { host, port } = splitHostPort(listen);
    return `${WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host}:${port}`;
  },
  upstream: (address) => address,
};

/**
 * The server is in a container on Docker's bridge network: proxies must listen on
 * 0.0.0.0 on one of the container ports published when it started (`portMap`: container
 * port -> host port), and an upstream on the host's loopback is dialled through
 * `hostAlias` instead (which only works if that upstream listens beyond loopback).
 */
export function bridgeAddressing(options: {
  mappedHost: string;
  portMap: ReadonlyMap<number, number>;
  hostAlias: string;
}): ProxyAddressing {
  const free = [...options.portMap.keys()];
  return {
    allocateListen() {
      const port = free.shift();
      if (port === undefined) {
        throw new ToxiproxyHarnessError(
          'TOXIPROXY_INVALID_ARGUMENT',
          `toxiproxy: all ${options.portMap.size} published proxy ports of the container are in use; ` +
            'remove a proxy first or start the container provider with more `proxyPorts`',
        );
      }
      return `0.0.0.0:${port}`;
    },
    releaseListen(listen) {
      const { port } = splitHostPort(listen);
      if (options.portMap.has(port) && !free.includes(port)) free.push(port);
    },
    reachable(listen) {
      const { port } = splitHostPort(listen);
      const mapped = options.portMap.get(port);
      if (mapped === undefined) {
        throw new ToxiproxyHarnessError(
          'TOXIPROXY_INVALID_ARGUMENT',
          `toxiproxy: container port ${port} is not published; proxies must listen on one of ${[...options.portMap.keys()].join(', ')}`,
        );
      }
      return `${options.mappedHost}:${mapped}`;
    },
    upstream(address) {
      const { host, port } = splitHostPort(address);
      return LOOPBACK_HOSTS.has(host) ? `${options.hostAlias}:${port}` : address;
    },
  };
}
