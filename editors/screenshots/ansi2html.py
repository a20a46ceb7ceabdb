#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -e -p` as an HTML page.

usage: ansi2html.py SCREEN.ansi OUT.html [TITLE]

Only what a full-screen editor emits is handled: SGR attributes (bold, italic, underline and
undercurl, reverse) and colours (16, 256 and 24-bit). Standard library only.
"""
import html
import re
import sys

BASE16 = [
    "#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]
DEFAULT_FG, DEFAULT_BG = "#e0e2ea", "#14161b"


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = self.ul_color = None
        self.bold = self.italic = self.reverse = False
        self.underline = None  # None, "underline" or "undercurl"

    def apply(self, params):
        codes = [p for p in params.split(";")] if params else ["0"]
        i = 0
        while i < len(codes):
            code = codes[i]
            sub = code.split(":")
            c = int(sub[0] or 0)
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = "undercurl" if len(sub) > 1 and sub[1] == "3" else (
                    None if len(sub) > 1 and sub[1] == "0" else "underline")
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = None
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c == 59:
                self.ul_color = None
            elif c in (38, 48, 58):
                if len(sub) > 1:  # colon form: 38:2::r:g:b or 38:5:n
                    rest = [x for x in sub[1:]]
                    value = self.extended(rest)
                else:
                    value, used = self.extended_semicolon(codes[i + 1:])
                    i += used
                if c == 38:
                    self.fg = value
                elif c == 48:
                    self.bg = value
                else:
                    self.ul_color = value
            i += 1

    @staticmethod
    def extended(rest):
        if rest and rest[0] == "5":
            return color256(int(rest[1]))
        nums = [int(x) for x in rest[1:] if x != ""][-3:]
        return "#%02x%02x%02x" % tuple(nums)

    @staticmethod
    def extended_semicolon(rest):
        if rest and rest[0] == "5":
            return color256(int(rest[1])), 2
        r, g, b = (int(x) for x in rest[1:4])
        return "#%02x%02x%02x" % (r, g, b), 4

    def css(self):
        fg, bg = self.fg or DEFAULT_FG, self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        parts = [f"color:{fg}", f"background:{bg}"]
        if self.bold:
            parts.append("font-weight:bold")
        if self.italic:
            parts.append("font-style:italic")
        if self.underline:
            style = "wavy" if self.underline == "undercurl" else "solid"
            parts.append(f"text-decoration:underline {style} {self.ul_color or fg}")
        return ";".join(parts)


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def render(screen):
    style = Style()
    lines = []
    for raw in screen.split("\n"):
        out, pos = [], 0
        for m in SGR.finditer(raw):
            if m.start() > pos:
                out.append(f'<span style="{style.css()}">{html.escape(raw[pos:m.start()])}</span>')
            style.apply(m.group(1))
            pos = m.end()
        if pos < len(raw):
            out.append(f'<span style="{style.css()}">{html.escape(raw[pos:])}</span>')
        lines.append("".join(out))
    return "\n".join(lines)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else "Neovim"
    with open(src, encoding="utf-8", errors="replace") as f:
        screen = f.read().rstrip("\n")
    body = render(screen)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ margin:0; background:{DEFAULT_BG}; }}
pre {{ margin:0; padding:8px; font: 15px/17.5px "DejaVu Sans Mono", monospace; color:{DEFAULT_FG};
       background:{DEFAULT_BG}; white-space:pre; }}
pre span {{ white-space:pre; }}
</style></head><body><pre>{body}</pre></body></html>
"""
    with open(dst, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
