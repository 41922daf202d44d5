/* trine.h must compile alone under every warning. */
#include "trine.h"

int main(void) { return trine_strerror(TRINE_OK) ? 0 : 1; }
