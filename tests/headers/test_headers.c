/* trine.h must compile alone, as C11, under every warning (link not needed),
 * and its version macros must say the project's version (PROJECT_VERSION,
 * given by meson). */
#include "trine.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  char v[32];
  snprintf(v, sizeof v, "%d.%d.%d", TRINE_VERSION_MAJOR, TRINE_VERSION_MINOR, TRINE_VERSION_PATCH);
  if (strcmp(v, PROJECT_VERSION) != 0) {
    fprintf(stderr, "trine.h says %s, the project %s\n", v, PROJECT_VERSION);
    return 1;
  }
  return TRINE_VERSION_NUMBER == TRINE_VERSION_MAJOR * 10000 + TRINE_VERSION_MINOR * 100 +
                                     TRINE_VERSION_PATCH && sizeof(TrineTerm) > 0 ? 0 : 1;
}
