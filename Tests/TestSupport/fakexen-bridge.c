// SPDX-License-Identifier: Apache-2.0
/*
 * fakexen-bridge: plays a guest kernel's xenbus driver for one guest of the
 * C xenstored running under fakexen. It owns the guest's ring page (a shared
 * file fakexen made when the guest was introduced) and serves a unix socket:
 * each connection is one open of the guest's xenbus device, which fakexen
 * gives processes that play the guest.
 *
 * One process owns the ring, as the one kernel does, so the ring is never
 * written or read by two processes at once. As the kernel does:
 *   - requests get ring-wide request ids, and watch tokens a prefix naming the
 *     open ("<slot>/"), so replies and events go back to the open that asked;
 *   - closing an open (its process exited or was killed) unregisters its
 *     watches and aborts its transactions.
 *
 * Usage: fakexen-bridge DOMID RING-FILE EVTCHN-FIFO NOTIFY-FIFO SOCKET
 * It kicks xenstored by writing port 100 + DOMID into EVTCHN-FIFO, is woken
 * through NOTIFY-FIFO, and exits within 50 ms of its parent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#define RING_PAGE 4096
#define DOMAIN_PORT_BASE 100
#define OPENS 64
#define WATCHES 16
#define TRANSACTIONS 16
#define PENDING 512
#define MESSAGE (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* One open of the xenbus device: a connection, its partial request, its watches and transactions. */
struct open {
    int sock;
    size_t have;
    unsigned char message[MESSAGE];
    int watches;
    char watch[WATCHES][2][XENSTORE_ABS_PATH_MAX + 1];
    int transactions;
    uint32_t transaction[TRANSACTIONS];
};

/* A request on the ring whose reply is due: to slot (-1: to nobody) under the open's own request id. */
struct pending { int used; int slot; int type; uint32_t req_id; uint32_t id; };

static int kick_fd, wake_fd, listen_fd;
static uint32_t port, next_id;
static volatile struct xenstore_domain_interface *ring;
static struct open *opens[OPENS];
static struct pending pending[PENDING];
static size_t response_have;
static unsigned char response[MESSAGE];

static void kick(void)
{
    ssize_t ignored = write(kick_fd, &port, sizeof(port));
    (void)ignored;
}

/* Puts bytes on the request ring, waiting for room. */
static void ring_send(const unsigned char *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        XENSTORE_RING_IDX prod = ring->req_prod, cons = ring->req_cons;
        size_t space = XENSTORE_RING_SIZE - (size_t)(prod - cons);
        if (space == 0) {
            kick();
            usleep(1000);
            continue;
        }
        size_t n = len - done < space ? len - done : space;
        for (size_t i = 0; i < n; i++)
            ring->req[MASK_XENSTORE_IDX(prod + (XENSTORE_RING_IDX)i)] = (char)data[done + i];
        __sync_synchronize();
        ring->req_prod = prod + (XENSTORE_RING_IDX)n;
        done += n;
    }
    kick();
}

