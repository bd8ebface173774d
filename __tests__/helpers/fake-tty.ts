/**
 * A terminal's screen behind a stand-in for Node's tty.WriteStream, as far as the terminal renderer uses one. It
 * models Node's documented behaviour (nodejs.org/api/tty.html, class tty.WriteStream): `cursorTo(x)` moves the cursor
 * to column x of its row; `clearLine(0)` clears the whole row the cursor is on, leaving the cursor where it is;
 * `columns` is the terminal's width. Text is written at the cursor, over what is there; a newline moves to column 0
 * of the next row, as a terminal in its usual mode (onlcr) shows it. `writes` keeps every call, to tell a redraw in
 * place from a new line.
 */
export class FakeTty {
  readonly isTTY = true;
  readonly rows: string[] = [''];
  readonly writes: string[] = [];
  private row = 0;
  private column = 0;

  constructor(readonly columns = 80) {}

  write(text: string): boolean {
    this.writes.push(text);
    for (const char of text) {
      if (char === '\n') {
        this.row += 1;
        this.column = 0;
        if (this.rows.length <= this.row) this.rows.push('');
        continue;
      }
      const line = this.rows[this.row].padEnd(this.column);
      this.rows[this.row] = line.slice(0, this.column) + char + line.slice(this.column + 1);
      this.column += 1;
    }
    return true;
  }

  cursorTo(x: number): boolean {
    this.writes.push(`<cursorTo ${x}>`);
    this.column = x;
    return true;
  }

  clearLine(dir: -1 | 0 | 1): boolean {
    this.writes.push(`<clearLine ${dir}>`);
    if (dir !== 0) throw new Error('the terminal renderer clears whole rows only');
    this.rows[this.row] = '';
    return true;
  }

  /** The screen as a person sees it: each row, trailing spaces dropped, the empty last row (the cursor's) left out. */
  screen(): string[] {
    const rows = this.rows.map((r) => r.trimEnd());
    return rows[rows.length - 1] === '' ? rows.slice(0, -1) : rows;
  }
}
