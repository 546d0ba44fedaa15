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
 *
 * Preloaded into a process that plays guest <domid> (not into xenstored):
 *   FAKEXEN_XENBUS=path       opening path gives the guest's xenbus device:
 *   FAKEXEN_XENBUS_DOMID=d    one end of a socket pair whose other end a
 *                             thread (one for all opens, multiplexed as the
 *                             kernel does) bridges to the ring FAKEXEN_RING_DIR/
 *                             ring-<d>, kicking FAKEXEN_EVTCHN_FIFO and woken
 *                             through FAKEXEN_NOTIFY_DIR/port-<100 + d>. With
 *                             XENSTORED_PATH=path (a regular file), libxenstore's
 *                             xs_open(0) then talks to xenstored as domain d.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/io/xs_wire.h>
#include <xen/version.h>

#define FAKE_PAGE 4096
#define VIRQ_PORT 10
#define DOMAIN_PORT_BASE 100

struct xenevtchn_handle { int fd; int write_fd; };
struct xengntdev_handle { int unused; };
static int fake_xc_handle;

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

/* ---- a guest's xenbus device, bridged to its ring ----
 *
 * As the kernel's xenbus driver does, every open of the device in a process shares the guest's one ring:
 * requests get ring-wide request ids, and watch tokens a prefix naming the open ("<pid>.<slot>/"), so that
 * replies and events go back to the open that asked. Closing an open unregisters its watches.
 */

#define BRIDGE_OPENS 32
#define BRIDGE_WATCHES 16
#define BRIDGE_PENDING 256
#define BRIDGE_MESSAGE (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

struct bridge_open {
    int sock;
    size_t have;
    unsigned char message[BRIDGE_MESSAGE];
    int watches;
    char watch[BRIDGE_WATCHES][2][XENSTORE_ABS_PATH_MAX + 1];
};

struct bridge_pending { int used; int slot; uint32_t req_id; uint32_t id; };

struct xenbus_bridge {
    pthread_mutex_t lock;
    int kick;
    int wake;
    int added[2];
    uint32_t port;
    uint32_t next_id;
    volatile struct xenstore_domain_interface *ring;
    struct bridge_open *opens[BRIDGE_OPENS];
    struct bridge_pending pending[BRIDGE_PENDING];
    size_t response_have;
    unsigned char response[BRIDGE_MESSAGE];
};

static struct xenbus_bridge *the_bridge;
static pthread_mutex_t bridge_setup = PTHREAD_MUTEX_INITIALIZER;

static void bridge_kick(struct xenbus_bridge *b)
{
    ssize_t ignored = write(b->kick, &b->port, sizeof(b->port));
    (void)ignored;
}

/* Puts one message on the request ring, waiting for room. */
static void bridge_send(struct xenbus_bridge *b, const unsigned char *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        XENSTORE_RING_IDX prod = b->ring->req_prod, cons = b->ring->req_cons;
        size_t space = XENSTORE_RING_SIZE - (size_t)(prod - cons);
        if (space == 0) {
            usleep(1000);
            continue;
        }
        size_t n = len - done < space ? len - done : space;
        for (size_t i = 0; i < n; i++)
            b->ring->req[MASK_XENSTORE_IDX(prod + (XENSTORE_RING_IDX)i)] = (char)data[done + i];
        __sync_synchronize();
        b->ring->req_prod = prod + (XENSTORE_RING_IDX)n;
        bridge_kick(b);
        done += n;
    }
}

/* Sends a request for slot (-1: nobody waits for the reply) under a ring-wide request id. */
static void bridge_request(struct xenbus_bridge *b, int slot, struct xsd_sockmsg *hdr, const unsigned char *body)
{
    int free_entry = -1;
    for (int i = 0; i < BRIDGE_PENDING && free_entry < 0; i++)
        if (!b->pending[i].used)
            free_entry = i;
    if (free_entry < 0)
        return;
    struct bridge_pending *p = &b->pending[free_entry];
    p->used = 1;
    p->slot = slot;
    p->req_id = hdr->req_id;
    p->id = ++b->next_id;
    struct xsd_sockmsg sent = *hdr;
    sent.req_id = p->id;
    bridge_send(b, (const unsigned char *)&sent, sizeof(sent));
    bridge_send(b, body, sent.len);
}