static void sock_write(int sock, const void *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(sock, (const char *)data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

/* Answers slot at once with an error reply, as the kernel does for a request it cannot pass on. */
static void refuse(int slot, const struct xsd_sockmsg *hdr, const char *error)
{
    unsigned char reply[sizeof(struct xsd_sockmsg) + 16];
    struct xsd_sockmsg out = { .type = XS_ERROR, .req_id = hdr->req_id, .tx_id = hdr->tx_id,
                               .len = (uint32_t)strlen(error) + 1 };
    memcpy(reply, &out, sizeof(out));
    memcpy(reply + sizeof(out), error, out.len);
    sock_write(opens[slot]->sock, reply, sizeof(out) + out.len);
}

/* Sends a request for slot (-1: nobody waits for the reply) under a ring-wide request id. */
static void request(int slot, struct xsd_sockmsg *hdr, const unsigned char *body)
{
    int free_entry = -1;
    for (int i = 0; i < PENDING && free_entry < 0; i++)
        if (!pending[i].used)
            free_entry = i;
    if (free_entry < 0) {
        if (slot >= 0)
            refuse(slot, hdr, "EAGAIN");
        return;
    }
    struct pending *p = &pending[free_entry];
    p->used = 1;
    p->slot = slot;
    p->type = (int)hdr->type;
    p->req_id = hdr->req_id;
    p->id = ++next_id;
    unsigned char message[MESSAGE];
    struct xsd_sockmsg sent = *hdr;
    sent.req_id = p->id;
    memcpy(message, &sent, sizeof(sent));
    memcpy(message + sizeof(sent), body, sent.len);
    ring_send(message, sizeof(sent) + sent.len);
}

/* A whole request from slot: watch tokens get the slot's prefix; its watches and transactions are remembered. */
static void forward(int slot)
{
    struct open *o = opens[slot];
    struct xsd_sockmsg hdr;
    memcpy(&hdr, o->message, sizeof(hdr));
    const unsigned char *body = o->message + sizeof(hdr);
    if (hdr.type == XS_TRANSACTION_END)
        for (int i = 0; i < o->transactions; i++)
            if (o->transaction[i] == hdr.tx_id) {
                o->transaction[i] = o->transaction[--o->transactions];
                break;
            }
    if (hdr.type != XS_WATCH && hdr.type != XS_UNWATCH) {
        request(slot, &hdr, body);
        return;
    }
    const char *path = (const char *)body;
    size_t path_len = strnlen(path, hdr.len);
    const char *token = path + path_len + 1;
    size_t token_len = path_len + 1 < hdr.len ? strnlen(token, hdr.len - path_len - 1) : 0;
    unsigned char rewritten[MESSAGE];
    int prefix = snprintf((char *)rewritten, sizeof(rewritten), "%.*s%c%d/%.*s", (int)path_len, path, 0, slot,
                          (int)token_len, token);
    if (prefix < 0 || (size_t)prefix + 1 > XENSTORE_PAYLOAD_MAX) {
        refuse(slot, &hdr, "E2BIG");
        return;
    }
    hdr.len = (uint32_t)prefix + 1;
    if (hdr.type == XS_WATCH && o->watches < WATCHES && path_len <= XENSTORE_ABS_PATH_MAX &&
        token_len <= XENSTORE_ABS_PATH_MAX) {
        snprintf(o->watch[o->watches][0], sizeof(o->watch[0][0]), "%.*s", (int)path_len, path);
        snprintf(o->watch[o->watches][1], sizeof(o->watch[0][1]), "%.*s", (int)token_len, token);
        o->watches++;
    }
    request(slot, &hdr, rewritten);
}

/* Slot was closed: its watches are taken back, its transactions aborted, and replies still due to it dropped. */
static void close_open(int slot)
{
    struct open *o = opens[slot];
    for (int i = 0; i < o->watches; i++) {
        unsigned char body[MESSAGE];
        int len = snprintf((char *)body, sizeof(body), "%s%c%d/%s", o->watch[i][0], 0, slot, o->watch[i][1]);
        struct xsd_sockmsg hdr = { .type = XS_UNWATCH, .req_id = 0, .tx_id = 0, .len = (uint32_t)len + 1 };
        if (len > 0 && (size_t)len + 1 <= XENSTORE_PAYLOAD_MAX)
            request(-1, &hdr, body);
    }
    for (int i = 0; i < o->transactions; i++) {
        struct xsd_sockmsg hdr = { .type = XS_TRANSACTION_END, .req_id = 0, .tx_id = o->transaction[i], .len = 2 };
        request(-1, &hdr, (const unsigned char *)"F");
    }
    for (int i = 0; i < PENDING; i++)
        if (pending[i].used && pending[i].slot == slot)
            pending[i].slot = -1;
    close(o->sock);
    free(o);
    opens[slot] = NULL;
}

/* A whole message from the ring: a reply goes to the slot that asked, an event to the slot its token names. */
static void deliver(void)
{
    struct xsd_sockmsg hdr;
    memcpy(&hdr, response, sizeof(hdr));
    const unsigned char *body = response + sizeof(hdr);
    if (hdr.type == XS_WATCH_EVENT) {
        const char *path = (const char *)body;
        size_t path_len = strnlen(path, hdr.len);
        if (path_len + 1 >= hdr.len)
            return;
        const char *token = path + path_len + 1;
        int slot = -1, used = 0;
        if (sscanf(token, "%d/%n", &slot, &used) != 1 || used == 0 || slot < 0 || slot >= OPENS || !opens[slot])
            return;
        unsigned char event[MESSAGE];
        size_t token_len = strnlen(token + used, hdr.len - path_len - 1 - (size_t)used);
        hdr.len = (uint32_t)(path_len + 1 + token_len + 1);
        memcpy(event, &hdr, sizeof(hdr));
        memcpy(event + sizeof(hdr), path, path_len + 1);
        memcpy(event + sizeof(hdr) + path_len + 1, token + used, token_len);
        event[sizeof(hdr) + hdr.len - 1] = 0;
        sock_write(opens[slot]->sock, event, sizeof(hdr) + hdr.len);
        return;
    }
    for (int i = 0; i < PENDING; i++) {
        struct pending *p = &pending[i];
        if (!p->used || p->id != hdr.req_id)
            continue;
        p->used = 0;
        if (p->slot < 0 || !opens[p->slot])
            return;
        struct open *o = opens[p->slot];
        if (p->type == XS_TRANSACTION_START && hdr.type == XS_TRANSACTION_START && o->transactions < TRANSACTIONS) {
            char id[16] = { 0 };
            memcpy(id, body, hdr.len < sizeof(id) - 1 ? hdr.len : sizeof(id) - 1);
            o->transaction[o->transactions++] = (uint32_t)strtoul(id, NULL, 10);
        }
        hdr.req_id = p->req_id;
        memcpy(response, &hdr, sizeof(hdr));
        sock_write(o->sock, response, sizeof(hdr) + hdr.len);
        return;
    }
}

/* Reads what xenstored put on the response ring; delivers each message once it is whole. */
static void drain_responses(void)
{
    XENSTORE_RING_IDX rprod = ring->rsp_prod, rcons = ring->rsp_cons;
    __sync_synchronize();
    while (rprod != rcons) {
        size_t want = response_have < sizeof(struct xsd_sockmsg)
                          ? sizeof(struct xsd_sockmsg) - response_have
                          : sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)response)->len - response_have;
        while (want > 0 && rprod != rcons) {
            response[response_have++] = (unsigned char)ring->rsp[MASK_XENSTORE_IDX(rcons)];
            rcons++;
            want--;
        }
        if (response_have >= sizeof(struct xsd_sockmsg) && ((struct xsd_sockmsg *)response)->len > XENSTORE_PAYLOAD_MAX)
            response_have = 0;
        else if (response_have >= sizeof(struct xsd_sockmsg) &&
                 response_have == sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)response)->len) {
            deliver();
            response_have = 0;
        }
    }
    __sync_synchronize();
    ring->rsp_cons = rcons;
    kick();
}

