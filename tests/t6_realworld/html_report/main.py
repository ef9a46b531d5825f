"""Extracts a report from an HTML page: title, headings outline, links
(internal/external), a table as rows, and the visible text, with entities
decoded (html.parser, html.escape/unescape)."""
import html
from html.parser import HTMLParser
from collections import Counter

PAGE = """<!DOCTYPE html>
<html><head><title>Quarterly &amp; Annual Report</title>
<style>body { color: red; }</style></head>
<body>
<h1>Results</h1>
<p>Revenue grew by <b>12&#37;</b> &mdash; see <a href="/details?id=3&amp;v=2">details</a>.</p>
<h2>Regions</h2>
<table>
<tr><th>Region</th><th>Sales</th></tr>
<tr><td>North</td><td>1,200</td></tr>
<tr><td>S&uuml;d</td><td>980</td></tr>
</table>
<h2>Links</h2>
<ul><li><a href="https://example.org/a">External A</a></li>
<li><a href='page2.html' class="x">Page 2</a></li>
<li><a>no href</a></li></ul>
<!-- a comment -->
<script>var x = "<b>not markup</b>";</script>
<img src="chart.png" alt="chart &lt;1&gt;"/>
</body></html>
"""


class Report(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.title = ""
        self.outline = []
        self.links = []
        self.rows = []
        self.text = []
        self.tags = Counter()
        self.comments = []
        self._cell = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.stack.append(tag)
        a = dict(attrs)
        if tag == "a":
            self.links.append(a.get("href"))
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.text.append(f"[image: {a.get('alt')}]")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self.stack:
            top = self.stack.pop()
            if top == tag:
                break
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        where = self.stack[-1] if self.stack else ""
        if where in ("style", "script"):
            return
        if where == "title":
            self.title += data
        elif where in ("h1", "h2"):
            self.outline.append(("  " if where == "h2" else "") + data.strip())
        if self._cell is not None:
            self._cell.append(data)
        if data.strip():
            self.text.append(data.strip())

    def handle_comment(self, data):
        self.comments.append(data.strip())


r = Report()
r.feed(PAGE)
r.close()
print("title:", r.title)
print("outline:")
for h in r.outline:
    print(" ", h)
internal = [l for l in r.links if l and not l.startswith("http")]
external = [l for l in r.links if l and l.startswith("http")]
print("links:", len(r.links), "internal", internal, "external", external, "missing", r.links.count(None))
print("table:")
for row in r.rows:
    print("  | " + " | ".join(f"{c:<8}" for c in row) + " |")
print("text:", " ".join(r.text))
print("comments:", r.comments)
print("tags:", sorted(r.tags.items()))
print(html.escape(r.title), "|", html.escape("<a href='x'>", quote=True), "|", html.unescape("&lt;&#x263A;&gt; &copy;2024 &notanentity;"))