static void bridge_write(int sock, const void *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(sock, (const char *)data + done, len - done);
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

/* A whole request from slot: watch tokens get the slot's prefix, and its watches are remembered. */
static void bridge_forward(struct xenbus_bridge *b, int slot)
{
    struct bridge_open *o = b->opens[slot];
    struct xsd_sockmsg hdr;
    memcpy(&hdr, o->message, sizeof(hdr));
    const unsigned char *body = o->message + sizeof(hdr);
    if (hdr.type != XS_WATCH && hdr.type != XS_UNWATCH) {
        bridge_request(b, slot, &hdr, body);
        return;
    }
    const char *path = (const char *)body;
    size_t path_len = strnlen(path, hdr.len);
    const char *token = path + path_len + 1;
    size_t token_len = path_len + 1 < hdr.len ? strnlen(token, hdr.len - path_len - 1) : 0;
    unsigned char rewritten[BRIDGE_MESSAGE];
    int prefix = snprintf((char *)rewritten, sizeof(rewritten), "%.*s%c%d.%d/%.*s", (int)path_len, path, 0,
                          (int)getpid(), slot, (int)token_len, token);
    if (prefix < 0 || (size_t)prefix + 1 > XENSTORE_PAYLOAD_MAX)
        return;
    hdr.len = (uint32_t)prefix + 1;
    if (hdr.type == XS_WATCH && o->watches < BRIDGE_WATCHES && path_len <= XENSTORE_ABS_PATH_MAX &&
        token_len <= XENSTORE_ABS_PATH_MAX) {
        snprintf(o->watch[o->watches][0], sizeof(o->watch[0][0]), "%.*s", (int)path_len, path);
        snprintf(o->watch[o->watches][1], sizeof(o->watch[0][1]), "%.*s", (int)token_len, token);
        o->watches++;
    }
    bridge_request(b, slot, &hdr, rewritten);
}

/* Slot was closed: its watches are taken back, and replies still due to it are dropped. */
static void bridge_close(struct xenbus_bridge *b, int slot)
{
    struct bridge_open *o = b->opens[slot];
    for (int i = 0; i < o->watches; i++) {
        unsigned char body[BRIDGE_MESSAGE];
        int len = snprintf((char *)body, sizeof(body), "%s%c%d.%d/%s", o->watch[i][0], 0, (int)getpid(), slot,
                           o->watch[i][1]);
        struct xsd_sockmsg hdr = { .type = XS_UNWATCH, .req_id = 0, .tx_id = 0, .len = (uint32_t)len + 1 };
        if (len > 0 && (size_t)len + 1 <= XENSTORE_PAYLOAD_MAX)
            bridge_request(b, -1, &hdr, body);
    }
    for (int i = 0; i < BRIDGE_PENDING; i++)
        if (b->pending[i].used && b->pending[i].slot == slot)
            b->pending[i].slot = -1;
    close(o->sock);
    free(o);
    b->opens[slot] = NULL;
}

/* A whole response from the ring: a reply goes to the slot that asked, an event to the slot its token names. */
static void bridge_deliver(struct xenbus_bridge *b)
{
    struct xsd_sockmsg hdr;
    memcpy(&hdr, b->response, sizeof(hdr));
    const unsigned char *body = b->response + sizeof(hdr);
    if (hdr.type == XS_WATCH_EVENT) {
        const char *path = (const char *)body;
        size_t path_len = strnlen(path, hdr.len);
        if (path_len + 1 >= hdr.len)
            return;
        const char *token = path + path_len + 1;
        int pid = -1, slot = -1, used = 0;
        if (sscanf(token, "%d.%d/%n", &pid, &slot, &used) != 2 || used == 0 || pid != (int)getpid() || slot < 0 ||
            slot >= BRIDGE_OPENS || !b->opens[slot])
            return;
        unsigned char event[BRIDGE_MESSAGE];
        size_t token_len = strnlen(token + used, hdr.len - path_len - 1 - (size_t)used);
        hdr.len = (uint32_t)(path_len + 1 + token_len + 1);
        memcpy(event, &hdr, sizeof(hdr));
        memcpy(event + sizeof(hdr), path, path_len + 1);
        memcpy(event + sizeof(hdr) + path_len + 1, token + used, token_len);
        event[sizeof(hdr) + hdr.len - 1] = 0;
        bridge_write(b->opens[slot]->sock, event, sizeof(hdr) + hdr.len);
        return;
    }
    for (int i = 0; i < BRIDGE_PENDING; i++) {
        struct bridge_pending *p = &b->pending[i];
        if (!p->used || p->id != hdr.req_id)
            continue;
        p->used = 0;
        if (p->slot < 0 || !b->opens[p->slot])
            return;
        hdr.req_id = p->req_id;
        memcpy(b->response, &hdr, sizeof(hdr));
        bridge_write(b->opens[p->slot]->sock, b->response, sizeof(hdr) + hdr.len);
        return;
    }
}

static void *bridge_run(void *arg)
{
    struct xenbus_bridge *b = arg;
    for (;;) {
        struct pollfd fds[BRIDGE_OPENS + 2];
        int slots[BRIDGE_OPENS];
        nfds_t count = 0;
        fds[count++] = (struct pollfd){ b->wake, POLLIN, 0 };
        fds[count++] = (struct pollfd){ b->added[0], POLLIN, 0 };
        pthread_mutex_lock(&b->lock);
        for (int i = 0; i < BRIDGE_OPENS; i++)
            if (b->opens[i]) {
                slots[count - 2] = i;
                fds[count++] = (struct pollfd){ b->opens[i]->sock, POLLIN, 0 };
            }
        pthread_mutex_unlock(&b->lock);
        /* The timeout only backs up a lost wake-up; the ring is looked at after every event. */
        if (poll(fds, count, 50) < 0 && errno != EINTR)
            break;
        char drain[256];
        if (fds[0].revents & POLLIN)
            while (read(b->wake, drain, sizeof(drain)) > 0)
                ;
        if (fds[1].revents & POLLIN) {
            ssize_t ignored = read(b->added[0], drain, sizeof(drain));
            (void)ignored;
        }
        pthread_mutex_lock(&b->lock);
        for (nfds_t f = 2; f < count; f++) {
            if (!(fds[f].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int slot = slots[f - 2];
            struct bridge_open *o = b->opens[slot];
            size_t want = o->have < sizeof(struct xsd_sockmsg)
                              ? sizeof(struct xsd_sockmsg) - o->have
                              : sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)o->message)->len - o->have;
            ssize_t n = read(o->sock, o->message + o->have, want);
            if (n <= 0) {
                bridge_close(b, slot);
                continue;
            }
            o->have += (size_t)n;
            if (o->have < sizeof(struct xsd_sockmsg))
                continue;
            struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)o->message;
            if (hdr->len > XENSTORE_PAYLOAD_MAX) {
                bridge_close(b, slot);
                continue;
            }
            if (o->have == sizeof(struct xsd_sockmsg) + hdr->len) {
                bridge_forward(b, slot);
                o->have = 0;
            }
        }
        XENSTORE_RING_IDX rprod = b->ring->rsp_prod, rcons = b->ring->rsp_cons;
        __sync_synchronize();
        while (rprod != rcons) {
            size_t want = b->response_have < sizeof(struct xsd_sockmsg)
                              ? sizeof(struct xsd_sockmsg) - b->response_have
                              : sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)b->response)->len - b->response_have;
            while (want > 0 && rprod != rcons) {
                b->response[b->response_have++] = (unsigned char)b->ring->rsp[MASK_XENSTORE_IDX(rcons)];
                rcons++;
                want--;
            }
            if (b->response_have >= sizeof(struct xsd_sockmsg) &&
                ((struct xsd_sockmsg *)b->response)->len > XENSTORE_PAYLOAD_MAX)
                b->response_have = 0;
            else if (b->response_have >= sizeof(struct xsd_sockmsg) &&
                     b->response_have == sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)b->response)->len) {
                bridge_deliver(b);
                b->response_have = 0;
            }
        }
        /* Consume before the next look: a process that exits as soon as it has its reply must
         * not leave that reply in the ring for the next process on this guest's ring. */
        __sync_synchronize();
        b->ring->rsp_cons = rcons;
        bridge_kick(b);
        pthread_mutex_unlock(&b->lock);
    }
    return NULL;
}

