/** Runs the emulated host in its own process for benchmarks, so client and server do not share a thread. Prints the port. */
import { startEmulatedHost } from '../src/emulator/index.js';

const host = await startEmulatedHost({ auth: { basic: true, negotiate: true }, allowUnencrypted: true });
process.stdout.write(JSON.stringify({ port: host.port, url: host.url }) + '\n');
process.on('SIGTERM', () => void host.close().then(() => process.exit(0)));
