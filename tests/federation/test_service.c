/*
 * test_service.c -- SERVICE through the public API against a fake endpoint
 * on 127.0.0.1 (a thread answering each request with a canned response):
 * the VALUES sent and the rows kept, batches, fresh blank nodes, JSON
 * escapes, XML results, SILENT, the size cap, HTTP and JSON errors, both
 * timeouts and the allow-list. The results readers (JSON and XML) are also
 * checked on their own.
 */
#include "testutil.h"

#include "srj.h"
#include "srx.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define EX "http://e/"
#define XSD_INT "http://www.w3.org/2001/XMLSchema#integer"

/* ---- the fake endpoint ---- */

typedef struct {
  int fd;
  unsigned port;
  pthread_t thread;
  atomic_bool stop;
  atomic_int requests;
  int status;          /* of every response */
  const char *body;    /* of every response (NULL: never answer) */
  const char *type;    /* its media type (NULL: SPARQL JSON results) */
  char last[1 << 16];  /* the last request's body, URL-decoded */
} Fake;

static Fake fake;

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}

static void url_decode(const char *s, size_t n, char *out, size_t size) {
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < size; ++i) {
    if (s[i] == '%' && i + 2 < n) {
      out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[k++] = s[i] == '+' ? ' ' : s[i];
    }
  }
  out[k] = 0;
}

