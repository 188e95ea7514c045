// Preloaded into the measured process (`node --import`): at exit, writes its peak RSS in
// bytes to the file named by KPI_BENCH_RSS_FILE, so the benchmark needs no /usr/bin/time.
import { writeFileSync } from 'node:fs';

const target = process.env.KPI_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
