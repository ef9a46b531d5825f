from urllib.parse import urlparse, urlunparse, urlencode, parse_qs, parse_qsl, quote, unquote, quote_plus, urljoin, urlsplit

u = urlparse("https://user:pw@example.com:8080/path/to/page.html;params?q=python&lang=en#frag")
print(u)
print(u.scheme, u.netloc, u.hostname, u.port, u.path, u.query, u.fragment, u.username)
print(parse_qs(u.query), parse_qsl("a=1&a=2&b="), parse_qs("a=1&b=", keep_blank_values=True))
print(urlencode({"q": "a b&c", "n": 1}), urlencode([("k", "v1"), ("k", "v2")]))
print(quote("a b/c?d=é"), quote("/x y", safe=""), quote_plus("a b+c"), unquote("%E2%82%AC%20x"))
print(urljoin("http://a/b/c/d", "../e"), urljoin("http://a/b/", "/root"), urljoin("http://a/b", "http://other/x"))
print(urlunparse(("http", "h", "/p", "", "x=1", "")), urlsplit("http://h/p?x#y").geturl())
print(u._replace(fragment="").geturl())