/* Read one request (headers and a Content-Length body), bounded by 5 s. */
static void read_request(int c) {
  static char buf[1 << 17];
  size_t n = 0;
  const char *body = NULL;
  size_t want = 0;
  for (int i = 0; i < 500 && n < sizeof buf - 1; ++i) {
    struct pollfd p = {c, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
    ssize_t k = read(c, buf + n, sizeof buf - 1 - n);
    if (k <= 0) break;
    n += (size_t)k;
    buf[n] = 0;
    const char *end = strstr(buf, "\r\n\r\n");
    if (!end) continue;
    body = end + 4;
    const char *cl = strcasestr(buf, "Content-Length:");
    want = cl ? strtoul(cl + 15, NULL, 10) : 0;
    if ((size_t)(buf + n - body) >= want) break;
  }
  if (body && strncmp(body, "query=", 6) == 0)
    url_decode(body + 6, want > 6 ? want - 6 : 0, fake.last, sizeof fake.last);
}

static void *serve(void *arg) {
  (void)arg;
  while (!atomic_load(&fake.stop)) {
    struct pollfd p = {fake.fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int c = accept(fake.fd, NULL, NULL);
    if (c < 0) continue;
    read_request(c);
    atomic_fetch_add(&fake.requests, 1);
    if (fake.body) {
      char head[256];
      int k = snprintf(head, sizeof head,
                       "HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                       fake.status, fake.type ? fake.type : "application/sparql-results+json",
                       strlen(fake.body));
      if (write(c, head, (size_t)k) < 0 || write(c, fake.body, strlen(fake.body)) < 0) {}
    } else { /* hold the connection until the client gives up (5 s at most) */
      for (int i = 0; i < 100 && !atomic_load(&fake.stop); ++i) {
        struct pollfd q = {c, POLLIN, 0};
        char b[256];
        if (poll(&q, 1, 50) > 0 && read(c, b, sizeof b) <= 0) break;
      }
    }
    close(c);
  }
  return NULL;
}

static void answer(int status, const char *body) {
  fake.status = status;
  fake.body = body;
  fake.type = NULL;
  atomic_store(&fake.requests, 0);
  fake.last[0] = 0;
}

static char endpoint[64], allowed[64];

static int setup(void **state) {
  if (tu_setup(state, "service", NULL)) return -1;
  TuStore *t = *state;
  static const char data[] = "<" EX "a> <" EX "p> \"1\" .\n<" EX "b> <" EX "p> \"2\" .\n";
  if (trine_store_load_buffer(t->store, "data", data, sizeof data - 1, NULL, NULL)) return -1;
  fake.fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (fake.fd < 0 || bind(fake.fd, (struct sockaddr *)&a, sizeof a) || listen(fake.fd, 16) ||
      getsockname(fake.fd, (struct sockaddr *)&a, &len))
    return -1;
  fake.port = ntohs(a.sin_port);
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u/sparql", fake.port);
  snprintf(allowed, sizeof allowed, "http://127.0.0.1:%u", fake.port);
  return pthread_create(&fake.thread, NULL, serve, NULL) ? -1 : 0;
}

static int teardown(void **state) {
  atomic_store(&fake.stop, true);
  pthread_join(fake.thread, NULL);
  close(fake.fd);
  return tu_teardown(state);
}

/* ---- running queries ---- */

typedef struct {
  TrineStatus st;
  size_t rows;
  char first[4][256]; /* the first row's cells ("-": unbound) */
  char err[512];
  double ms;
} Run;

static void on_error(void *ctx, const TrineError *e) {
  Run *r = ctx;
  snprintf(r->err, sizeof r->err, "%s", e->message ? e->message : "");
}

static Run run_opts(void **state, const char *fmt, TrineQueryOptions *o, ...) {
  TuStore *t = *state;
  static char text[65536];
  va_list ap;
  va_start(ap, o);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  Run r = {0};
  const char *list[] = {allowed};
  o->allow = TRINE_ALLOW_SERVICE;
  if (!o->service_allow) {
    o->service_allow = list;
    o->nservice_allow = 1;
  }
  o->sink = on_error;
  o->sink_ctx = &r;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  TrineQuery *q = NULL;
  r.st = trine_query_prepare(t->store, text, strlen(text), o, &q);
  while (r.st == TRINE_OK && (r.st = trine_query_step(q)) == TRINE_ROW) {
    r.st = TRINE_OK;
    for (size_t j = 0; r.rows == 0 && j < trine_query_columns(q) && j < 4; ++j) {
      const TrineTerm *v = trine_query_term(q, j);
      char *s = v ? tu_term_text(v) : strdup("-");
      snprintf(r.first[j], sizeof r.first[j], "%s", s);
      free(s);
    }
    r.rows++;
  }
  if (r.st == TRINE_DONE) r.st = TRINE_OK;
  if (r.st && !r.err[0] && t->store) snprintf(r.err, sizeof r.err, "%s", trine_store_errmsg(t->store));
  trine_query_free(q);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r.ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  return r;
}

#define run(state, fmt, ...) run_opts(state, fmt, &(TrineQueryOptions){0}, __VA_ARGS__)

#define ROW(k, x) "{\"trine_row0\":{\"type\":\"literal\",\"value\":\"" #k "\",\"datatype\":\"" \
  XSD_INT "\"},\"x\":{\"type\":\"uri\",\"value\":\"" EX x "\"},"                         \
  "\"v\":{\"type\":\"literal\",\"value\":\"caf\\u00e9 \\ud83d\\ude00\"}}"

/* The rows so far go out as VALUES with a row number, and a result row
 * joins only the rows of its number: of two rows binding ?x to a, only the
 * one numbered as a's VALUES row is compatible with a row of the store. */
static void test_service_sends_values_and_keeps_rows_of_their_number(void **state) {
  answer(200, "{\"head\":{\"vars\":[\"x\",\"v\"]},\"results\":{\"bindings\":["
              ROW(0, "a") "," ROW(1, "a") "]}}");
  Run r = run(state, "SELECT ?x ?v { ?x <" EX "p> ?o SERVICE <%s> { ?x <" EX "q> ?v } }",
              endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(atomic_load(&fake.requests), 1);
  assert_non_null(strstr(fake.last, "VALUES (?trine_row0 ?x)"));
  assert_non_null(strstr(fake.last, "<" EX "a>"));
  assert_non_null(strstr(fake.last, "<" EX "b>"));
  assert_non_null(strstr(fake.last, "{ ?x <" EX "q> ?v }"));
  assert_int_equal(r.rows, 1);
  assert_string_equal(r.first[0], "<" EX "a>");
  assert_string_equal(r.first[1], "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

/* Bindings go in batches of distinct values: 450 rows, 3 requests. */
static void test_service_batches_distinct_bindings(void **state) {
  answer(200, "{\"head\":{\"vars\":[]},\"results\":{\"bindings\":[]}}");
  char values[450 * 24 + 1] = "";
  for (int i = 0; i < 450; ++i)
    sprintf(values + strlen(values), " <" EX "%d>", i);
  Run r = run(state, "SELECT * { VALUES ?x { %s %s } SERVICE <%s> { ?x ?p ?v } }", values,
              values, endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 0);
  assert_int_equal(atomic_load(&fake.requests), 3);
}

/* A group with a SERVICE under OPTIONAL or EXISTS is not run row by row
 * (a request per row): its rows go out together. */
static void test_service_in_optional_and_exists_sends_rows_together(void **state) {
  answer(200, "{\"head\":{\"vars\":[]},\"results\":{\"bindings\":[]}}");
  Run r = run(state, "SELECT * { ?x <" EX "p> ?o OPTIONAL { ?x <" EX "p> ?o2 "
                     "SERVICE <%s> { ?x ?q ?v } } }", endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 2);
  assert_int_equal(atomic_load(&fake.requests), 1);
  answer(200, "{\"head\":{\"vars\":[]},\"results\":{\"bindings\":[]}}");
  r = run(state, "SELECT * { ?x <" EX "p> ?o FILTER NOT EXISTS { ?x <" EX "p> ?o2 "
                 "SERVICE <%s> { ?x ?q ?v } } }", endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 2);
  assert_int_equal(atomic_load(&fake.requests), 1);
}

/* A label names one node in a response, and a fresh one in each response. */
static void test_service_blank_nodes_are_fresh_per_response(void **state) {
  answer(200, "{\"results\":{\"bindings\":[{\"b\":{\"type\":\"bnode\",\"value\":\"x\"},"
              "\"c\":{\"type\":\"bnode\",\"value\":\"x\"}}]}}");
  Run r = run(state, "SELECT (sameTerm(?b, ?c) AS ?same) { SERVICE <%s> { ?b ?p ?c } }",
              endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_string_equal(r.first[0], "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
  r = run(state, "SELECT ?b ?c (sameTerm(?b, ?c) AS ?same) { SERVICE <%s> { ?b ?p ?o } "
                 "SERVICE <%s> { ?c ?p ?o } }", endpoint, endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 1);
  assert_string_equal(r.first[2], "\"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>");
}

/* An endpoint that answers XML is read as SPARQL XML results. */
static void test_service_reads_xml_results(void **state) {
  answer(200, "<?xml version=\"1.0\"?>\n<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">"
              "<head><variable name=\"x\"/><variable name=\"v\"/></head><results><result>"
              "<binding name=\"x\"><uri>" EX "a</uri></binding>"
              "<binding name=\"v\"><literal xml:lang=\"fr\">caf&#xe9; &amp; th&#233;</literal>"
              "</binding></result></results></sparql>");
  fake.type = "application/sparql-results+xml; charset=utf-8";
  Run r = run(state, "SELECT ?x ?v { SERVICE <%s> { ?x <" EX "q> ?v } }", endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 1);
  assert_string_equal(r.first[0], "<" EX "a>");
  assert_string_equal(r.first[1], "\"caf\xc3\xa9 & th\xc3\xa9\"@fr");
}

/* Failures: an error naming the endpoint, or with SILENT the unit solution
 * (the rows go on unchanged). */
static void check_failure(void **state, TrineQueryOptions *o, const char *why) {
  TrineQueryOptions o2 = *o;
  Run r = run_opts(state, "SELECT * { SERVICE <%s> { ?s ?p ?o } }", o, endpoint);
  assert_int_equal(r.st, TRINE_ERR_IO);
  assert_non_null(strstr(r.err, "SERVICE <http://127.0.0.1:"));
  if (!strstr(r.err, why)) fail_msg("error \"%s\" lacks \"%s\"", r.err, why);
  r = run_opts(state, "SELECT * { ?x <" EX "p> ?v SERVICE SILENT <%s> { ?x ?p ?o } }", &o2,
               endpoint);
  assert_int_equal(r.st, TRINE_OK);
  assert_int_equal(r.rows, 2);
}

static void test_service_http_error(void **state) {
  answer(500, "boom");
  check_failure(state, &(TrineQueryOptions){0}, "HTTP status 500: boom");
}

static void test_service_bad_json(void **state) {
  answer(200, "{\"results\": {\"bindings\": [{\"x\": 1}]}}");
  check_failure(state, &(TrineQueryOptions){0}, "not SPARQL JSON results");
}

static void test_service_size_cap(void **state) {
  static char big[4096];
  memset(big, ' ', sizeof big - 1);
  big[0] = '{';
  big[sizeof big - 2] = '}';
  answer(200, big);
  check_failure(state, &(TrineQueryOptions){.service_max_bytes = 1000},
                "larger than 1000 bytes");
}

static void test_service_request_timeout(void **state) {
  answer(0, NULL);
  check_failure(state, &(TrineQueryOptions){.service_timeout_ms = 200}, "imed out");
}

/* The query's own timeout stops a transfer under way, SILENT or not. */
static void test_service_query_timeout_stops_transfer(void **state) {
  answer(0, NULL);
  Run r = run_opts(state, "SELECT * { SERVICE SILENT <%s> { ?s ?p ?o } }",
                   &(TrineQueryOptions){.timeout_ms = 200}, endpoint);
  assert_int_equal(r.st, TRINE_ERR_CANCELLED);
  assert_true(r.ms < 3000);
}

static void *cancel_later(void *q) {
  usleep(200 * 1000);
  trine_query_cancel(q);
  return NULL;
}

/* trine_query_cancel() from another thread stops a transfer under way. */
static void test_service_cancel_stops_transfer(void **state) {
  answer(0, NULL);
  TuStore *t = *state;
  char text[256];
  snprintf(text, sizeof text, "SELECT * { SERVICE <%s> { ?s ?p ?o } }", endpoint);
  const char *list[] = {allowed};
  TrineQueryOptions o = {.allow = TRINE_ALLOW_SERVICE, .service_allow = list, .nservice_allow = 1};
  TrineQuery *q = NULL;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), &o, &q), TRINE_OK);
  pthread_t th;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(pthread_create(&th, NULL, cancel_later, q), 0);
  assert_int_equal(trine_query_step(q), TRINE_ERR_CANCELLED);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  pthread_join(th, NULL);
  assert_true(t1.tv_sec - t0.tv_sec < 3);
  trine_query_free(q);
}

static void test_service_allow_list(void **state) {
  const char *none[] = {"http://127.0.0.1:1/"};
  Run r = run_opts(state, "SELECT * { SERVICE <%s> { ?s ?p ?o } }",
                   &(TrineQueryOptions){.service_allow = none, .nservice_allow = 1}, endpoint);
  assert_int_equal(r.st, TRINE_ERR_DENIED);
  assert_non_null(strstr(r.err, "allow-list"));
  /* a prefix ends at a boundary of the IRI */
  r = run(state, "SELECT * { SERVICE <%s0/sparql> { ?s ?p ?o } }", allowed);
  assert_int_equal(r.st, TRINE_ERR_DENIED);
  r = run(state, "SELECT * { SERVICE <%s@example.org/sparql> { ?s ?p ?o } }", allowed);
  assert_int_equal(r.st, TRINE_ERR_DENIED);
  /* SERVICE on a variable is refused at prepare */
  r = run(state, "SELECT * { BIND(<%s> AS ?e) SERVICE ?e { ?s ?p ?o } }", endpoint);
  assert_int_equal(r.st, TRINE_ERR_UNSUPPORTED);
  assert_non_null(strstr(r.err, "variable"));
  /* and without TRINE_ALLOW_SERVICE nothing is called */
  TuStore *t = *state;
  TrineQuery *q = NULL;
  char text[256];
  snprintf(text, sizeof text, "SELECT * { SERVICE <%s> { ?s ?p ?o } }", endpoint);
  const char *list[] = {allowed};
  TrineQueryOptions o = {.service_allow = list, .nservice_allow = 1};
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), &o, &q), TRINE_ERR_DENIED);
  assert_null(q);
  /* not even from an EXISTS, which only the run meets */
  answer(200, "{\"head\":{\"vars\":[]},\"results\":{\"bindings\":[]}}");
  snprintf(text, sizeof text, "ASK { FILTER EXISTS { SERVICE <%s> { ?s ?p ?o } } }", endpoint);
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ERR_DENIED);
  trine_query_free(q);
  assert_int_equal(atomic_load(&fake.requests), 0);
}

