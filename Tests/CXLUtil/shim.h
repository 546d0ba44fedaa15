/* libxlutil's config parser, the reference the tests compare XLConfig with. */
#include <libxl.h>
#include <libxlutil.h>
