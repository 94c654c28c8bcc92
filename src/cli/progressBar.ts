/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds when piped (logs stay readable).
 */
import type { IndexProgress } from '../shared/engineProtocol';

export class ProgressBar {
  private lastDraw = 0;
  private lastPhase = '';
  private readonly started = Date.now();
  private phaseStarted = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: IndexProgress): void {
    const now = Date.now();
    if (p.phase !== this.lastPhase) {
      this.phaseStarted = now;
      this.lastPhase = p.phase;
    } else if (now - this.lastDraw < (this.stream.isTTY ? 100 : 5000)) return;
    this.lastDraw = now;
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const rate = p.phase === 'embedding' && now > this.phaseStarted ? ` ${Math.round((p.done * 1000) / (now - this.phaseStarted))}/s` : '';
    const counts = p.phase === 'reading' ? `${mb(p.done)}/${mb(p.total)} MB` : `${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')}`;
    const text = `${p.phase.padEnd(10)} ${counts}${rate}${p.message ? ` ${p.message}` : ''} ${((now - this.started) / 1000).toFixed(0)}s`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${text}\x1b[K`);
    } else {
      this.stream.write(`${(fraction * 100).toFixed(0).padStart(3)}% ${text}\n`);
    }
  }

  finish(): void {
    if (this.stream.isTTY && this.lastDraw > 0) this.stream.write('\r\x1b[K');
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
