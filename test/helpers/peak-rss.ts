/**
 * Preloaded into a CLI process under test (node --import ./test/helpers/peak-rss.ts): at exit, write
 * the process's peak resident set size in KiB (getrusage ru_maxrss) to $PEAK_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
