"""turtle.py -- a reader for the Turtle of the W3C test manifests: prefixes,
IRIs, prefixed names, blank node labels, 'a', strings (short and long), booleans, numbers,
blank node property lists and collections. Not a full Turtle parser."""
import re

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

TOKEN = re.compile(r'''
    (?P<ws>\s+|\#[^\n]*)
  | (?P<long>"""(?:[^"\\]|\\.|"(?!""))*""")
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<prefix>@prefix)
  | (?P<bnode>_:[\w.-]*\w)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.-]*)
  | (?P<word>true|false|a)\b
  | (?P<num>[+-]?\d+(?:\.\d+)?)
  | (?P<punct>[\[\]();,.])
''', re.X)

ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def unescape(s):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), s)


def tokens(text):
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError("turtle: cannot read at %r" % text[pos:pos + 40])
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "pname" and value.endswith(".") and len(value) > 1:
            yield kind, value[:-1]  # the statement's '.', not part of the name
            yield "punct", "."
        elif kind != "ws":
            yield kind, value


class Graph:
    def __init__(self, text, base=""):
        self.triples = []
        self.prefixes = {}
        self.base = base
        self.bnodes = 0
        self.toks = list(tokens(text))
        self.i = 0
        while self.i < len(self.toks):
            self.statement()

    # -- reading --
    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise ValueError("turtle: expected %r, got %r" % (value, tok))
        self.i += 1
        return tok

    def new_bnode(self):
        self.bnodes += 1
        return ("bnode", self.bnodes)

    def statement(self):
        if self.peek()[0] == "prefix":
            self.take()
            name = self.take()[1]
            self.prefixes[name[:-1]] = self.take()[1][1:-1]
            self.take(".")
            return
        subject = self.term()
        if self.peek()[1] != ".":
            self.predicates(subject)
        self.take(".")

    def predicates(self, subject):
        while True:
            verb = self.term()
            while True:
                self.triples.append((subject, verb, self.term()))
                if self.peek()[1] != ",":
                    break
                self.take()
            while self.peek()[1] == ";":
                self.take()
            if self.peek()[1] in (".", "]", None):
                return

    def term(self):
        kind, value = self.take()
        if kind == "bnode":
            return ("bnode", value[2:])
        if kind == "iri":
            return ("iri", self.base + value[1:-1] if ":" not in value else value[1:-1])
        if kind == "pname":
            prefix, local = value.split(":", 1)
            return ("iri", self.prefixes[prefix] + local)
        if kind == "word":
            return ("iri", RDF + "type") if value == "a" else ("bool", value == "true")
        if kind == "long":
            return ("lit", unescape(value[3:-3]))
        if kind == "str":
            return ("lit", unescape(value[1:-1]))
        if kind == "num":
            return ("lit", value)
        if value == "[":
            node = self.new_bnode()
            if self.peek()[1] != "]":
                self.predicates(node)
            self.take("]")
            return node
        if value == "(":
            return self.collection()
        raise ValueError("turtle: unexpected %r" % value)

    def collection(self):
        items = []
        while self.peek()[1] != ")":
            items.append(self.term())
        self.take(")")
        head = ("iri", RDF + "nil")
        for item in reversed(items):
            node = self.new_bnode()
            self.triples.append((node, ("iri", RDF + "first"), item))
            self.triples.append((node, ("iri", RDF + "rest"), head))
            head = node
        return head

    # -- looking up --
    def objects(self, s, p):
        return [o for (s2, p2, o) in self.triples if s2 == s and p2 == ("iri", p)]

    def one(self, s, p, default=None):
        objs = self.objects(s, p)
        return objs[0] if objs else default

    def items(self, head):
        out = []
        while head != ("iri", RDF + "nil"):
            out.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
        return out
