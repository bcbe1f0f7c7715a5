#!/usr/bin/env python3
"""Writes the feed conformance corpus: one small document per case, NNN-name.xml (or .json), and beside it
NNN-name.expected.json with the fields a forgiving reader must give. The files are committed; re-run this script
only to change the corpus (python3 generate.py, from this folder).

Expected fields are computed here, independently of the C# parser (entity values from Python's html.entities.html5,
Windows-1252 from Python's codec), and only the fields a case names are checked:
  url            the fetched document URL given to the parser (default DOC_URL)
  content_type   the HTTP Content-Type
  error          the parse must fail, its error containing this text
  feed           {"title", "site", "format"}
  items / min_items   exact / least number of items
  item           list of {"index", "title", "link", "guid", "summary", "content", "published", "authors"}
  repairs        text the health-row repair note must contain ("" means: nothing repaired)
  not_contains   text no title, summary or content may contain
"""
import base64
import html.entities
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_URL = "https://news.example.test/feeds/main.xml"
CASES = []


def add(cls, name, body, expected):
    CASES.append((cls, name, body, expected))


def collapse(text):
    return " ".join(text.replace("\u200b", " ").split())


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rss(items, title="Test Feed", link="https://example.test/", extra_ns="", channel_extra="", version="2.0", decl=True):
    head = '<?xml version="1.0" encoding="utf-8"?>\n' if decl else ""
    return (f'{head}<rss version="{version}"{extra_ns}><channel><title>{title}</title><link>{link}</link>'
            f'<description>d</description>{channel_extra}\n' + "\n".join(items) + "\n</channel></rss>\n")


def item(title="Item", link="https://example.test/1", extra="", guid=None):
    g = f"<guid>{guid}</guid>" if guid else ""
    return f"<item><title>{title}</title><link>{link}</link>{g}{extra}</item>"


def atom(entries, title="Atom Feed", extra_ns="", feed_extra="", attrs=""):
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom"{extra_ns}{attrs}><title>{title}</title>'
            f'<link href="https://atom.example.test/"/><id>urn:feed</id><updated>2026-03-02T08:00:00Z</updated>{feed_extra}\n'
            + "\n".join(entries) + "\n</feed>\n")


def entry(title="Entry", link="https://atom.example.test/1", extra="", id_="urn:entry:1"):
    return f'<entry><title>{title}</title><id>{id_}</id><link href="{link}"/>{extra}<updated>2026-03-02T08:00:00Z</updated></entry>'


def html5(name):
    table = html.entities.html5
    for candidate in (name, name.lower(), name.lower().capitalize()):
        if candidate + ";" in table:
            return table[candidate + ";"]
    return None


# ---------------------------------------------------------------- 1. recovery from ill-formed XML
ENTITIES = ["nbsp", "hellip", "rsquo", "lsquo", "ldquo", "rdquo", "mdash", "ndash", "eacute", "Eacute", "copy", "reg",
            "trade", "euro", "pound", "laquo", "raquo", "middot", "bull", "times", "deg", "frac12", "uuml", "ouml",
            "auml", "szlig", "ccedil", "ntilde", "aring", "oslash", "hearts", "rarr", "larr", "iexcl", "iquest",
            "thinsp", "alpha", "Omega", "sup2", "para", "sect", "cent", "yen", "prime", "permil", "dagger",
            "NBSP", "Hellip", "RSQUO", "MDASH", "EACUTE", "Copy", "AMP", "LT", "QUOT", "NotEqual", "ShortRightArrow",
            "bne", "fjlig", "acE"]
for i, name in enumerate(ENTITIES):
    value = html5(name)
    assert value is not None, name
    text = collapse(f"Before {value} after")
    if i % 2 == 0:
        body = rss([item(f"Before &{name}; after", "https://example.test/e", f"<description>x &{name}; y</description>")])
        add("recovery", f"entity-rss-{name}", body, {"items": 1, "item": [{"index": 0, "title": text, "summary": collapse(f"x {value} y")}],
                                                     "repairs": "undeclared entit"})
    else:
        body = atom([entry(f"Before &{name}; after", extra=f"<summary>x &{name}; y</summary>")])
        add("recovery", f"entity-atom-{name}", body, {"items": 1, "item": [{"index": 0, "title": text, "summary": collapse(f"x {value} y")}],
                                                      "repairs": "undeclared entit"})

add("recovery", "entity-count-on-health-row",
    rss([item("A&nbsp;B&hellip;", extra="<description>&rsquo;quoted&rsquo;</description>")]),
    {"items": 1, "item": [{"index": 0, "title": "A B\u2026", "summary": "\u2019quoted\u2019"}], "repairs": "4 undeclared entities repaired"})
add("recovery", "well-formed-reports-nothing", rss([item("Plain &amp; simple")]), {"items": 1, "item": [{"index": 0, "title": "Plain & simple"}], "repairs": ""})

for i, (raw, title) in enumerate([("AT&T wins", "AT&T wins"), ("Q&A session", "Q&A session"), ("Tom & Jerry", "Tom & Jerry"),
                                  ("R&D;", "R&D;"), ("100% & more &", "100% & more &"), ("&&&", "&&&"), ("a &# b", "a &# b"),
                                  ("a &#xZZ; b", "a &#xZZ; b"), ("&unknownentity; stays", "&unknownentity; stays"), ("M&amp;M", "M&M")]):
    add("recovery", f"bare-ampersand-title-{i:02}", rss([item(raw)]), {"items": 1, "item": [{"index": 0, "title": title}]})
for i, url in enumerate(["https://example.test/a?x=1&y=2", "https://example.test/?q=a&b&c=d", "https://example.test/p?utm_source=rss&utm_medium=feed&id=7"]):
    add("recovery", f"bare-ampersand-link-{i}", rss([item("Linked", url)]), {"items": 1, "item": [{"index": 0, "link": url}]})
    add("recovery", f"bare-ampersand-atom-href-{i}", atom([entry("Linked", url)]), {"items": 1, "item": [{"index": 0, "link": url}]})

for i, (ref, value) in enumerate([("&#X41;", "A"), ("&#x41;", "A"), ("&#65;", "A"), ("&#X2019;", "\u2019"), ("&#8217;", "\u2019"),
                                  ("&#150;", "\u2013"), ("&#147;q&#148;", "\u201cq\u201d"), ("&#x1F600;", "\U0001F600"), ("&#128;", "\u20ac")]):
    add("recovery", f"char-ref-{i}", rss([item(f"x{ref}y")]), {"items": 1, "item": [{"index": 0, "title": f"x{value}y"}]})

FULL = rss([item("First story", "https://example.test/1", "<description>one</description>", guid="g1"),
            item("Second story", "https://example.test/2", "<description>two</description>", guid="g2"),
            item("Third story", "https://example.test/3", "<description>three</description>", guid="g3")])
