import { comfyuiProfile } from '../../protocol/index.ts';

/**
 * 0.3.64 reached over TLS: behind a TLS-terminating reverse proxy (nginx, Caddy, a Cloudflare
 * tunnel) or started with ComfyUI's own `--tls-keyfile`/`--tls-certfile`. Routes and frames are the
 * baseline's; what changes is the scheme: `https://` for HTTP and `wss://` for the socket (the
 * official frontend derives `wss` from an `https:` page), and a plain `http://` or `ws://`
 * connection to the port fails in the TLS handshake. The simulator serves TLS itself, which a client
 * cannot tell from a proxy that terminates it. Sources and tests: docs/comfyui-protocol.md, "TLS".
 */
export const gatewayTls = comfyuiProfile.parse({
  name: 'gateway-tls',
  summary: 'ComfyUI 0.3.64 over TLS (a TLS-terminating proxy or --tls-keyfile): https and wss only',
  comfyuiVersion: '0.3.64',
  front: { tls: true },
  sources: [
    'comfyanonymous/ComfyUI comfy/cli_args.py 005d79c8 (read): --tls-keyfile/--tls-certfile "makes app accessible at https://"',
    'comfyanonymous/ComfyUI server.py 005f3ba4 start_multi_address (read): one TLS site for HTTP and /ws when both files are given',
    'ComfyUI_frontend 1.27.10 and 1.58.1 builds in .tools/frontend (read): the socket is wss when location.protocol is https:',
  ],
});
