/*
 * page.h -- the query page served at / (minimal for now: a form that
 * posts a query and shows the result as a table or as JSON).
 */
#ifndef TRINE_PAGE_H
#define TRINE_PAGE_H

/// The page, a complete HTML document.
const char *page_html(void);

#endif
