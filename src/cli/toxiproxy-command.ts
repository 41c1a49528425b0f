import type { Command } from 'commander';
import { cachedToxiproxyBinary, installToxiproxy, PINNED_RELEASE, ToxiproxyHarnessError, TOXIPROXY_VERSION } from '../harness/toxiproxy/index.ts';
import { UsageError } from '../harness/usage-error.ts';

export function registerToxiproxy(program: Command): void {
  const toxiproxy = program
    .command('toxiproxy')
    .description('Get the Toxiproxy server network faults need, without Go: `toxiproxy install` downloads the pinned release and checks its SHA-256');

  toxiproxy
    .command('install')
    .description(`Download toxiproxy-server ${TOXIPROXY_VERSION} for this platform from the official GitHub release, check its pinned SHA-256, and keep it in the per-user cache where comfy-chaos finds it`)
    .option('--force', 'download again even when the cached binary is already the right one', false)
    .action(async (opts: { force: boolean }) => {
      try {
        const got = await installToxiproxy({ force: opts.force });
        const what = got.downloaded ? `downloaded ${got.url} (${got.bytes} bytes)` : 'already installed';
        process.stdout.write(`toxiproxy-server ${got.version}: ${what}, SHA-256 ${got.sha256} as pinned\n${got.path}\n`);
        if (!PINNED_RELEASE.verifiedAgainstChecksumsTxt) {
          process.stdout.write("note: the pinned digests were taken from other projects' pins of this release, not from its checksums.txt (see the package's docs/comfyui-protocol.md)\n");
        }
      } catch (error) {
        if (error instanceof ToxiproxyHarnessError) throw new UsageError(`toxiproxy install: ${error.message}`);
        throw error;
      }
    });

  toxiproxy
    .command('path')
    .description('Print where `toxiproxy install` puts the binary (whether or not it is there yet)')
    .action(() => {
      process.stdout.write(`${cachedToxiproxyBinary()}\n`);
    });
}
