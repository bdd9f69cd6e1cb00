#!/usr/bin/env python3
"""ansi2svg.py < pane.ansi > screen.svg: a terminal screen captured with
`tmux capture-pane -e -p` as an SVG picture. Half-block cells (▀ ▄) become two coloured
rectangles, so pictures drawn with half-blocks stay pictures."""
import re
import sys
from html import escape

CW, CH = 9, 18  # cell size in pixels
BASE16 = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
          "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (v, v, v)


def parse(text, default_fg="#e5e5e5", default_bg="#1e1e2e"):
    rows = []
    fg, bg, bold = None, None, False  # SGR state carries across lines, as in a terminal
    for line in text.split("\n"):
        cells = []
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg, bg, bold = None, None, False
                    elif c == 1:
                        bold = True
                    elif 30 <= c <= 37 or 90 <= c <= 97:
                        fg = BASE16[c - 30 if c < 90 else c - 82]
                    elif 40 <= c <= 47 or 100 <= c <= 107:
                        bg = BASE16[c - 40 if c < 100 else c - 92]
                    elif c in (38, 48) and i + 1 < len(codes):
                        if codes[i + 1] == 5:
                            color = xterm256(codes[i + 2]); i += 2
                        else:
                            color = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5]); i += 4
                        if c == 38:
                            fg = color
                        else:
                            bg = color
                    elif c == 39:
                        fg = None
                    elif c == 49:
                        bg = None
                    i += 1
            else:
                for ch in part:
                    cells.append((ch, fg, bg, bold))
        rows.append(cells)
    return rows


def svg(rows, default_fg="#cdd6f4", default_bg="#1e1e2e"):
    width = max((len(r) for r in rows), default=80)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * CW}" height="{len(rows) * CH}" '
           f'font-family="DejaVu Sans Mono, Menlo, monospace" font-size="15">',
           f'<rect width="100%" height="100%" fill="{default_bg}"/>']
    for y, row in enumerate(rows):
        for x, (ch, fg, bg, bold) in enumerate(row):
            px, py = x * CW, y * CH
            if ch in "▀▄":
                top, bottom = (fg, bg) if ch == "▀" else (bg, fg)
                out.append(f'<rect x="{px}" y="{py}" width="{CW}" height="{CH // 2}" fill="{top or default_bg}"/>')
                out.append(f'<rect x="{px}" y="{py + CH // 2}" width="{CW}" height="{CH // 2}" fill="{bottom or default_bg}"/>')
                continue
            if bg:
                out.append(f'<rect x="{px}" y="{py}" width="{CW}" height="{CH}" fill="{bg}"/>')
            if ch.strip():
                weight = ' font-weight="bold"' if bold else ""
                out.append(f'<text x="{px}" y="{py + CH - 5}" fill="{fg or default_fg}"{weight}>{escape(ch)}</text>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    print(svg(parse(sys.stdin.read())))
