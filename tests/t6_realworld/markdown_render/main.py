"""A Markdown subset to HTML, as static-site generators do it: a block
pass (headings, paragraphs, fenced code, nested lists, block quotes,
tables) driven by a small state machine over lines, then inline rules as
an ordered list of regex substitutions with callbacks, HTML escaping,
slugged heading ids with de-duplication, and a table of contents."""
import html
import re
import sys
import textwrap
from collections import Counter

INLINE = [
    (re.compile(r"`([^`]+)`"), lambda m: "\0code{}\0".format(len(m.group(1))) + m.group(1) + "\0/code\0"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)"), r'<img alt="\1" src="\2">'),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+&quot;(.*?)&quot;)?\)"),
     lambda m: f'<a href="{m.group(2)}"' + (f' title="{m.group(3)}"' if m.group(3) else "") + f">{m.group(1)}</a>"),
    (re.compile(r"(?<![\"=])\bhttps?://[\w./-]+[\w/]"), lambda m: f'<a href="{m.group()}">{m.group()}</a>'),
]


def inline(text):
    # protect code spans from the other rules
    codes = []

    def stash(m):
        codes.append(m.group(1))
        return f"\x01{len(codes) - 1}\x01"

    text = re.sub(r"`([^`]+)`", stash, text)
    text = html.escape(text, quote=True)
    for pattern, repl in INLINE[1:]:
        text = pattern.sub(repl, text)
    return re.sub(r"\x01(\d+)\x01", lambda m: f"<code>{html.escape(codes[int(m.group(1))])}</code>", text)


class Renderer:
    def __init__(self):
        self.out = []
        self.toc = []
        self.slugs = Counter()

    def slug(self, text):
        base = re.sub(r"[^\w\s-]", "", text.lower()).strip()
        base = re.sub(r"[\s_]+", "-", base)
        self.slugs[base] += 1
        return base if self.slugs[base] == 1 else f"{base}-{self.slugs[base] - 1}"

    def render(self, src):
        lines = src.splitlines()
        i = 0
        para = []

        def flush():
            if para:
                self.out.append("<p>" + inline(" ".join(para)) + "</p>")
                para.clear()

        while i < len(lines):
            line = lines[i]
            if line.startswith("```"):
                flush()
                lang = line[3:].strip()
                j = i + 1
                while j < len(lines) and not lines[j].startswith("```"):
                    j += 1
                code = html.escape("\n".join(lines[i + 1:j]))
                cls = f' class="language-{lang}"' if lang else ""
                self.out.append(f"<pre><code{cls}>{code}</code></pre>")
                i = j + 1
                continue
            m = re.match(r"(#{1,6})\s+(.*?)\s*#*$", line)
            if m:
                flush()
                level, text = len(m.group(1)), m.group(2)
                sid = self.slug(text)
                self.toc.append((level, text, sid))
                self.out.append(f'<h{level} id="{sid}">{inline(text)}</h{level}>')
            elif re.match(r"\s*([-*+]|\d+\.)\s", line):
                flush()
                j = i
                while j < len(lines) and (re.match(r"\s*([-*+]|\d+\.)\s", lines[j]) or lines[j].startswith("    ")):
                    j += 1
                self.list_block(lines[i:j])
                i = j
                continue
            elif line.startswith(">"):
                flush()
                j = i
                while j < len(lines) and lines[j].startswith(">"):
                    j += 1
                inner = Renderer()
                inner.slugs = self.slugs
                inner.render("\n".join(l[1:].lstrip() for l in lines[i:j]))
                self.out.append("<blockquote>\n" + "\n".join(inner.out) + "\n</blockquote>")
                i = j
                continue
            elif "|" in line and i + 1 < len(lines) and re.match(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$", lines[i + 1]):
                flush()
                j = i + 2
                while j < len(lines) and "|" in lines[j]:
                    j += 1
                self.table(lines[i], lines[i + 1], lines[i + 2:j])
                i = j
                continue
            elif not line.strip():
                flush()
            elif re.match(r"^(-{3,}|\*{3,})$", line.strip()):
                flush()
                self.out.append("<hr>")
            else:
                para.append(line.strip())
            i += 1
        flush()

    def list_block(self, lines, depth=0):
        ordered = bool(re.match(r"\s*\d+\.", lines[0]))
        tag = "ol" if ordered else "ul"
        pad = "  " * depth
        self.out.append(f"{pad}<{tag}>")
        indent = len(lines[0]) - len(lines[0].lstrip())
        k = 0
        while k < len(lines):
            item = re.sub(r"^\s*([-*+]|\d+\.)\s+", "", lines[k])
            sub = []
            k += 1
            while k < len(lines) and len(lines[k]) - len(lines[k].lstrip()) > indent:
                sub.append(lines[k])
                k += 1
            check = re.match(r"\[([ xX])\]\s+(.*)", item)
            if check:
                box = "checked " if check.group(1) != " " else ""
                item = f'<input type="checkbox" {box}disabled> ' + inline(check.group(2))
            else:
                item = inline(item)
            if sub:
                self.out.append(f"{pad}  <li>{item}")
                self.list_block(sub, depth + 2)
                self.out.append(f"{pad}  </li>")
            else:
                self.out.append(f"{pad}  <li>{item}</li>")
        self.out.append(f"{pad}</{tag}>")

    def table(self, head, rule, rows):
        def cells(row):
            return [c.strip() for c in row.strip().strip("|").split("|")]

        aligns = []
        for c in cells(rule):
            left, right = c.startswith(":"), c.endswith(":")
            aligns.append("center" if left and right else "right" if right else "left" if left else None)
        self.out.append("<table>")
        self.out.append("  <tr>" + "".join(self._cell("th", c, a) for c, a in zip(cells(head), aligns)) + "</tr>")
        for r in rows:
            self.out.append("  <tr>" + "".join(self._cell("td", c, a) for c, a in zip(cells(r), aligns)) + "</tr>")
        self.out.append("</table>")

    @staticmethod
    def _cell(tag, text, align):
        style = f' style="text-align:{align}"' if align else ""
        return f"<{tag}{style}>{inline(text)}</{tag}>"


def main():
    r = Renderer()
    r.render(sys.stdin.read())
    print("<nav>")
    for level, text, sid in r.toc:
        print("  " * (level - 1) + f'<a href="#{sid}">{html.escape(text)}</a>')
    print("</nav>")
    print("\n".join(r.out))
    words = sum(len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", l))) for l in r.out)
    print(textwrap.fill(f"<!-- {len(r.out)} blocks, {words} words, headings: "
                        + ", ".join(sid for _, _, sid in r.toc) + " -->", width=72))


main()
