import { bridgeAddressing, loopbackAddressing, type ProxyAddressing } from './addressing.ts';
import { freeLoopbackPort } from './binary-provider.ts';
import { describeError, ToxiproxyHarnessError } from './errors.ts';
import { onStop } from '../stop-hooks.ts';
import type { ToxiproxyProvider } from './provider.ts';
import { waitForToxiproxy } from './readiness.ts';
import { TOXIPROXY_IMAGE } from './version.ts';

export interface ContainerProviderOptions {
  /** Default `ghcr.io/shopify/toxiproxy:<toxiproxy.version>`. */
  image?: string;
  /**
   * `host` (default on Linux): the container shares the host's network, so the API and
   * every proxy listen on 127.0.0.1 and reach upstreams on the host's loopback directly.
   * `bridge`: the API port 8474 and `proxyPorts` container ports are published on the
   * host; upstreams on the host's loopback are dialled as `host.docker.internal`, which
   * only works for servers listening beyond loopback.
   */
  network?: 'host' | 'bridge';
  /** Bridge mode only: how many proxy ports to publish (container ports 20000...). Default 16. */
  proxyPorts?: number;
  /** How long pulling, starting and the first GET /version may take, in ms. Default 60 000. */
  startupTimeoutMs?: number;
  /**
   * Whether testcontainers' Ryuk reaper may run. Default false: we stop our container
   * ourselves, and the reaper's image cannot be pulled where no registry is reachable.
   * Only applied when TESTCONTAINERS_RYUK_DISABLED is not set already.
   */
  reaper?: boolean;
}

const API_PORT = 8474;
const FIRST_PROXY_PORT = 20_000;

/**
 * Runs the Toxiproxy image in Docker through testcontainers. Unavailable (not an error)
 * when no Docker engine answers or the image is neither present nor pullable.
 */
export function containerProvider(options: ContainerProviderOptions = {}): ToxiproxyProvider {
  return {
    kind: 'container',
    async start() {
      const image = options.image ?? TOXIPROXY_IMAGE;
      const network = options.network ?? (process.platform === 'linux' ? 'host' : 'bridge');
      const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
      if (!options.reaper && process.env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
        process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
      }
      // Loaded only when needed: testcontainers is large and most runs use another provider. It is
      // an optional peer dependency of the package, so it may not be installed at all.
      let tc: typeof import('testcontainers');
      try {
        tc = await import('testcontainers');
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
        return { available: false, reason: 'the testcontainers package is not installed (for Toxiproxy in Docker: npm install -D testcontainers@11)' };
      }

      let client: Awaited<ReturnType<typeof tc.getContainerRuntimeClient>>;
      try {
        client = await tc.getContainerRuntimeClient();
      } catch (error) {
        return { available: false, reason: `no Docker engine reachable (${describeError(error)})` };
      }
      const imageName = tc.ImageName.fromString(image);
      if (!(await client.image.exists(imageName))) {
        try {
          await client.image.pull(imageName);
        } catch (error) {
          return {
            available: false,
            reason: `image ${image} is not present and could not be pulled (${describeError(error)}); pull it with \`docker pull ${image}\``,
          };
        }
      }

      let container = new tc.GenericContainer(image)
        .withStartupTimeout(startupTimeoutMs)
        .withLabels({ 'comfy-chaos': 'toxiproxy' })
        .withWaitStrategy(tc.Wait.forLogMessage(/Starting Toxiproxy HTTP server/));
      let hostApiPort = 0;
      if (network === 'host') {
        hostApiPort = await freeLoopbackPort();
        container = container.withNetworkMode('host').withCommand(['-host', '127.0.0.1', '-port', String(hostApiPort)]);
      } else {
        const count = options.proxyPorts ?? 16;
        const proxyPorts = Array.from({ length: count }, (_, i) => FIRST_PROXY_PORT + i);
        container = container
          .withCommand(['-host', '0.0.0.0', '-port', String(API_PORT)])
          .withExposedPorts(API_PORT, ...proxyPorts)
          .withExtraHosts([{ host: 'host.docker.internal', ipAddress: 'host-gateway' }]);
      }

      let started: Awaited<ReturnType<typeof container.start>>;
      try {
        started = await container.start();
      } catch (error) {
        throw new ToxiproxyHarnessError(
          'TOXIPROXY_PROVIDER_FAILED',
          `could not start a Toxiproxy container from ${image} (network ${network}): ${describeError(error)}`,
          { cause: error },
        );
      }

      let disposed: Promise<void> | undefined;
      // A run stopped by a signal stops the container too (exit hooks cannot: they are synchronous).
      const forget = onStop(() => dispose());
      const dispose = () => (disposed ??= (forget(), started.stop({ timeout: 2_000 }).then(() => undefined)));
      try {
        let url: string;
        let addressing: ProxyAddressing;
        if (network === 'host') {
          url = `http://127.0.0.1:${hostApiPort}`;
          addressing = loopbackAddressing;
        } else {
          const mappedHost = started.getHost();
          url = `http://${mappedHost}:${started.getMappedPort(API_PORT)}`;
          const portMap = new Map<number, number>();
          for (let i = 0; i < (options.proxyPorts ?? 16); i++) {
            portMap.set(FIRST_PROXY_PORT + i, started.getMappedPort(FIRST_PROXY_PORT + i));
          }
          addressing = bridgeAddressing({ mappedHost, portMap, hostAlias: 'host.docker.internal' });
        }
        const version = await waitForToxiproxy(url, {
          timeoutMs: startupTimeoutMs,
          what: `the Toxiproxy container ${started.getId().slice(0, 12)} (${image}, network ${network})`,
        });
        return { available: true, server: { kind: 'container', url, version, addressing, dispose } };
      } catch (error) {
        await dispose().catch(() => {});
        throw error;
      }
    },
  };
}
