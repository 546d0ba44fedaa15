/* libxenctrl, libxencall and libxenstore for Swift. xenctrl.h must come
 * first: it defines the types the other headers use. */
#ifndef XL_SWIFT_CXEN_SHIM_H
#define XL_SWIFT_CXEN_SHIM_H
#include <xenctrl.h>
#include <xencall.h>
#include <xenstore.h>
#endif
