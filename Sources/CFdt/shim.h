// SPDX-License-Identifier: Apache-2.0
/* libfdt for Swift: the header, plus inline functions for what libfdt
 * only offers as function-like macros (Swift cannot import those). */
#ifndef XL_SWIFT_CFDT_SHIM_H
#define XL_SWIFT_CFDT_SHIM_H
#include <libfdt.h>

static inline uint32_t xlfdt_magic(const void *fdt) { return fdt_magic(fdt); }
static inline uint32_t xlfdt_totalsize(const void *fdt) { return fdt_totalsize(fdt); }
static inline uint32_t xlfdt_version(const void *fdt) { return fdt_version(fdt); }
static inline int xlfdt_setprop_string(void *fdt, int node, const char *name, const char *value) {
    return fdt_setprop_string(fdt, node, name, value);
}
#endif