third = FULL.index("<item><title>Third")
for k, cut in enumerate([third + 3, third + 14, third + 20, third + 40, third + 60, third + 75, third + 90, third + 101, len(FULL) - 16, len(FULL) - 4]):
    add("recovery", f"truncated-rss-{k:02}", FULL[:cut],
        {"min_items": 2, "item": [{"index": 0, "title": "First story", "link": "https://example.test/1", "summary": "one"},
                                   {"index": 1, "title": "Second story", "link": "https://example.test/2", "summary": "two"}]})
FULL_ATOM = atom([entry("First entry", "https://atom.example.test/1", "<summary>one</summary>", "urn:1"),
                  entry("Second entry", "https://atom.example.test/2", "<summary>two</summary>", "urn:2"),
                  entry("Third entry", "https://atom.example.test/3", "<summary>three</summary>", "urn:3")])
third = FULL_ATOM.index("<entry><title>Third")
for k, cut in enumerate([third + 2, third + 12, third + 25, third + 50, third + 80, third + 110, len(FULL_ATOM) - 10, len(FULL_ATOM) - 3]):
    add("recovery", f"truncated-atom-{k:02}", FULL_ATOM[:cut],
        {"min_items": 2, "item": [{"index": 0, "title": "First entry", "guid": "urn:1", "summary": "one"},
                                   {"index": 1, "title": "Second entry", "guid": "urn:2", "summary": "two"}]})
add("recovery", "truncated-reported", FULL[:-12], {"items": 3, "repairs": "document truncated"})
add("recovery", "truncated-before-first-item", FULL[:FULL.index("<item>") + 3], {"error": "truncated before its first item"})

for i, junk in enumerate(["\x01", "\x0b", "\x00", "\x1f", "\ufffe"]):
    add("recovery", f"stray-control-{i}", rss([item(f"Con{junk}trol")]), {"items": 1, "item": [{"index": 0, "title": "Control"}], "repairs": "stray"})
add("recovery", "php-warning-before-prolog",
    "<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b> on line <b>12</b><br />\n" + rss([item("After warning")]),
    {"items": 1, "item": [{"index": 0, "title": "After warning"}]})
add("recovery", "whitespace-before-prolog", "\n\n   " + rss([item("Spaced")]), {"items": 1, "item": [{"index": 0, "title": "Spaced"}]})
add("recovery", "text-before-root", "Generated by X\n" + rss([item("Text first")], decl=False), {"items": 1, "item": [{"index": 0, "title": "Text first"}]})
add("recovery", "junk-after-root", rss([item("Junk after")]) + "<!-- 0.2s --><html><body>stats</body></html>", {"items": 1, "item": [{"index": 0, "title": "Junk after"}]})
add("recovery", "two-documents", rss([item("First doc")]) + rss([item("Second doc")]), {"items": 1, "item": [{"index": 0, "title": "First doc"}]})
add("recovery", "unescaped-html-description",
    rss([item("Html", extra="<description><p>Hello <b>world</b><br>again</p></description>")]), {"items": 1, "item": [{"index": 0, "summary": "Hello world again"}]})
add("recovery", "unclosed-br-in-title", rss([item("Line<br>break")]), {"items": 1, "item": [{"index": 0, "title": "Line break"}]})
add("recovery", "undeclared-dc-prefix",
    rss([item("Prefixed", extra="<dc:creator>Jane Doe</dc:creator><dc:date>2026-03-02T08:00:00Z</dc:date>")]),
    {"items": 1, "item": [{"index": 0, "authors": ["Jane Doe"], "published": "2026-03-02T08:00:00+00:00"}], "repairs": "undeclared prefix"})
add("recovery", "undeclared-media-prefix", rss([item("Media", extra='<media:description>From media</media:description>')]),
    {"items": 1, "item": [{"index": 0, "summary": "From media"}]})
add("recovery", "mismatched-case-end-tag", rss(["<item><Title>Cased</title><link>https://example.test/c</LINK></item>"]),
    {"items": 1, "item": [{"index": 0, "title": "Cased", "link": "https://example.test/c"}]})
for i, raw in enumerate(["3 < 5", "a <3 b", "x < y > z", "<"]):
    add("recovery", f"bare-less-than-{i}", rss([item(raw)]), {"items": 1, "item": [{"index": 0, "title": collapse(raw)}]})