/* Reads from slot's connection; forwards its request once it is whole. */
static void receive(int slot)
{
    struct open *o = opens[slot];
    size_t want = o->have < sizeof(struct xsd_sockmsg)
                      ? sizeof(struct xsd_sockmsg) - o->have
                      : sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)o->message)->len - o->have;
    ssize_t n = read(o->sock, o->message + o->have, want);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close_open(slot);
        return;
    }
    o->have += (size_t)n;
    if (o->have < sizeof(struct xsd_sockmsg))
        return;
    struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)o->message;
    if (hdr->len > XENSTORE_PAYLOAD_MAX) {
        close_open(slot);
        return;
    }
    if (o->have == sizeof(struct xsd_sockmsg) + hdr->len) {
        forward(slot);
        o->have = 0;
    }
}

static void accept_open(void)
{
    int sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (sock < 0)
        return;
    for (int i = 0; i < OPENS; i++)
        if (!opens[i]) {
            opens[i] = calloc(1, sizeof(struct open));
            if (!opens[i])
                break;
            opens[i]->sock = sock;
            return;
        }
    close(sock);
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "fakexen-bridge: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: fakexen-bridge DOMID RING-FILE EVTCHN-FIFO NOTIFY-FIFO SOCKET\n");
        return 2;
    }
    pid_t parent = getppid();
    signal(SIGPIPE, SIG_IGN);
    port = DOMAIN_PORT_BASE + (uint32_t)strtoul(argv[1], NULL, 10);
    int ring_fd = open(argv[2], O_RDWR | O_CLOEXEC);
    if (ring_fd < 0)
        return fail("cannot open ring", argv[2]);
    void *page = mmap(NULL, RING_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ring_fd, 0);
    close(ring_fd);
    if (page == MAP_FAILED)
        return fail("cannot map ring", argv[2]);
    ring = page;
    if ((kick_fd = open(argv[3], O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return fail("cannot open", argv[3]);
    if (mkfifo(argv[4], 0600) < 0 && errno != EEXIST)
        return fail("cannot make", argv[4]);
    if ((wake_fd = open(argv[4], O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
        return fail("cannot open", argv[4]);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen(argv[5]) >= sizeof(address.sun_path)) {
        errno = ENAMETOOLONG;
        return fail("cannot bind", argv[5]);
    }
    strcpy(address.sun_path, argv[5]);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(listen_fd, 64) < 0)
        return fail("cannot listen on", argv[5]);
    while (getppid() == parent) {
        struct pollfd fds[OPENS + 2];
        int slots[OPENS];
        nfds_t count = 0;
        fds[count++] = (struct pollfd){ wake_fd, POLLIN, 0 };
        fds[count++] = (struct pollfd){ listen_fd, POLLIN, 0 };
        for (int i = 0; i < OPENS; i++)
            if (opens[i]) {
                slots[count - 2] = i;
                fds[count++] = (struct pollfd){ opens[i]->sock, POLLIN, 0 };
            }
        /* The timeout only backs up a lost wake-up; the ring is looked at after every event. */
        if (poll(fds, count, 50) < 0 && errno != EINTR)
            return fail("poll", argv[5]);
        char drain[256];
        if (fds[0].revents & POLLIN)
            while (read(wake_fd, drain, sizeof(drain)) > 0)
                ;
        if (fds[1].revents & POLLIN)
            accept_open();
        for (nfds_t f = 2; f < count; f++)
            if (fds[f].revents & (POLLIN | POLLHUP | POLLERR))
                receive(slots[f - 2]);
        drain_responses();
    }
    return 0;
}
