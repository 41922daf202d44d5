/*
 * describe.c -- the service description: a table of triples written as
 * Turtle (subjects grouped) or as N-Triples.
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SD[] = "http://www.w3.org/ns/sparql-service-description#";
static const char FORMATS[] = "http://www.w3.org/ns/formats/";
static const char RDF_TYPE[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/* A term of the table: "sd:x" and "formats:x" are prefixed names, "_:x" a
 * blank node, "a" rdf:type; NULL as an object stands for the endpoint. */
typedef struct {
  const char *s, *p, *o;
} Triple;

/* Write term t (NULL: the endpoint) in Turtle or N-Triples. */
static void write_term(FILE *f, const char *t, const char *endpoint, bool turtle) {
  if (!t) fprintf(f, "<%s>", endpoint);
  else if (turtle || !strncmp(t, "_:", 2)) fputs(t, f);
  else if (!strcmp(t, "a")) fprintf(f, "<%s>", RDF_TYPE);
  else if (!strncmp(t, "sd:", 3)) fprintf(f, "<%s%s>", SD, t + 3);
  else if (!strncmp(t, "formats:", 8)) fprintf(f, "<%s%s>", FORMATS, t + 8);
  else fprintf(f, "<%s>", t);
}

/* The triples, in order: a subject's triples together, a predicate's too. */
static size_t table(const ServeConfig *cfg, Triple *t) {
  size_t n = 0;
  t[n++] = (Triple){"_:service", "a", "sd:Service"};
  t[n++] = (Triple){"_:service", "sd:endpoint", NULL};
  t[n++] = (Triple){"_:service", "sd:supportedLanguage", "sd:SPARQL11Query"};
  if (cfg->allow_update) t[n++] = (Triple){"_:service", "sd:supportedLanguage", "sd:SPARQL11Update"};
  static const char *const results[] = {"formats:SPARQL_Results_JSON", "formats:SPARQL_Results_XML",
                                        "formats:SPARQL_Results_CSV", "formats:SPARQL_Results_TSV",
                                        "formats:N-Triples", "formats:Turtle"};
  for (size_t i = 0; i < sizeof results / sizeof *results; ++i)
    t[n++] = (Triple){"_:service", "sd:resultFormat", results[i]};
  if (cfg->allow_update) { /* what /store bodies (and LOAD) read */
    static const char *const inputs[] = {"formats:N-Triples", "formats:Turtle", "formats:N-Quads",
                                         "formats:TriG"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; ++i)
      t[n++] = (Triple){"_:service", "sd:inputFormat", inputs[i]};
  }
  t[n++] = (Triple){"_:service", "sd:defaultEntailmentRegime",
                    "http://www.w3.org/ns/entailment/Simple"};
  t[n++] = (Triple){"_:service", "sd:defaultDataset", "_:dataset"};
  t[n++] = (Triple){"_:dataset", "a", "sd:Dataset"};
  t[n++] = (Triple){"_:dataset", "sd:defaultGraph", "_:default"};
  t[n++] = (Triple){"_:default", "a", "sd:Graph"};
  return n;
}

static void write_turtle(FILE *f, const Triple *t, size_t n, const char *endpoint) {
  fprintf(f, "@prefix sd: <%s> .\n@prefix formats: <%s> .\n\n", SD, FORMATS);
  /* No sd:feature applies: the default graph is the unnamed graph, not the
   * union of the named ones; SERVICE only as --service-allow says; no
   * empty graphs. */
  fputs("# No sd:feature: the default graph is the unnamed graph (not the union of the\n"
        "# named graphs), SERVICE calls only the endpoints of --service-allow, and empty\n"
        "# graphs are not kept.\n",
        f);
  for (size_t i = 0; i < n; ++i) {
    bool same_s = i && !strcmp(t[i].s, t[i - 1].s);
    bool same_p = same_s && !strcmp(t[i].p, t[i - 1].p);
    if (same_p) fputs(",\n        ", f);
    else if (same_s) fputs(" ;\n    ", f);
    else fprintf(f, "%s%s ", i ? " .\n\n" : "\n", t[i].s);
    if (!same_p) fprintf(f, "%s ", t[i].p);
    const char *o = t[i].o;
    if (o && strstr(o, "://")) fprintf(f, "<%s>", o);
    else write_term(f, o, endpoint, true);
  }
  fputs(" .\n", f);
}

static void write_ntriples(FILE *f, const Triple *t, size_t n, const char *endpoint) {
  for (size_t i = 0; i < n; ++i) {
    write_term(f, t[i].s, endpoint, false);
    fputc(' ', f);
    write_term(f, t[i].p, endpoint, false);
    fputc(' ', f);
    write_term(f, t[i].o, endpoint, false);
    fputs(" .\n", f);
  }
}

char *describe_service(const ServeConfig *cfg, const char *endpoint, bool turtle, size_t *len) {
  Triple t[32];
  size_t n = table(cfg, t);
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  if (!f) return NULL;
  if (turtle) write_turtle(f, t, n, endpoint);
  else write_ntriples(f, t, n, endpoint);
  if (fclose(f) != 0) {
    free(text);
    return NULL;
  }
  return text;
}
