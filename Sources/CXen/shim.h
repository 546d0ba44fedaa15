// SPDX-License-Identifier: Apache-2.0
/* libxenctrl, libxencall, libxenstore, libxenguest, libxenforeignmemory and
 * libxengnttab for Swift. xenctrl.h must come first: it defines the types the other headers use. */
#ifndef XL_SWIFT_CXEN_SHIM_H
#define XL_SWIFT_CXEN_SHIM_H
#include <xenctrl.h>
#include <xencall.h>
#include <xenstore.h>
#include <xenguest.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xen/io/xs_wire.h>

/* A xentoollog logger that prints nothing. The libraries' default logger
 * writes its own line to stderr on every failure; xl reports failures
 * itself, in one line. Swift cannot build this: the callbacks take va_list. */
static void xlswift_quiet_vmessage(struct xentoollog_logger *logger, xentoollog_level level, int errnoval,
                                   const char *context, const char *format, va_list args) {}
static void xlswift_quiet_progress(struct xentoollog_logger *logger, const char *context, const char *doing_what,
                                   int percent, unsigned long done, unsigned long total) {}
static void xlswift_quiet_destroy(struct xentoollog_logger *logger) {}

static inline xentoollog_logger *xlswift_quiet_logger(void) {
    static xentoollog_logger quiet = { xlswift_quiet_vmessage, xlswift_quiet_progress, xlswift_quiet_destroy };
    return &quiet;
}
/* With xl -v the domain builder's own messages (libxenguest's DOMPRINTF, detail level
 * and up) go to stderr, as upstream xl's logger shows them at -v. */
static inline xentoollog_logger *xlswift_stderr_builder_logger(void) {
    return (xentoollog_logger *)xtl_createlogger_stdiostream(stderr, XTL_DETAIL, 0);
}
#endif