add("recovery", "unquoted-attributes", atom(['<entry><title>U</title><id>urn:u</id><link rel=alternate href=https://atom.example.test/u /></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/u"}]})
add("recovery", "duplicate-attributes", atom(['<entry><title>D</title><id>urn:d</id><link href="https://atom.example.test/d" href="https://other.test/"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/d"}]})
add("recovery", "boolean-attribute", rss([item("Bool", extra='<enclosure url="https://example.test/a.mp3" hidden/>')]), {"items": 1, "item": [{"index": 0, "title": "Bool"}]})
add("recovery", "stray-end-tags", rss([item("Stray</b></p>", extra="</span>")]), {"items": 1, "item": [{"index": 0, "title": "Stray"}]})
add("recovery", "unclosed-item-before-next", rss(["<item><title>One</title><link>https://example.test/1</link>", item("Two", "https://example.test/2")]),
    {"min_items": 1, "item": [{"index": 0, "title": "One"}]})
add("recovery", "nbsp-in-cdata-stays-text", rss([item("<![CDATA[Tom&nbsp;Jerry]]>")]), {"items": 1, "item": [{"index": 0, "title": "Tom Jerry"}]})
add("recovery", "unterminated-cdata", rss([item("Ok")])[:-30] + "<item><title><![CDATA[Open cdata", {"min_items": 1, "item": [{"index": 0, "title": "Ok"}]})
add("recovery", "unterminated-comment", rss([item("Commented")])[:-25] + "<!-- never ends", {"items": 1, "item": [{"index": 0, "title": "Commented"}]})

# ---------------------------------------------------------------- 2. elements and aliases
add("elements", "rss-091-netscape-dtd",
    '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
    '<rss version="0.91"><channel><title>Old &amp; proud</title><link>https://old.example.test/</link><description>d</description><language>en</language>'
    '<item><title>Ninety one &eacute;</title><link>https://old.example.test/91</link><description>First&nbsp;one</description></item></channel></rss>',
    {"feed": {"title": "Old & proud", "site": "https://old.example.test/", "format": "RSS 0.91"},
     "items": 1, "item": [{"index": 0, "title": "Ninety one \u00e9", "link": "https://old.example.test/91", "summary": "First one"}]})
add("elements", "rss-092", rss([item("Ninety two", extra="<source url=\"https://s.test/\">S</source><category>c</category>")], version="0.92"),
    {"feed": {"format": "RSS 0.92"}, "items": 1, "item": [{"index": 0, "title": "Ninety two"}]})
RDF = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel rdf:about="https://rdf.example.test/"><title>RDF feed</title><link>https://rdf.example.test/</link>'
       '<description>d</description><items><rdf:Seq><rdf:li resource="https://rdf.example.test/a"/></rdf:Seq></items></channel>\n'
       '{items}\n</rdf:RDF>')
add("elements", "rss-10-rdf-about-is-id",
    RDF.replace("{items}", '<item rdf:about="https://rdf.example.test/a"><title>RDF item</title><link>https://rdf.example.test/a?from=rss</link>'
                '<dc:date>2026-03-02T08:15:00+01:00</dc:date><dc:creator>Ann Lee</dc:creator><description>Rdf text</description></item>'),
    {"feed": {"title": "RDF feed", "format": "RSS 1.0"}, "items": 1,
     "item": [{"index": 0, "guid": "https://rdf.example.test/a", "link": "https://rdf.example.test/a?from=rss", "published": "2026-03-02T07:15:00+00:00",
               "authors": ["Ann Lee"], "summary": "Rdf text"}]})
add("elements", "rss-10-about-as-link-fallback",
    RDF.replace("{items}", '<item rdf:about="https://rdf.example.test/b"><title>No link</title></item>'),
    {"items": 1, "item": [{"index": 0, "guid": "https://rdf.example.test/b", "link": "https://rdf.example.test/b"}]})
add("elements", "rss-10-two-items",
    RDF.replace("{items}", '<item rdf:about="urn:x:1"><title>One</title><link>https://rdf.example.test/1</link></item>'
                '<item rdf:about="urn:x:2"><title>Two</title><link>https://rdf.example.test/2</link></item>'),
    {"items": 2, "item": [{"index": 0, "guid": "urn:x:1"}, {"index": 1, "guid": "urn:x:2", "title": "Two"}]})
add("elements", "rss-090",
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">'
    '<channel><title>Zero nine</title><link>https://090.example.test/</link><description>d</description></channel>'
    '<item><title>Oldest</title><link>https://090.example.test/1</link></item></rdf:RDF>',
    {"feed": {"title": "Zero nine", "format": "RSS 0.90"}, "items": 1, "item": [{"index": 0, "title": "Oldest", "link": "https://090.example.test/1"}]})
add("elements", "atom-10-basic",
    atom([entry("Atom one", "https://atom.example.test/one", "<published>2026-03-01T10:00:00Z</published><summary>Sum</summary><content>Body</content>", "tag:a,2026:1")]),
    {"feed": {"title": "Atom Feed", "site": "https://atom.example.test/", "format": "Atom 1.0"}, "items": 1,
     "item": [{"index": 0, "guid": "tag:a,2026:1", "link": "https://atom.example.test/one", "published": "2026-03-01T10:00:00+00:00", "summary": "Sum", "content": "Body"}]})
ATOM03 = ('<?xml version="1.0" encoding="utf-8"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old atom</title>'
          '<link rel="alternate" type="text/html" href="https://atom03.example.test/"/><modified>2026-03-02T08:00:00Z</modified>{entries}</feed>')
add("elements", "atom-03-issued",
    ATOM03.replace("{entries}", '<entry><title>Issued</title><link rel="alternate" type="text/html" href="https://atom03.example.test/1"/><id>urn:03:1</id>'
                   '<issued>2026-02-01T09:00:00-05:00</issued><modified>2026-02-03T00:00:00Z</modified>'
                   '<summary type="text/html" mode="escaped">&lt;b&gt;Old&lt;/b&gt; summary</summary></entry>'),
    {"feed": {"title": "Old atom", "format": "Atom 0.3"}, "items": 1,
     "item": [{"index": 0, "published": "2026-02-01T14:00:00+00:00", "summary": "Old summary", "link": "https://atom03.example.test/1"}]})
add("elements", "atom-03-created",
    ATOM03.replace("{entries}", '<entry><title>Created</title><id>urn:03:2</id><created>2026-02-05T00:00:00Z</created><modified>2026-02-06T00:00:00Z</modified></entry>'),
    {"items": 1, "item": [{"index": 0, "published": "2026-02-05T00:00:00+00:00"}]})
add("elements", "atom-03-modified-only",
    ATOM03.replace("{entries}", '<entry><title>Modified</title><id>urn:03:3</id><modified>2026-02-07T00:00:00Z</modified></entry>'),
    {"items": 1, "item": [{"index": 0, "published": "2026-02-07T00:00:00+00:00"}]})
add("elements", "atom-03-base64-content",
    ATOM03.replace("{entries}", '<entry><title>B64</title><id>urn:03:4</id><content type="text/html" mode="base64">'
                   + base64.b64encode("<p>Decoded <i>body</i></p>".encode()).decode() + '</content></entry>'),
    {"items": 1, "item": [{"index": 0, "content": "Decoded body"}]})
add("elements", "atom-updated-when-no-published", atom([entry("Updated only")]), {"items": 1, "item": [{"index": 0, "published": "2026-03-02T08:00:00+00:00"}]})
add("elements", "atom-published-wins",
    atom(['<entry><title>P</title><id>urn:p</id><updated>2026-03-05T00:00:00Z</updated><published>2026-03-04T00:00:00Z</published></entry>']),
    {"items": 1, "item": [{"index": 0, "published": "2026-03-04T00:00:00+00:00"}]})
add("elements", "atom-link-without-rel", atom(['<entry><title>L</title><id>urn:l</id><link href="https://atom.example.test/norel"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/norel"}]})
add("elements", "atom-alternate-over-others",
    atom(['<entry><title>L</title><id>urn:l</id><link rel="self" href="https://api.test/self"/><link rel="enclosure" href="https://cdn.test/a.mp3"/>'
          '<link rel="alternate" type="text/html" href="https://atom.example.test/alt"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/alt"}]})
add("elements", "atom-html-alternate-over-json",
    atom(['<entry><title>L</title><id>urn:l</id><link rel="alternate" type="application/json" href="https://api.test/j"/>'
          '<link rel="alternate" type="text/html" href="https://atom.example.test/h"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/h"}]})
add("elements", "atom-id-url-as-link-fallback", atom(['<entry><title>I</title><id>https://atom.example.test/by-id</id></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://atom.example.test/by-id"}]})
add("elements", "atom-prefixed-elements",
    '<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Prefixed atom</a:title><a:entry><a:title>PE</a:title>'
    '<a:id>urn:pe</a:id><a:link href="https://atom.example.test/pe"/></a:entry></a:feed>',
    {"feed": {"title": "Prefixed atom"}, "items": 1, "item": [{"index": 0, "title": "PE", "link": "https://atom.example.test/pe"}]})
DC = ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
CONTENT = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
MEDIA = ' xmlns:media="http://search.yahoo.com/mrss/"'
ATOMNS = ' xmlns:atom="http://www.w3.org/2005/Atom"'
add("elements", "dc-title-fallback", rss(["<item><dc:title>From dc</dc:title><link>https://example.test/dc</link></item>"], extra_ns=DC),
    {"items": 1, "item": [{"index": 0, "title": "From dc"}]})
add("elements", "dc-date", rss([item("D", extra="<dc:date>2026-03-02T08:15:00Z</dc:date>")], extra_ns=DC), {"items": 1, "item": [{"index": 0, "published": "2026-03-02T08:15:00+00:00"}]})
add("elements", "pubdate-over-dc-date", rss([item("D", extra="<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><dc:date>2026-01-01T00:00:00Z</dc:date>")], extra_ns=DC),
    {"items": 1, "item": [{"index": 0, "published": "2026-03-02T10:00:00+00:00"}]})
add("elements", "dc-creator", rss([item("C", extra="<dc:creator>Sam Poe</dc:creator>")], extra_ns=DC), {"items": 1, "item": [{"index": 0, "authors": ["Sam Poe"]}]})
add("elements", "dc-description-fallback", rss(["<item><title>T</title><dc:description>Dc summary</dc:description></item>"], extra_ns=DC),
    {"items": 1, "item": [{"index": 0, "summary": "Dc summary"}]})
add("elements", "content-encoded", rss([item("CE", extra="<description>Short</description><content:encoded><![CDATA[<p>Full <em>story</em> text</p>]]></content:encoded>")], extra_ns=CONTENT),
    {"items": 1, "item": [{"index": 0, "summary": "Short", "content": "Full story text"}]})
add("elements", "content-encoded-escaped", rss([item("CE", extra="<content:encoded>&lt;p&gt;Escaped body&lt;/p&gt;</content:encoded>")], extra_ns=CONTENT),
    {"items": 1, "item": [{"index": 0, "content": "Escaped body"}]})
add("elements", "media-title-and-description", rss(["<item><media:title>Media title</media:title><media:description>Media desc</media:description><link>https://example.test/m</link></item>"], extra_ns=MEDIA),
    {"items": 1, "item": [{"index": 0, "title": "Media title", "summary": "Media desc"}]})
add("elements", "media-group", rss(["<item><link>https://example.test/g</link><media:group><media:title>Grouped</media:title><media:description>In group</media:description></media:group></item>"], extra_ns=MEDIA),
    {"items": 1, "item": [{"index": 0, "title": "Grouped", "summary": "In group"}]})
add("elements", "guid-permalink-as-link", rss(["<item><title>G</title><guid>https://example.test/perma</guid></item>"]),
    {"items": 1, "item": [{"index": 0, "link": "https://example.test/perma", "guid": "https://example.test/perma"}]})
add("elements", "guid-permalink-true", rss(['<item><title>G</title><guid isPermaLink="true">https://example.test/p2</guid></item>']), {"items": 1, "item": [{"index": 0, "link": "https://example.test/p2"}]})
add("elements", "guid-not-permalink", rss(['<item><title>G</title><guid isPermaLink="false">https://example.test/p3</guid></item>']), {"items": 1, "item": [{"index": 0, "link": None, "guid": "https://example.test/p3"}]})
add("elements", "guid-not-url", rss(['<item><title>G</title><guid>12345</guid></item>']), {"items": 1, "item": [{"index": 0, "link": None, "guid": "12345"}]})
add("elements", "atom-link-in-rss", rss(['<item><title>A</title><atom:link rel="alternate" href="https://example.test/atomlink"/></item>'], extra_ns=ATOMNS),
    {"items": 1, "item": [{"index": 0, "link": "https://example.test/atomlink"}]})
add("elements", "link-over-guid", rss([item("LG", "https://example.test/link", guid="https://example.test/guid")]), {"items": 1, "item": [{"index": 0, "link": "https://example.test/link"}]})
add("elements", "rss-site-from-atom-link", '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>S</title><atom:link rel="self" href="https://example.test/feed"/>'
    '<atom:link rel="alternate" href="https://example.test/home"/>' + item("x") + "</channel></rss>", {"feed": {"site": "https://example.test/home"}})
for i, (tag, close) in enumerate([("PubDate", "PubDate"), ("pubdate", "pubdate"), ("PUBDATE", "PUBDATE")]):
    add("elements", f"unusual-case-{tag}", rss([item("Case", extra=f"<{tag}>Mon, 02 Mar 2026 08:00:00 GMT</{close}>")]), {"items": 1, "item": [{"index": 0, "published": "2026-03-02T08:00:00+00:00"}]})
add("elements", "unusual-case-elements", '<RSS version="2.0"><CHANNEL><TITLE>Loud</TITLE><LINK>https://loud.test/</LINK><ITEM><TITLE>Shout</TITLE><LINK>https://loud.test/1</LINK><DESCRIPTION>Hi</DESCRIPTION></ITEM></CHANNEL></RSS>',
    {"feed": {"title": "Loud", "site": "https://loud.test/"}, "items": 1, "item": [{"index": 0, "title": "Shout", "link": "https://loud.test/1", "summary": "Hi"}]})
add("elements", "channel-root-without-rss", '<channel><title>Bare channel</title><item><title>Bare</title><link>https://bare.test/1</link></item></channel>',
    {"feed": {"title": "Bare channel"}, "items": 1})
add("elements", "items-outside-channel", '<rss version="2.0"><channel><title>Out</title></channel><item><title>Outside</title><link>https://out.test/1</link></item></rss>',
    {"items": 1, "item": [{"index": 0, "title": "Outside"}]})
add("elements", "empty-feed", rss([]), {"items": 0, "feed": {"title": "Test Feed"}})
add("elements", "many-items", rss([item(f"Item {n}", f"https://example.test/{n}", guid=f"id-{n}") for n in range(50)]),
    {"items": 50, "item": [{"index": 49, "title": "Item 49", "guid": "id-49"}]})
add("elements", "enclosure-only-link", rss(['<item><title>Pod</title><enclosure url="https://cdn.example.test/ep1.mp3" type="audio/mpeg" length="1"/></item>']),
    {"items": 1, "item": [{"index": 0, "link": "https://cdn.example.test/ep1.mp3"}]})
add("elements", "itunes-summary", rss(['<item><title>I</title><itunes:summary>Pod summary</itunes:summary></item>'], extra_ns=' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'),
    {"items": 1, "item": [{"index": 0, "summary": "Pod summary"}]})

DATES = [("Mon, 02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00+00:00"), ("Mon, 02 Mar 2026 08:00:00 +0000", "2026-03-02T08:00:00+00:00"),
         ("Mon, 02 Mar 2026 08:00:00 -0500", "2026-03-02T13:00:00+00:00"), ("Mon, 02 Mar 2026 08:00:00 EST", "2026-03-02T13:00:00+00:00"),
         ("Mon, 02 Mar 2026 08:00:00 PDT", "2026-03-02T15:00:00+00:00"), ("Tue, 02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00+00:00"),
         ("02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00+00:00"), ("Mon, 2 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00+00:00"),
         ("Mon, 02 Mar 2026 08:00 GMT", "2026-03-02T08:00:00+00:00"), ("2026-03-02T08:00:00Z", "2026-03-02T08:00:00+00:00"),
         ("2026-03-02T08:00:00+02:00", "2026-03-02T06:00:00+00:00"), ("2026-03-02T08:00:00.123Z", "2026-03-02T08:00:00.123+00:00"),
         ("2026-03-02 08:00:00", "2026-03-02T08:00:00+00:00"), ("2026-03-02", "2026-03-02T00:00:00+00:00"),
         ("Monday, 02 March 2026 08:00:00 GMT", "2026-03-02T08:00:00+00:00"), ("  Mon, 02 Mar 2026 08:00:00 GMT  ", "2026-03-02T08:00:00+00:00"),
         ("Mon, 02 Mar 2026 08:00:00 UT", "2026-03-02T08:00:00+00:00"), ("Mon, 02 Mar 2026 08:00:00 +05:30", "2026-03-02T02:30:00+00:00"),
         ("not a date", None), ("", None)]
for i, (raw, iso) in enumerate(DATES):
    add("elements", f"date-rss-{i:02}", rss([item("Dated", extra=f"<pubDate>{raw}</pubDate>")]), {"items": 1, "item": [{"index": 0, "published": iso}]})

JSON10 = {"version": "https://jsonfeed.org/version/1", "title": "JSON one", "home_page_url": "https://json.example.test/",
          "author": {"name": "Feed Author"},
          "items": [{"id": "1", "url": "https://json.example.test/1", "title": "First", "content_html": "<p>Hello <b>json</b></p>",
                     "summary": "Sum one", "date_published": "2026-03-02T08:00:00Z", "author": {"name": "Item Author"}},
                    {"id": 2, "external_url": "https://elsewhere.test/2", "content_text": "Plain text body", "date_modified": "2026-03-03T08:00:00+01:00"}]}
add("elements", "json-feed-10", json.dumps(JSON10),
    {"feed": {"title": "JSON one", "site": "https://json.example.test/", "format": "JSON Feed 1.0"}, "items": 2,
     "item": [{"index": 0, "guid": "1", "link": "https://json.example.test/1", "title": "First", "content": "Hello json", "summary": "Sum one",
               "published": "2026-03-02T08:00:00+00:00", "authors": ["Item Author"]},
              {"index": 1, "guid": "2", "link": "https://elsewhere.test/2", "content": "Plain text body", "published": "2026-03-03T07:00:00+00:00", "authors": ["Feed Author"]}]})
JSON11 = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON eleven", "authors": [{"name": "A One"}, {"name": "B Two", "url": "mailto:b@json.example.test"}],
          "items": [{"id": "x", "url": "/relative/x", "title": "Eleven", "content_text": "t", "authors": [{"name": "Solo"}]},
                    {"id": "y", "url": "https://json.example.test/y", "content_text": "t2"}]}
add("elements", "json-feed-11", json.dumps(JSON11),
    {"feed": {"title": "JSON eleven", "format": "JSON Feed 1.1"}, "items": 2,
     "item": [{"index": 0, "link": "https://news.example.test/relative/x", "authors": ["Solo"]},
              {"index": 1, "authors": ["A One", "B Two <b@json.example.test>"]}]})
add("elements", "json-not-a-feed", '{"not": "a feed"}', {"error": "not a JSON Feed"})
add("elements", "html-page-is-not-a-feed", "<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>", {"error": "HTML page"})
add("elements", "opml-is-not-a-feed", '<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>', {"error": "not an RSS, Atom or JSON feed"})
add("elements", "empty-document", "", {"error": "empty"})

# ---------------------------------------------------------------- 3. text constructs, CDATA, HTML to text
TEXTS = [("text", "&lt;b&gt;literal&lt;/b&gt; &amp; more", "<b>literal</b> & more"),
         ("html", "&lt;b&gt;bold&lt;/b&gt; &amp;amp; more", "bold & more"),
         ("html", "&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;", "One Two"),
         ("xhtml", '<div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <b>xhtml</b></p></div>', "Inline xhtml"),
         ("xhtml", '<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml">Prefixed <xhtml:em>div</xhtml:em></xhtml:div>', "Prefixed div"),
         ("xhtml", '<div xmlns="http://www.w3.org/1999/xhtml">a &amp;lt; b</div>', "a &lt; b"),
         ("text/html", "&lt;i&gt;mime&lt;/i&gt; html", "mime html"),
         ("text/plain", "plain &lt;x&gt;", "plain <x>"),
         ("application/xhtml+xml", '<div xmlns="http://www.w3.org/1999/xhtml">Mime <b>xhtml</b></div>', "Mime xhtml"),
         (None, "No type &lt;b&gt;", "No type <b>"),
         ("html", "<![CDATA[<p>cdata <b>html</b></p>]]>", "cdata html"),
         ("text", "<![CDATA[cdata <b>text</b>]]>", "cdata <b>text</b>")]
for i, (kind, raw, expected) in enumerate(TEXTS):
    t = f' type="{kind}"' if kind else ""
    add("text", f"atom-title-{i:02}-{(kind or 'none').replace('/', '-')}", atom([f'<entry><title{t}>{raw}</title><id>urn:t</id></entry>']), {"items": 1, "item": [{"index": 0, "title": expected}]})
    add("text", f"atom-content-{i:02}-{(kind or 'none').replace('/', '-')}", atom([f'<entry><title>c</title><id>urn:t</id><content{t}>{raw}</content></entry>']), {"items": 1, "item": [{"index": 0, "content": expected}]})
add("text", "atom-content-src-has-no-text", atom(['<entry><title>s</title><id>urn:s</id><content type="video/mp4" src="https://cdn.test/v.mp4"/></entry>']), {"items": 1, "item": [{"index": 0, "content": ""}]})
add("text", "atom-content-base64-text", atom(['<entry><title>b</title><id>urn:b</id><content type="text/plain" mode="base64">' + base64.b64encode("Base 64 text".encode()).decode() + '</content></entry>']),
    {"items": 1, "item": [{"index": 0, "content": "Base 64 text"}]})
add("text", "atom-summary-escaped-mode", atom(['<entry><title>e</title><id>urn:e</id><summary mode="escaped" type="text/html">&lt;em&gt;esc&lt;/em&gt;aped</summary></entry>']),
    {"items": 1, "item": [{"index": 0, "summary": "escaped"}]})
HTMLS = [("<p>Hello <b>world</b></p>", "Hello world"),
         ('<a href="x" title="a > b">link</a> text', "link text"),
         ("<a title='it > is'>q</a>", "q"),
         ("a<script type=\"x\">var s = '<p>';</script>b", "a b"),
         ("<script>document.write('<b>no</b>')</script>visible", "visible"),
         ("<STYLE>p { color: red }</STYLE>text", "text"),
         ("x <!-- hidden <b>tag</b> --> y", "x y"),
         ("<!-- unterminated comment", ""),
         ("one<br>two<br/>three", "one two three"),
         ("<ul><li>a</li><li>b</li></ul>", "a b"),
         ("un<b>bold</b>ed", "unbolded"),
         ("<p>unclosed <i>italic", "unclosed italic"),
         ("<div><div><div>deep</div></div></div>", "deep"),
         ("Fish &amp; chips &lt;3 &#8220;q&#x201D;", "Fish & chips <3 \u201cq\u201d"),
         ("2 < 3 and 5 > 4", "2 < 3 and 5 > 4"),
         ("<p>&nbsp;&nbsp;spaced&nbsp;&nbsp;</p>", "spaced"),
         ("<table><tr><td>c1</td><td>c2</td></tr></table>", "c1 c2"),
         ("<noscript>enable js</noscript>shown", "shown"),
         ("<template><p>tpl</p></template>after", "after"),
         ("<img src=x onerror=alert(1)>caption", "caption"),
         ("<p>line\n\n\tbreak</p>", "line break"),
         ("<b>&eacute;t&eacute;</b>", "\u00e9t\u00e9"),
         ("<p>Caf&eacute; &amp; cr&egrave;me</p>", "Caf\u00e9 & cr\u00e8me"),
         ("<iframe src='https://x'>fallback</iframe>text", "text"),
         ("<svg><text>vector</text></svg>prose", "prose"),
         ("<textarea>area</textarea>", "area"),
         ("<h1>Head</h1><p>Para</p>", "Head Para"),
         ("<pre>  keep\n code</pre>", "keep code"),
         ("<style>a{}</style><script>b()</script><!--c-->d", "d"),
         ("<p>a</p >", "a")]
for i, (raw, expected) in enumerate(HTMLS):
    add("text", f"html-description-{i:02}", rss([item("h", extra=f"<description>{esc(raw)}</description>")]), {"items": 1, "item": [{"index": 0, "summary": expected}]})
    if i % 3 == 0:
        add("text", f"html-cdata-{i:02}", rss([item("h", extra=f"<description><![CDATA[{raw}]]></description>")]), {"items": 1, "item": [{"index": 0, "summary": expected}]})
run = "<script " * 3072
add("text", "script-run-24k-unclosed", rss([item("s", extra=f"<description>{esc('Start ' + run)}</description>")]), {"items": 1, "item": [{"index": 0, "summary": "Start"}]})
add("text", "script-run-24k-closed", rss([item("s", extra=f"<description>{esc('Start ' + run + '> code</script> End')}</description>")]), {"items": 1, "item": [{"index": 0, "summary": "Start End"}]})
add("text", "attribute-run-24k", rss([item("s", extra=f"<description>{esc('<a ' + 'b=c ' * 6000 + '>x</a> y')}</description>")]), {"items": 1, "item": [{"index": 0, "summary": "x y"}]})
add("text", "comment-run-24k", rss([item("s", extra=f"<description>{esc('a ' + '<!--' * 6000 + ' b')}</description>")]), {"items": 1, "item": [{"index": 0, "summary": "a"}]})
add("text", "cdata-with-markup-in-title", rss([item("<![CDATA[Title with <em>markup</em> &amp; entity]]>")]), {"items": 1, "item": [{"index": 0, "title": "Title with markup & entity"}]})
add("text", "double-escaped-title", rss([item("Tom &amp;amp; Jerry")]), {"items": 1, "item": [{"index": 0, "title": "Tom & Jerry"}]})
add("text", "feed-title-html", rss([item("x")], title="&lt;b&gt;Bold&lt;/b&gt; feed"), {"feed": {"title": "Bold feed"}})

# ---------------------------------------------------------------- 4. relative URLs
REL = [("/2026/story", "https://news.example.test/2026/story"), ("story.html", "https://news.example.test/feeds/story.html"),
       ("../up.html", "https://news.example.test/up.html"), ("?p=12", "https://news.example.test/feeds/main.xml?p=12"),
       ("//cdn.example.test/x", "https://cdn.example.test/x"), ("https://abs.example.test/a", "https://abs.example.test/a"),
       ("  /spaced  ", "https://news.example.test/spaced")]
for i, (rel, absolute) in enumerate(REL):
    add("urls", f"rss-link-doc-url-{i}", rss([item("r", rel)]), {"items": 1, "item": [{"index": 0, "link": absolute}]})
    add("urls", f"atom-link-doc-url-{i}", atom([entry("r", rel.strip())]), {"items": 1, "item": [{"index": 0, "link": absolute.replace("/spaced", "/spaced")}]})
add("urls", "rss-site-relative", rss([item("x")], link="/home"), {"feed": {"site": "https://news.example.test/home"}})
add("urls", "atom-site-relative", atom([entry("x")]).replace('<link href="https://atom.example.test/"/>', '<link href="/"/>'), {"feed": {"site": "https://news.example.test/"}})
add("urls", "other-doc-url", rss([item("r", "a/b")]), {"url": "http://other.example.test:8080/x/y/feed", "items": 1, "item": [{"index": 0, "link": "http://other.example.test:8080/x/y/a/b"}]})
add("urls", "xml-base-on-feed", atom([entry("b", "entry/1")], attrs=' xml:base="https://base.example.test/blog/"'), {"items": 1, "item": [{"index": 0, "link": "https://base.example.test/blog/entry/1"}]})
add("urls", "xml-base-on-entry",
    atom(['<entry xml:base="https://entry.example.test/posts/"><title>e</title><id>urn:e</id><link href="p1"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://entry.example.test/posts/p1"}]})
add("urls", "xml-base-nested-relative",
    atom(['<entry xml:base="posts/"><title>e</title><id>urn:e</id><link href="p2"/></entry>'], attrs=' xml:base="https://nest.example.test/blog/"'),
    {"items": 1, "item": [{"index": 0, "link": "https://nest.example.test/blog/posts/p2"}]})
add("urls", "xml-base-on-link",
    atom(['<entry><title>e</title><id>urn:e</id><link xml:base="https://link.example.test/dir/" href="p3"/></entry>']),
    {"items": 1, "item": [{"index": 0, "link": "https://link.example.test/dir/p3"}]})
add("urls", "xml-base-relative-to-doc", atom([entry("b", "p4")], attrs=' xml:base="/blog/"'), {"items": 1, "item": [{"index": 0, "link": "https://news.example.test/blog/p4"}]})
add("urls", "xml-base-in-rss",
    '<rss version="2.0" xml:base="https://rssbase.example.test/news/"><channel><title>b</title><link>./</link>' + item("b", "item-1") + "</channel></rss>",
    {"feed": {"site": "https://rssbase.example.test/news/"}, "items": 1, "item": [{"index": 0, "link": "https://rssbase.example.test/news/item-1"}]})
add("urls", "xml-base-on-rss-item",
    rss(['<item xml:base="https://item.example.test/a/"><title>i</title><link>b</link></item>']), {"items": 1, "item": [{"index": 0, "link": "https://item.example.test/a/b"}]})
add("urls", "relative-guid-permalink", rss(['<item><title>g</title><guid>/perma/7</guid></item>']), {"items": 1, "item": [{"index": 0, "link": "https://news.example.test/perma/7"}]})
add("urls", "relative-enclosure", rss(['<item><title>e</title><enclosure url="/media/ep.mp3" type="audio/mpeg"/></item>']), {"items": 1, "item": [{"index": 0, "link": "https://news.example.test/media/ep.mp3"}]})
add("urls", "json-relative-home", json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "j", "home_page_url": "/", "items": []}), {"feed": {"site": "https://news.example.test/"}})
add("urls", "no-doc-url-keeps-relative", rss([item("r", "/keep")]), {"url": None, "items": 1, "item": [{"index": 0, "link": "/keep"}]})

# ---------------------------------------------------------------- 5. authors
RSS_AUTHORS = [("jane@news.example.test (Jane Doe)", "Jane Doe <jane@news.example.test>"), ("Jane Doe &lt;jane@news.example.test&gt;", "Jane Doe <jane@news.example.test>"),
               ("jane@news.example.test", "<jane@news.example.test>"), ("Jane Doe", "Jane Doe"), ("  Jane   Doe  ", "Jane Doe"),
               ("mailto:jane@news.example.test", "<jane@news.example.test>"), ("Jane &amp; John", "Jane & John"), ("J&eacute;r&ocirc;me", "J\u00e9r\u00f4me"),
               ("noreply@example.test (Staff Writer)", "Staff Writer <noreply@example.test>"), ("<![CDATA[Cdata Author]]>", "Cdata Author")]
for i, (raw, expected) in enumerate(RSS_AUTHORS):
    add("authors", f"rss-author-{i:02}", rss([item("a", extra=f"<author>{raw}</author>")]), {"items": 1, "item": [{"index": 0, "authors": [expected]}]})
add("authors", "dc-creator-many", rss([item("a", extra="<dc:creator>One</dc:creator><dc:creator>Two</dc:creator>")], extra_ns=DC), {"items": 1, "item": [{"index": 0, "authors": ["One", "Two"]}]})
add("authors", "dc-creator-and-author-same", rss([item("a", extra="<author>Same Person</author><dc:creator>Same Person</dc:creator>")], extra_ns=DC), {"items": 1, "item": [{"index": 0, "authors": ["Same Person"]}]})
add("authors", "itunes-author", rss([item("a", extra="<itunes:author>Pod Host</itunes:author>")], extra_ns=' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'), {"items": 1, "item": [{"index": 0, "authors": ["Pod Host"]}]})
add("authors", "rss-no-author", rss([item("a")]), {"items": 1, "item": [{"index": 0, "authors": []}]})
add("authors", "atom-name-email", atom([entry("a", extra="<author><name>Ada Byron</name><email>ada@atom.example.test</email></author>")]), {"items": 1, "item": [{"index": 0, "authors": ["Ada Byron <ada@atom.example.test>"]}]})
add("authors", "atom-name-only", atom([entry("a", extra="<author><name>Only Name</name><uri>https://ada.test/</uri></author>")]), {"items": 1, "item": [{"index": 0, "authors": ["Only Name"]}]})
add("authors", "atom-email-only", atom([entry("a", extra="<author><email>solo@atom.example.test</email></author>")]), {"items": 1, "item": [{"index": 0, "authors": ["<solo@atom.example.test>"]}]})
add("authors", "atom-two-authors", atom([entry("a", extra="<author><name>First</name></author><author><name>Second</name></author>")]), {"items": 1, "item": [{"index": 0, "authors": ["First", "Second"]}]})
add("authors", "atom-feed-author-fallback", atom([entry("a")], feed_extra="<author><name>Feed Wide</name></author>"), {"items": 1, "item": [{"index": 0, "authors": ["Feed Wide"]}]})
add("authors", "atom-entry-author-wins", atom([entry("a", extra="<author><name>Entry Own</name></author>")], feed_extra="<author><name>Feed Wide</name></author>"), {"items": 1, "item": [{"index": 0, "authors": ["Entry Own"]}]})
add("authors", "atom-source-author", atom([entry("a", extra="<source><id>urn:src</id><author><name>From Source</name></author></source>")], feed_extra="<author><name>Feed Wide</name></author>"),
    {"items": 1, "item": [{"index": 0, "authors": ["From Source"]}]})
add("authors", "atom-name-with-entity", atom([entry("a", extra="<author><name>Fran&ccedil;ois</name></author>")]), {"items": 1, "item": [{"index": 0, "authors": ["Fran\u00e7ois"]}]})
add("authors", "atom-bare-text-author", atom([entry("a", extra="<author>Text Author</author>")]), {"items": 1, "item": [{"index": 0, "authors": ["Text Author"]}]})
add("authors", "atom-03-author", ATOM03.replace("{entries}", '<entry><title>o</title><id>urn:o</id><author><name>Old Timer</name><email>old@03.test</email></author></entry>'),
    {"items": 1, "item": [{"index": 0, "authors": ["Old Timer <old@03.test>"]}]})
add("authors", "atom-dc-creator", atom([entry("a", extra="<dc:creator>Dc In Atom</dc:creator>")], extra_ns=DC), {"items": 1, "item": [{"index": 0, "authors": ["Dc In Atom"]}]})
add("authors", "rdf-dc-creator", RDF.replace("{items}", '<item rdf:about="urn:r"><title>r</title><dc:creator>Rdf Writer</dc:creator></item>'), {"items": 1, "item": [{"index": 0, "authors": ["Rdf Writer"]}]})
add("authors", "json-10-author", json.dumps({"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "author": {"name": "J Ten"}}]}), {"items": 1, "item": [{"index": 0, "authors": ["J Ten"]}]})
add("authors", "json-11-authors", json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "authors": [{"name": "X"}, {"name": "Y"}]}]}), {"items": 1, "item": [{"index": 0, "authors": ["X", "Y"]}]})
add("authors", "json-feed-authors-fallback", json.dumps({"version": "https://jsonfeed.org/version/1.1", "authors": [{"name": "Whole Feed"}], "items": [{"id": "1"}]}), {"items": 1, "item": [{"index": 0, "authors": ["Whole Feed"]}]})

# ---------------------------------------------------------------- 6. encodings
W1252 = {0x80: "\u20ac", 0x85: "\u2026", 0x91: "\u2018", 0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x96: "\u2013", 0x97: "\u2014", 0x99: "\u2122", 0x9c: "\u0153"}
for byte, char in W1252.items():
    assert bytes([byte]).decode("cp1252") == char
    prefix = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>E</title><item><title>'
    suffix = '</title><link>https://enc.example.test/1</link></item></channel></rss>'
    add("encoding", f"utf8-stray-1252-byte-{byte:02x}", prefix.encode() + "Gr\u00fc\u00dfe ".encode() + bytes([byte]) + b" x" + suffix.encode(),
        {"items": 1, "item": [{"index": 0, "title": f"Gr\u00fc\u00dfe {char} x"}]})
    add("encoding", f"latin1-label-1252-byte-{byte:02x}", prefix.replace("utf-8", "ISO-8859-1").encode() + "Gr\u00fc\u00dfe ".encode("latin-1") + bytes([byte]) + b" x" + suffix.encode(),
        {"items": 1, "item": [{"index": 0, "title": f"Gr\u00fc\u00dfe {char} x"}]})
    add("encoding", f"utf8-encoded-c1-{byte:02x}", (prefix + "a " + chr(byte) + " b" + suffix).encode("utf-8"),
        {"items": 1, "item": [{"index": 0, "title": f"a {char} b"}]})
TITLE = "Gr\u00fc\u00dfe \u201cquoted\u201d \u2013 \u00c6r\u00f8"
def enc_doc(label):
    decl = f' encoding="{label}"' if label else ""
    return f'<?xml version="1.0"{decl}?><rss version="2.0"><channel><title>T</title><item><title>{TITLE}</title><link>https://enc.example.test/1</link></item></channel></rss>'
add("encoding", "utf8-bom", b"\xef\xbb\xbf" + enc_doc("utf-8").encode(), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "utf16le-bom", b"\xff\xfe" + enc_doc("utf-16").encode("utf-16-le"), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "utf16be-bom", b"\xfe\xff" + enc_doc("utf-16").encode("utf-16-be"), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "utf16le-no-bom", enc_doc("utf-16").encode("utf-16-le"), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "windows-1252-declared", enc_doc("windows-1252").encode("cp1252"), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "http-charset", enc_doc(None).encode("cp1252"), {"content_type": "application/rss+xml; charset=windows-1252", "items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "prolog-over-http", enc_doc("windows-1252").encode("cp1252"), {"content_type": "text/xml; charset=utf-8", "items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "bom-over-prolog", b"\xef\xbb\xbf" + enc_doc("iso-8859-1").encode(), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "iso-8859-15", enc_doc("iso-8859-15").replace(TITLE, "Prix 5 \u20ac").encode("iso8859-15"), {"items": 1, "item": [{"index": 0, "title": "Prix 5 \u20ac"}]})
add("encoding", "koi8-r", enc_doc("koi8-r").replace(TITLE, "\u041d\u043e\u0432\u043e\u0441\u0442\u0438").encode("koi8-r"), {"items": 1, "item": [{"index": 0, "title": "\u041d\u043e\u0432\u043e\u0441\u0442\u0438"}]})
add("encoding", "shift-jis", enc_doc("shift_jis").replace(TITLE, "\u65e5\u672c\u8a9e").encode("shift_jis"), {"items": 1, "item": [{"index": 0, "title": "\u65e5\u672c\u8a9e"}]})
add("encoding", "unknown-label-utf8", enc_doc("x-unknown").encode(), {"items": 1, "item": [{"index": 0, "title": TITLE}]})
add("encoding", "numeric-1252-refs", rss([item("&#147;Smart&#148; &#151; &#133;")]), {"items": 1, "item": [{"index": 0, "title": "\u201cSmart\u201d \u2014 \u2026"}]})
add("encoding", "emoji", rss([item("Launch \U0001F680 day")]).encode(), {"items": 1, "item": [{"index": 0, "title": "Launch \U0001F680 day"}]})
add("encoding", "lone-surrogate-ref", rss([item("a&#xD800;b")]), {"items": 1, "item": [{"index": 0, "title": "a\ufffdb"}]})

# ---------------------------------------------------------------- 7. bounded cost
GOOD = [item("Intact one", "https://limits.example.test/1", guid="l1"), item("Intact two", "https://limits.example.test/2", guid="l2")]
deep = "<div>" * 100000 + "deep" + "</div>" * 100000
add("limits", "deep-nesting-in-item", rss(GOOD + [item("Deep", "https://limits.example.test/3", f"<description>{deep}</description>")]),
    {"items": 3, "item": [{"index": 0, "title": "Intact one"}, {"index": 2, "title": "Deep"}], "repairs": "nested too deep"})
add("limits", "deep-nesting-unclosed", rss(GOOD) [:-20] + "<x>" * 150000,
    {"items": 2, "item": [{"index": 1, "title": "Intact two"}]})
add("limits", "deep-escaped-html", rss(GOOD + [item("Escaped deep", extra=f"<description>{esc('<div>' * 15000 + 'text')}</description>")]),
    {"items": 3, "item": [{"index": 0, "title": "Intact one"}, {"index": 2, "summary": "text"}]})
add("limits", "many-empty-elements", rss(GOOD + ["<item><title>Wide</title>" + "<x/>" * 250000 + "</item>"]),
    {"min_items": 2, "item": [{"index": 0, "title": "Intact one"}, {"index": 1, "title": "Intact two"}], "repairs": "element limit"})
add("limits", "many-items-capped", rss([item(f"N{n}", f"https://limits.example.test/n{n}") for n in range(400)]), {"items": 200})
add("limits", "billion-laughs",
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">' + "".join(f'<!ENTITY lol{k} "' + f"&lol{k - 1 if k > 1 else ''};" * 10 + '">' for k in range(1, 10)) +
    ']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>', {"error": "XmlException"})
add("limits", "quadratic-blowup",
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + "x" * 50000 + '">]><rss version="2.0"><channel><title>q</title><item><title>' + "&big;" * 200 + '</title></item></channel></rss>',
    {"error": "XmlException"})
add("limits", "small-internal-entity", '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY brand "Example News">]><rss version="2.0"><channel><title>&brand;</title>'
    '<item><title>About &brand; &nbsp;now</title><link>https://e.test/1</link></item></channel></rss>',
    {"feed": {"title": "Example News"}, "items": 1, "item": [{"index": 0, "title": "About Example News now"}]})
add("limits", "external-entity-not-read",
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>x</title><item><title>leak &xxe; end</title></item></channel></rss>',
    {"not_contains": "root:"})
add("limits", "external-dtd-not-fetched",
    '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/never.dtd"><rss version="2.0"><channel><title>x</title>' + item("dtd &copy;") + '</channel></rss>',
    {"items": 1, "item": [{"index": 0, "title": "dtd \u00a9"}]})
add("limits", "ampersand-flood", rss(GOOD + [item("Flood", extra="<description>" + "&" * 200000 + "</description>")]), {"items": 3, "item": [{"index": 0, "title": "Intact one"}]})
add("limits", "less-than-flood", rss(GOOD + [item("Flood", extra="<description>" + "< " * 100000 + "</description>")]), {"items": 3, "item": [{"index": 1, "title": "Intact two"}]})
add("limits", "unclosed-quote-attribute", rss(GOOD)[:-20] + '<item><title>t</title><link href="' + "a" * 100000, {"items": 2})
add("limits", "many-prefixes", rss(GOOD + ["<item><title>P</title>" + "".join(f"<p{k}:x/>" for k in range(5000)) + "</item>"]), {"items": 3, "item": [{"index": 2, "title": "P"}]})
add("limits", "long-entity-name", rss(GOOD + [item("&" + "a" * 100000 + ";")]), {"items": 3, "item": [{"index": 0, "title": "Intact one"}]})
add("limits", "json-deep", '{"version":"https://jsonfeed.org/version/1.1","items":' + "[" * 10000 + "]" * 10000 + "}", {"error": "Not a readable feed"})


def main():
    for cls in {c for c, *_ in CASES}:
        shutil.rmtree(os.path.join(HERE, cls), ignore_errors=True)
    counters = {}
    names = set()
    for cls, name, body, expected in CASES:
        assert (cls, name) not in names, name
        names.add((cls, name))
        counters[cls] = counters.get(cls, 0) + 1
        folder = os.path.join(HERE, cls)
        os.makedirs(folder, exist_ok=True)
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        ext = "json" if data.lstrip()[:1] in (b"{", b"[") else "xml"
        stem = f"{counters[cls]:03}-{name}"
        with open(os.path.join(folder, f"{stem}.{ext}"), "wb") as f:
            f.write(data)
        expected = dict(expected)
        expected.setdefault("url", DOC_URL)
        with open(os.path.join(folder, f"{stem}.expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print(json.dumps({"total": len(CASES), **dict(sorted(counters.items()))}))


main()