/* ---- the results reader ---- */

typedef struct {
  char text[1024];
} Cells;

static TrineStatus cell(void *ctx, const char *name, size_t n, const TrineTerm *t) {
  Cells *c = ctx;
  size_t k = strlen(c->text);
  snprintf(c->text + k, sizeof c->text - k, "%.*s=%d:%.*s%s%.*s%s%.*s ", (int)n, name, t->kind,
           (int)t->value_len, t->value, t->lang ? "@" : "", (int)t->lang_len,
           t->lang ? t->lang : "", t->datatype ? "^^" : "", (int)t->datatype_len,
           t->datatype ? t->datatype : "");
  return TRINE_OK;
}

static TrineStatus row(void *ctx) {
  Cells *c = ctx;
  size_t k = strlen(c->text);
  snprintf(c->text + k, sizeof c->text - k, "| ");
  return TRINE_OK;
}

static TrineStatus read_srj(const char *text, Cells *c, char *err) {
  memset(c, 0, sizeof *c);
  SrjHandler h = {cell, row, c};
  return srj_read(text, strlen(text), &h, err, 256);
}

static void test_srj_reads_terms_and_skips_the_rest(void **state) {
  (void)state;
  Cells c;
  char err[256];
  const char *doc = "{\"head\":{\"vars\":[\"a\"],\"link\":[]},\"extra\":[1,2.5e3,true,null,{}],"
                    "\"results\":{\"ordered\":false,\"bindings\":[{\"a\":{\"type\":\"uri\","
                    "\"value\":\"http://x/\\u0041\"},\"b\":{\"value\":\"chat\",\"xml:lang\":\"fr\","
                    "\"type\":\"literal\"}},{},{\"c\":{\"type\":\"typed-literal\",\"value\":\"1\","
                    "\"datatype\":\"http://d\"},\"d\":{\"type\":\"bnode\",\"value\":\"n1\"}}]}}";
  assert_int_equal(read_srj(doc, &c, err), TRINE_OK);
  assert_string_equal(c.text, "a=1:http://x/A b=3:chat@fr | | c=3:1^^http://d d=2:n1 | ");
  assert_int_equal(read_srj("{\"boolean\":true}", &c, err), TRINE_OK);
  assert_string_equal(c.text, "");
}

