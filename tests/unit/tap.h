/* tap.h: the smallest Test Anything Protocol producer, for the unit tests. */
#ifndef BURROW_TAP_H
#define BURROW_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

#define ok(cond, ...)                                                                         \
  do                                                                                          \
    {                                                                                         \
      int ok_ = !!(cond);                                                                     \
      printf ("%s %d - ", ok_ ? "ok" : "not ok", ++tap_n);                                    \
      printf (__VA_ARGS__);                                                                   \
      printf ("\n");                                                                          \
      if (!ok_)                                                                               \
        {                                                                                     \
          tap_failed++;                                                                       \
          printf ("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
        }                                                                                     \
    }                                                                                         \
  while (0)

#define is_str(got, want, ...)                                                                \
  do                                                                                          \
    {                                                                                         \
      const char *g_ = (got), *w_ = (want);                                                   \
      ok (g_ && w_ && strcmp (g_, w_) == 0, __VA_ARGS__);                                     \
      if (!(g_ && w_ && strcmp (g_, w_) == 0))                                                \
        printf ("#   got: '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
    }                                                                                         \
  while (0)

/* ok() on a message: the text must contain the fragment. */
#define like(got, fragment, ...)                                                              \
  do                                                                                          \
    {                                                                                         \
      const char *g_ = (got);                                                                 \
      ok (g_ && strstr (g_, (fragment)) != NULL, __VA_ARGS__);                                \
      if (!(g_ && strstr (g_, (fragment))))                                                   \
        printf ("#   got: '%s'\n#   expected to contain: '%s'\n", g_ ? g_ : "(null)",       \
                (fragment));                                                                  \
    }                                                                                         \
  while (0)

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
