// SPDX-License-Identifier: Apache-2.0
/*
 * fakexen: an LD_PRELOAD shim that lets the C xenstored 4.17 run on a host
 * without a hypervisor. It stands in for the 17 Xen library entry points
 * xenstored imports and serves dom0's /proc/xen/xsd_port and xsd_kva.
 * Nine more libxenctrl queries let Debian's real xl 4.17 get as far as
 * `xl -N create` (a config-parsing oracle): an ARM64 host with 4 CPUs.
 *
 * Environment knobs:
 *   FAKEXEN_NO_MAP=1          grant mapping of a guest ring fails (ENOENT),
 *                             so XS_INTRODUCE fails as on a real host whose
 *                             guest has no ring.
 *   FAKEXEN_RING_DIR=dir      guest rings are MAP_SHARED files dir/ring-<domid>
 *                             (created, 4 KiB) so a test can play the guest.
 *   FAKEXEN_EVTCHN_FIFO=path  the event channel fd is this FIFO; writing a
 *                             4-byte port number into it kicks xenstored.
 *                             Port 10 is VIRQ_DOM_EXC (re-check domains);
 *                             domain <d>'s ring is on port 100 + d.
 *   FAKEXEN_DEAD_DIR=dir      a file dir/<domid> makes that domain not exist.
 *   FAKEXEN_NOTIFY_DIR=dir    notifying port P writes a byte into the FIFO
 *                             dir/port-P when it exists (xenstored kicks a
 *                             guest's ring on port 100 + domid this way).
 *   FAKEXEN_PARENT=pid        the daemon exits once its parent is no longer
 *                             pid, so a test process that is killed, or that
 *                             ends with a daemon still referenced, leaves no
 *                             xenstored behind.
 *
 * Preloaded into a process that plays a guest (not into xenstored):
 *   FAKEXEN_XENBUS=path         opening path gives the guest's xenbus device:
 *   FAKEXEN_XENBUS_SOCKET=sock  a connection to the guest's fakexen-bridge,
 *                               which owns the guest's ring as the guest's
 *                               kernel would (fakexen-bridge.c). With
 *                               XENSTORED_PATH=path (a regular file),
 *                               libxenstore's xs_open(0) then talks to
 *                               xenstored as that guest.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stdint.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/version.h>

#define FAKE_PAGE 4096
#define VIRQ_PORT 10
#define DOMAIN_PORT_BASE 100

struct xenevtchn_handle { int fd; int write_fd; };
struct xengntdev_handle { int unused; };
static int fake_xc_handle;

/* ---- FAKEXEN_PARENT: the daemon does not outlive the test process ---- */

static void *watch_parent(void *arg)
{
    pid_t parent = (pid_t)(intptr_t)arg;
    while (getppid() == parent)
        usleep(200000);
    _exit(0);
}

__attribute__((constructor)) static void exit_with_parent(void)
{
    const char *value = getenv("FAKEXEN_PARENT");
    if (value == NULL)
        return;
    char *end;
    long parent = strtol(value, &end, 10);
    unsetenv("FAKEXEN_PARENT");
    if (*value == '\0' || *end != '\0' || parent <= 1)
        return;
    if (getppid() != (pid_t)parent)
        _exit(0);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watch_parent, (void *)(intptr_t)parent) == 0)
        pthread_detach(thread);
}

/* ---- /proc/xen/xsd_port and /proc/xen/xsd_kva ---- */

static int memfd_with(const char *name, const void *data, size_t len, size_t size)
{
    int fd = memfd_create(name, 0);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)size) < 0 ||
        (len && pwrite(fd, data, len, 0) != (ssize_t)len)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int fake_proc_open(const char *path)
{
    if (strcmp(path, "/proc/xen/xsd_port") == 0)
        return memfd_with("xsd_port", "1", 1, 1);
    if (strcmp(path, "/proc/xen/xsd_kva") == 0)
        return memfd_with("xsd_kva", NULL, 0, FAKE_PAGE);
    return -2;
}

static int real_open(const char *name, const char *path, int flags, mode_t mode)
{
    int (*next)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    return next(path, flags, mode);
}

/* ---- a guest's xenbus device ----
 *
 * Every open of the device is a new connection to the guest's fakexen-bridge, which owns the guest's ring.
 */

/* The guest's end of a new open of the xenbus device, or -2 when path is not the xenbus device. */
static int fake_xenbus_open(const char *path)
{
    const char *device = getenv("FAKEXEN_XENBUS");
    const char *bridge = getenv("FAKEXEN_XENBUS_SOCKET");
    if (!device || strcmp(path, device) != 0)
        return -2;
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (!bridge || strlen(bridge) >= sizeof(address.sun_path)) {
        errno = ENODEV;
        return -1;
    }
    strcpy(address.sun_path, bridge);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    if (connect(sock, (struct sockaddr *)&address, sizeof(address)) < 0) {
        close(sock);
        errno = ENODEV;
        return -1;
    }
    return sock;
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int fd = fake_proc_open(path);
    if (fd == -2)
        fd = fake_xenbus_open(path);
    return fd != -2 ? fd : real_open("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int fd = fake_proc_open(path);
    if (fd == -2)
        fd = fake_xenbus_open(path);
    return fd != -2 ? fd : real_open("open64", path, flags, mode);
}

/* ---- libxenctrl ---- */

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)logger; (void)dombuild_logger; (void)open_flags;
    return (xc_interface *)&fake_xc_handle;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

