"""A static link checker over a crawled site map, the way SEO and docs
tools are written: hrefs pulled out of HTML with a regex, resolved with
urllib.parse.urljoin, normalised (scheme/host case, default ports,
percent-encoding, sorted query, no fragment), classified internal/external,
tracking parameters stripped, and broken links reported per page."""
import re
import sys
from collections import defaultdict
from urllib.parse import (parse_qsl, quote, unquote, urldefrag, urlencode, urljoin, urlsplit, urlunsplit)

HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
TRACKING = {"utm_source", "utm_medium", "utm_campaign", "fbclid", "ref"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@-._~!$&'()*+,;=")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in TRACKING))
    return urlunsplit((scheme, netloc, path, query, ""))


def load_site(text):
    pages, current = {}, None
    for line in text.splitlines():
        if line.startswith("=== "):
            current = line[4:].strip()
            pages[current] = []
        elif current:
            pages[current].append(line)
    return {url: "\n".join(lines) for url, lines in pages.items()}


def main():
    pages = load_site(sys.stdin.read())
    known = {normalise(u) for u in pages}
    site_host = urlsplit(next(iter(pages))).hostname
    broken = defaultdict(list)
    external = defaultdict(set)
    skipped = []
    inbound = defaultdict(int)
    for page, html in pages.items():
        for _, href in HREF.findall(html):
            href = href.strip()
            scheme = urlsplit(href).scheme
            if scheme in ("mailto", "javascript", "tel"):
                skipped.append((page, href))
                continue
            target, frag = urldefrag(urljoin(page, href))
            norm = normalise(target)
            host = urlsplit(norm).hostname
            if host != site_host:
                external[host].add(norm)
            elif norm in known:
                inbound[norm] += 1
            else:
                broken[page].append((href, norm))
    print(f"{len(pages)} pages on {site_host}")
    for page in sorted(broken):
        print(f"broken links on {urlsplit(page).path}:")
        for href, norm in broken[page]:
            print(f"  {href!r:34} -> {norm}")
    print("external hosts:")
    for host in sorted(external):
        print(f"  {host}: {len(external[host])} url(s), e.g. {min(external[host])}")
    orphans = sorted(u for u in known if not inbound[u] and urlsplit(u).path != "/")
    print("orphan pages:", [urlsplit(u).path for u in orphans])
    print("skipped:", [h for _, h in skipped])
    print("most linked:", max(sorted(inbound), key=inbound.get), max(inbound.values()))
    print(normalise("HTTPS://Example.COM:443/a/./b/../c%7e?b=2&a=1&utm_source=x#top"))
    print(urljoin("https://example.com/docs/guide/", "../api/?v=2#x"), urldefrag("https://e.com/p#frag"))


main()
