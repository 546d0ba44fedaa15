// SPDX-License-Identifier: Apache-2.0
/* libxlutil's config parser, the reference the tests compare XLConfig with. */
#include <libxl.h>
#include <libxlutil.h>