/* The process's one bridge to the guest's ring, set up at the first open. */
static struct xenbus_bridge *bridge_get(const char *domid, const char *rings, const char *fifo, const char *notify)
{
    pthread_mutex_lock(&bridge_setup);
    struct xenbus_bridge *b = the_bridge;
    if (b) {
        pthread_mutex_unlock(&bridge_setup);
        return b;
    }
    b = calloc(1, sizeof(*b));
    if (!b || pipe2(b->added, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(b);
        pthread_mutex_unlock(&bridge_setup);
        return NULL;
    }
    pthread_mutex_init(&b->lock, NULL);
    char name[4096];
    b->port = DOMAIN_PORT_BASE + (uint32_t)atoi(domid);
    snprintf(name, sizeof(name), "%s/ring-%s", rings, domid);
    int ring = real_open("open", name, O_RDWR, 0);
    snprintf(name, sizeof(name), "%s/port-%u", notify, b->port);
    if (mkfifo(name, 0600) < 0 && errno != EEXIST)
        ring = -1;
    b->wake = real_open("open", name, O_RDWR | O_NONBLOCK, 0);
    b->kick = real_open("open", fifo, O_WRONLY | O_NONBLOCK, 0);
    void *page = ring < 0 ? MAP_FAILED : mmap(NULL, FAKE_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ring, 0);
    if (ring >= 0)
        close(ring);
    pthread_t thread;
    if (page == MAP_FAILED || b->wake < 0 || b->kick < 0) {
        pthread_mutex_unlock(&bridge_setup);
        return NULL;
    }
    b->ring = page;
    if (pthread_create(&thread, NULL, bridge_run, b) != 0) {
        pthread_mutex_unlock(&bridge_setup);
        return NULL;
    }
    pthread_detach(thread);
    the_bridge = b;
    pthread_mutex_unlock(&bridge_setup);
    return b;
}

/* The guest's end of a new open of the xenbus device, or -2 when path is not the xenbus device. */
static int fake_xenbus_open(const char *path)
{
    const char *device = getenv("FAKEXEN_XENBUS");
    const char *domid = getenv("FAKEXEN_XENBUS_DOMID");
    const char *rings = getenv("FAKEXEN_RING_DIR");
    const char *fifo = getenv("FAKEXEN_EVTCHN_FIFO");
    const char *notify = getenv("FAKEXEN_NOTIFY_DIR");
    if (!device || strcmp(path, device) != 0)
        return -2;
    struct xenbus_bridge *b = domid && rings && fifo && notify ? bridge_get(domid, rings, fifo, notify) : NULL;
    if (!b) {
        errno = ENODEV;
        return -1;
    }
    struct bridge_open *o = calloc(1, sizeof(*o));
    int sv[2];
    if (!o || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        free(o);
        return -1;
    }
    o->sock = sv[1];
    pthread_mutex_lock(&b->lock);
    int slot = -1;
    for (int i = 0; i < BRIDGE_OPENS && slot < 0; i++)
        if (!b->opens[i])
            slot = i;
    if (slot >= 0)
        b->opens[slot] = o;
    pthread_mutex_unlock(&b->lock);
    if (slot < 0) {
        close(sv[0]);
        close(sv[1]);
        free(o);
        errno = EMFILE;
        return -1;
    }
    ssize_t ignored = write(b->added[1], "+", 1);
    (void)ignored;
    return sv[0];
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
