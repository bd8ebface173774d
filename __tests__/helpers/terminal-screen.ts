/**
 * What a terminal shows of the bytes a program wrote to it: the rows at the end, and every row as it was just before
 * a redraw erased it. It reads the control sequences Node's tty.WriteStream sends for cursorTo(x) (CSI x+1 G) and
 * clearLine(0) (CSI 2 K), as ECMA-48 defines them (CHA, cursor character absolute; EL 2, erase the whole line);
 * carriage return and line feed as a pseudo-terminal delivers a newline (onlcr: CR LF). Other CSI sequences (a cursor
 * shown or hidden) are skipped.
 */
export function replay(bytes: string): { readonly rows: string[]; readonly erased: string[] } {
  const rows: string[] = [''];
  const erased: string[] = [];
  let row = 0;
  let column = 0;
  for (let i = 0; i < bytes.length; i++) {
    const char = bytes[i];
    if (char === '\u001b' && bytes[i + 1] === '[') {
      const csi = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(bytes.slice(i));
      if (!csi) continue;
      i += csi[0].length - 1;
      if (csi[2] === 'G') column = Math.max(0, Number(csi[1] || '1') - 1);
      if (csi[2] === 'K' && csi[1] === '2') {
        if (rows[row] !== '') erased.push(rows[row]);
        rows[row] = '';
      }
      continue;
    }
    if (char === '\r') column = 0;
    else if (char === '\n') {
      row += 1;
      if (rows.length <= row) rows.push('');
    } else {
      const line = rows[row].padEnd(column);
      rows[row] = line.slice(0, column) + char + line.slice(column + 1);
      column += 1;
    }
  }
  return { rows: rows.map((r) => r.trimEnd()).filter((r, i, all) => r !== '' || i < all.length - 1), erased };
}
