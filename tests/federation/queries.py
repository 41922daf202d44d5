"""queries.py -- the federation test's queries over the seed dataset split
by predicate: endpoint A holds the predicates of A_PREDICATES, endpoint B
the rest. Each query is written once for the store holding everything and
once with SERVICE, each group sent to the endpoint that holds its
predicates ({A} and {B} are the endpoints' IRIs)."""

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ca: <https://trine.example/ca/schema#>
PREFIX schema: <https://schema.org/>
"""

A_PREDICATES = ["rdf:type", "rdfs:label", "ca:assertedBy", "ca:value", "ca:nationality",
                "schema:mentions"]

# name, the query on one store, the same with SERVICE
QUERIES = [
    ("join", """SELECT ?c ?l ?m {
  ?c a ca:FigureClaim ; rdfs:label ?l .
  ?c ca:counts ?m }""",
     """SELECT ?c ?l ?m {
  SERVICE <{A}> { ?c a ca:FigureClaim ; rdfs:label ?l }
  SERVICE <{B}> { ?c ca:counts ?m } }"""),
    ("join-three-ways", """SELECT ?c ?o ?m ?ml {
  ?c ca:assertedBy ?o . ?c ca:counts ?m . ?m rdfs:label ?ml }""",
     """SELECT ?c ?o ?m ?ml {
  SERVICE <{A}> { ?c ca:assertedBy ?o }
  SERVICE <{B}> { ?c ca:counts ?m }
  SERVICE <{A}> { ?m rdfs:label ?ml } }"""),
    ("optional", """SELECT ?c ?o ?q {
  ?c ca:assertedBy ?o OPTIONAL { ?c ca:qualifier ?q } }""",
     """SELECT ?c ?o ?q {
  SERVICE <{A}> { ?c ca:assertedBy ?o }
  OPTIONAL { SERVICE <{B}> { ?c ca:qualifier ?q } } }"""),
    ("filter", """SELECT ?c ?v ?m {
  ?c ca:value ?v ; ca:counts ?m FILTER(?v > 1000) }""",
     """SELECT ?c ?v ?m {
  SERVICE <{A}> { ?c ca:value ?v }
  SERVICE <{B}> { ?c ca:counts ?m }
  FILTER(?v > 1000) }"""),
    ("aggregate", """SELECT ?k (COUNT(DISTINCT ?c) AS ?n) (SUM(?v) AS ?total) {
  ?c ca:value ?v . ?c ca:populationKind ?k } GROUP BY ?k""",
     """SELECT ?k (COUNT(DISTINCT ?c) AS ?n) (SUM(?v) AS ?total) {
  SERVICE <{A}> { ?c ca:value ?v }
  SERVICE <{B}> { ?c ca:populationKind ?k } } GROUP BY ?k"""),
    ("having", """SELECT ?o (COUNT(*) AS ?n) {
  ?c ca:assertedBy ?o . ?c ca:quote ?q } GROUP BY ?o HAVING (COUNT(*) > 2)""",
     """SELECT ?o (COUNT(*) AS ?n) {
  SERVICE <{A}> { ?c ca:assertedBy ?o }
  SERVICE <{B}> { ?c ca:quote ?q } } GROUP BY ?o HAVING (COUNT(*) > 2)"""),
    ("minus", """SELECT ?c {
  ?c a ca:FigureClaim MINUS { ?c ca:qualifier ?q } }""",
     """SELECT ?c {
  SERVICE <{A}> { ?c a ca:FigureClaim }
  MINUS { SERVICE <{B}> { ?c ca:qualifier ?q } } }"""),
    ("labels-of-mentions", """SELECT DISTINCT ?x ?l {
  ?a schema:mentions ?x . ?x rdfs:label ?l . ?c ca:about ?x }""",
     """SELECT DISTINCT ?x ?l {
  SERVICE <{A}> { ?a schema:mentions ?x . ?x rdfs:label ?l }
  SERVICE <{B}> { ?c ca:about ?x } }"""),
]
