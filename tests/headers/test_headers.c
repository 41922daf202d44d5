/* trine.h must compile alone, as C11, under every warning (link not needed). */
#include "trine.h"

int main(void) { return (int)sizeof(TrineTerm) > 0 ? 0 : 1; }