static void test_srj_rejects_malformed_documents(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", "[]", "{\"results\":{\"bindings\":[{\"a\":{\"type\":\"uri\"}}]}}",
      "{\"results\":{\"bindings\":[{\"a\":{\"type\":\"triple\",\"value\":\"x\"}}]}}",
      "{\"results\":{\"bindings\":[{\"a\":{\"type\":\"uri\",\"value\":\"\\ud800\"}}]}}",
      "{\"results\":{\"bindings\":[{\"a\":{\"type\":\"uri\",\"value\":\"\\q\"}}]}}",
      "{\"results\":{\"bindings\":[}", "{\"x\":\"unterminated}", "{} trailing",
      ("{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]"
       "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    Cells c;
    char err[256];
    if (read_srj(bad[i], &c, err) != TRINE_ERR_SYNTAX) fail_msg("accepted: %s", bad[i]);
    assert_non_null(strstr(err, "offset "));
  }
}

static void test_srx_reads_terms_and_skips_the_rest(void **state) {
  (void)state;
  Cells c;
  char err[256];
  const char *doc =
      "<?xml version=\"1.0\"?><!DOCTYPE x><!-- a <comment> -->"
      "<s:sparql xmlns:s=\"http://www.w3.org/2005/sparql-results#\"><s:head>"
      "<s:variable name='a'/><s:link href='x'/></s:head><s:results>"
      "<s:result><s:binding name='a'><s:uri>http://x/&#65;</s:uri></s:binding>"
      "<s:binding name=\"b\"><s:literal xml:lang='fr'>chat</s:literal></s:binding></s:result>"
      "<s:result/><s:result><s:binding name='c'><s:literal datatype='http://d'>"
      "<![CDATA[<1>]]></s:literal></s:binding><s:binding name='d'><s:bnode>n1</s:bnode>"
      "</s:binding><s:binding name='e'><s:literal/></s:binding></s:result></s:results></s:sparql>";
  memset(&c, 0, sizeof c);
  SrjHandler h = {cell, row, &c};
  assert_int_equal(srx_read(doc, strlen(doc), &h, err, sizeof err), TRINE_OK);
  assert_string_equal(c.text, "a=1:http://x/A b=3:chat@fr | | c=3:<1>^^http://d d=2:n1 e=3: | ");
}

static void test_srx_rejects_malformed_documents(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", "<html><body>Not found</body></html>",
      "<sparql><results><result><binding name='a'><uri>&nope;</uri></binding></result>",
      "<sparql><results><result><binding name='a'><uri>x</uri",
      "<sparql><results><result><binding name='a'><triple/></binding></result>",
      "<sparql><!-- unterminated", "<sparql a=b>"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    Cells c;
    char err[256];
    memset(&c, 0, sizeof c);
    SrjHandler h = {cell, row, &c};
    if (srx_read(bad[i], strlen(bad[i]), &h, err, sizeof err) != TRINE_ERR_SYNTAX)
      fail_msg("accepted: %s", bad[i]);
    assert_non_null(strstr(err, "offset "));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_service_sends_values_and_keeps_rows_of_their_number),
      cmocka_unit_test(test_service_batches_distinct_bindings),
      cmocka_unit_test(test_service_in_optional_and_exists_sends_rows_together),
      cmocka_unit_test(test_service_blank_nodes_are_fresh_per_response),
      cmocka_unit_test(test_service_reads_xml_results),
      cmocka_unit_test(test_service_http_error),
      cmocka_unit_test(test_service_bad_json),
      cmocka_unit_test(test_service_size_cap),
      cmocka_unit_test(test_service_request_timeout),
      cmocka_unit_test(test_service_query_timeout_stops_transfer),
      cmocka_unit_test(test_service_cancel_stops_transfer),
      cmocka_unit_test(test_service_allow_list),
      cmocka_unit_test(test_srj_reads_terms_and_skips_the_rest),
      cmocka_unit_test(test_srj_rejects_malformed_documents),
      cmocka_unit_test(test_srx_reads_terms_and_skips_the_rest),
      cmocka_unit_test(test_srx_rejects_malformed_documents),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
