// A state the code itself calls impossible: say where and stop, in every
// build type (unlike assert, which a user may compile out). Never for bad
// input or a failing environment: those are Status values.
#pragma once

#include <cstdio>
#include <cstdlib>

#define PACKTWIN_BUG(what)                                                                  \
  do {                                                                                      \
    std::fprintf(stderr, "packtwin: internal error at %s:%d: %s (please report this)\n", __FILE__, \
                 __LINE__, what);                                                           \
    std::abort();                                                                           \
  } while (false)
