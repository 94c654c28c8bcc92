/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds when piped (logs stay readable).
 * The words come from src/core/progressText.ts, as in VS Code: files, papers and human sizes.
 */
import { terminalText } from '../core/displayText';
import { progressText } from '../core/progressText';
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
    const rate = p.phase === 'embedding' && now > this.phaseStarted ? `, ${Math.round((p.done * 1000) / (now - this.phaseStarted))}/s` : '';
    // The file name is library input: no escape sequence of it reaches the terminal.
    const text = terminalText(`${progressText(p, { file: true })}${rate} · ${((now - this.started) / 1000).toFixed(0)}s`);
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

