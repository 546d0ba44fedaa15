// SPDX-License-Identifier: Apache-2.0
/*
 * xenstore-replay: the C reference of Scripts/bench.sh for a xenstore client. It sends, one after
 * another on one connection to xenstored's socket, the requests a `xenstored -T` trace shows
 * (its "IN" lines), waiting for each reply, and prints how many it sent. Requests between a
 * TRANSACTION_START and its TRANSACTION_END go in the transaction the daemon opened.
 *
 * The trace prints a NUL as a space: in a WRITE the first space ends the path and the rest is the
 * value; in every other request each space is a NUL.
 *
 * Usage: xenstore-replay TRACE SOCKET
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

/* xenstored's names of the request types, as its trace prints them, indexed by type. */
static const char *const names[] = {
    "CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
    "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
    "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "RESET_WATCHES", "DIRECTORY_PART",
};

static int whole(int fd, void *data, size_t len, int writing)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = writing ? write(fd, (char *)data + done, len - done) : read(fd, (char *)data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xenstore-replay TRACE SOCKET\n");
        return 2;
    }
    FILE *trace = fopen(argv[1], "r");
    if (!trace) {
        perror(argv[1]);
        return 1;
    }
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf(address.sun_path, sizeof(address.sun_path), "%s", argv[2]);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        perror(argv[2]);
        return 1;
    }
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    unsigned long sent = 0;
    uint32_t transaction = 0;
    static char body[XENSTORE_PAYLOAD_MAX + 1];
    while ((length = getline(&line, &capacity, trace)) > 0) {
        char type[32];
        int payload = 0;
        if (strncmp(line, "IN ", 3) != 0 || sscanf(line, "IN %*s %*s %*s %31s (%n", type, &payload) != 1 || payload == 0)
            continue;
        char *end = strrchr(line, ')');
        if (!end || end < line + payload)
            continue;
        size_t len = (size_t)(end - (line + payload));
        if (len > XENSTORE_PAYLOAD_MAX)
            continue;
        uint32_t kind = 0;
        while (kind < sizeof(names) / sizeof(names[0]) && strcmp(names[kind], type) != 0)
            kind++;
        if (kind == sizeof(names) / sizeof(names[0])) {
            fprintf(stderr, "xenstore-replay: unknown request %s\n", type);
            return 1;
        }
        memcpy(body, line + payload, len);
        for (size_t i = 0; i < len; i++)
            if (body[i] == ' ') {
                body[i] = 0;
                if (kind == XS_WRITE)
                    break;
            }
        struct xsd_sockmsg request = { .type = kind, .req_id = (uint32_t)sent, .tx_id = transaction, .len = (uint32_t)len };
        if (kind == XS_TRANSACTION_START)
            request.tx_id = 0;
        if (whole(fd, &request, sizeof(request), 1) < 0 || whole(fd, body, len, 1) < 0) {
            perror("xenstore-replay: write");
            return 1;
        }
        sent++;
        struct xsd_sockmsg reply;
        static char answer[XENSTORE_PAYLOAD_MAX + 1];
        do {
            if (whole(fd, &reply, sizeof(reply), 0) < 0 || reply.len > XENSTORE_PAYLOAD_MAX ||
                whole(fd, answer, reply.len, 0) < 0) {
                fprintf(stderr, "xenstore-replay: no reply to request %lu\n", sent);
                return 1;
            }
        } while (reply.type == XS_WATCH_EVENT);
        answer[reply.len] = 0;
        if (kind == XS_TRANSACTION_START && reply.type == XS_TRANSACTION_START)
            transaction = (uint32_t)strtoul(answer, NULL, 10);
        if (kind == XS_TRANSACTION_END)
            transaction = 0;
    }
    printf("%lu\n", sent);
    free(line);
    return 0;
}