static int domain_is_dead(uint32_t domid)
{
    const char *dir = getenv("FAKEXEN_DEAD_DIR");
    char path[4096];
    if (!dir)
        return 0;
    snprintf(path, sizeof(path), "%s/%u", dir, domid);
    return access(path, F_OK) == 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                      xc_dominfo_t *info)
{
    (void)xch;
    if (max_doms == 0 || domain_is_dead(first_domid))
        return 0;
    memset(info, 0, sizeof(*info));
    info->domid = first_domid;
    info->running = 1;
    return 1;
}

/* ---- libxenevtchn ---- */

static evtchn_port_t next_port = DOMAIN_PORT_BASE + 0x8000;

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
    (void)logger; (void)open_flags;
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    const char *fifo = getenv("FAKEXEN_EVTCHN_FIFO");
    if (fifo) {
        h->fd = real_open("open", fifo, O_RDWR | O_NONBLOCK, 0);
        h->write_fd = -1;
    } else {
        int fds[2];
        if (pipe2(fds, O_NONBLOCK) == 0) {
            h->fd = fds[0];
            h->write_fd = fds[1];
        } else {
            h->fd = -1;
        }
    }
    if (h->fd < 0) {
        free(h);
        return NULL;
    }
    return h;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
    (void)logger; (void)open_flags;
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->fd = fd;
    h->write_fd = -1;
    return h;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xce->fd;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce;
    const char *dir = getenv("FAKEXEN_NOTIFY_DIR");
    if (dir) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/port-%u", dir, port);
        int fd = real_open("open", path, O_WRONLY | O_NONBLOCK, 0);
        if (fd >= 0) {
            ssize_t ignored = write(fd, "", 1);
            (void)ignored;
            close(fd);
        }
    }
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    (void)xce; (void)remote_port;
    if (domid < 0x7FF0)
        return (xenevtchn_port_or_error_t)(DOMAIN_PORT_BASE + domid);
    return (xenevtchn_port_or_error_t)next_port++;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
    (void)xce; (void)virq;
    return VIRQ_PORT;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce; (void)port;
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    uint32_t port;
    if (read(xce->fd, &port, sizeof(port)) != (ssize_t)sizeof(port)) {
        errno = EAGAIN;
        return -1;
    }
    return (xenevtchn_port_or_error_t)port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce; (void)port;
    return 0;
}

/* ---- libxengnttab ---- */

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger; (void)open_flags;
    return calloc(1, sizeof(struct xengntdev_handle));
}

int xengnttab_close(xengnttab_handle *xgt)
{
    free(xgt);
    return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    (void)xgt; (void)nr_grants;
    return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
    (void)xgt; (void)ref;
    if (getenv("FAKEXEN_NO_MAP")) {
        errno = ENOENT;
        return NULL;
    }
    const char *dir = getenv("FAKEXEN_RING_DIR");
    if (!dir) {
        void *page = mmap(NULL, FAKE_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return page == MAP_FAILED ? NULL : page;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/ring-%u", dir, domid);
    int fd = real_open("open", path, O_RDWR | O_CREAT, 0600);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || (st.st_size < FAKE_PAGE && ftruncate(fd, FAKE_PAGE) < 0)) {
        close(fd);
        return NULL;
    }
    void *page = mmap(NULL, FAKE_PAGE, prot, MAP_SHARED, fd, 0);
    close(fd);
    return page == MAP_FAILED ? NULL : page;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    (void)xgt;
    return munmap(start_address, (size_t)count * FAKE_PAGE);
}

/* ---- what libxl asks while xl parses a config (xl -N create) ---- */

#define FAKE_CPUS 4

int xc_version(xc_interface *xch, int cmd, void *arg)
{
    (void)xch;
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion:
        memset(arg, 0, sizeof(xen_extraversion_t));
        strcpy(arg, ".0-fakexen");
        return 0;
    case XENVER_compile_info:
        memset(arg, 0, sizeof(xen_compile_info_t));
        return 0;
    case XENVER_capabilities:
        memset(arg, 0, sizeof(xen_capabilities_info_t));
        strcpy(arg, "xen-3.0-aarch64");
        return 0;
    case XENVER_changeset:
        memset(arg, 0, sizeof(xen_changeset_info_t));
        strcpy(arg, "fakexen");
        return 0;
    case XENVER_platform_parameters:
        memset(arg, 0, sizeof(xen_platform_parameters_t));
        return 0;
    case XENVER_get_features:
        memset(arg, 0, sizeof(xen_feature_info_t));
        return 0;
    case XENVER_pagesize:
        return FAKE_PAGE;
    case XENVER_commandline:
        memset(arg, 0, sizeof(xen_commandline_t));
        return 0;
    default:
        errno = ENOSYS;
        return -1;
    }
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    (void)xch;
    memset(info, 0, sizeof(*info));
    info->threads_per_core = 1;
    info->cores_per_socket = FAKE_CPUS;
    info->nr_cpus = FAKE_CPUS;
    info->max_cpu_id = FAKE_CPUS - 1;
    info->nr_nodes = 1;
    info->max_node_id = 0;
    info->total_pages = 1 << 20;
    info->free_pages = 1 << 19;
    info->capabilities = XEN_SYSCTL_PHYSCAP_hap | XEN_SYSCTL_PHYSCAP_directio;
    return 0;
}

int xc_get_max_cpus(xc_interface *xch) { (void)xch; return FAKE_CPUS; }
int xc_get_online_cpus(xc_interface *xch) { (void)xch; return FAKE_CPUS; }
int xc_get_max_nodes(xc_interface *xch) { (void)xch; return 1; }
int xc_get_cpumap_size(xc_interface *xch) { (void)xch; return 1; }
int xc_get_nodemap_size(xc_interface *xch) { (void)xch; return 1; }
long xc_sharing_freed_pages(xc_interface *xch) { (void)xch; return 0; }
long xc_sharing_used_frames(xc_interface *xch) { (void)xch; return 0; }
