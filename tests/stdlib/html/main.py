import html
from html.parser import HTMLParser

print(html.escape('<a href="x">Tom & Jerry\'s</a>'), html.escape("<b>", quote=False))
print(html.unescape("&lt;p&gt; &amp;amp; &eacute; &#233; &#x41; &nbsp;|"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


p = Links()
p.feed('<html><body><a href="/one">One</a> and <a href="http://two">Two &amp; more</a><br/></body></html>')
print(p.links, p.text)
