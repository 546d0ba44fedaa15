// SPDX-License-Identifier: Apache-2.0
/* libxl's own reading of a domain config record (the libxl-json userdata file), as an oracle: prints
 * "c_info.type b_info.type" as libxl's *_to_string spell them, then the record as libxl writes it back.
 * Exit status 1 when libxl cannot parse it. Run under the fakexen shim, since libxl_ctx_alloc opens Xen. */
#include <libxl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libxl-record FILE\n");
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 1;
    }
    static char text[1 << 20];
    size_t length = fread(text, 1, sizeof(text) - 1, file);
    fclose(file);
    text[length] = 0;
    xentoollog_logger_stdiostream *logger = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    libxl_ctx *ctx;
    if (!logger || libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)logger)) {
        fprintf(stderr, "cannot init libxl context\n");
        return 1;
    }
    libxl_domain_config config;
    libxl_domain_config_init(&config);
    if (libxl_domain_config_from_json(ctx, &config, text)) {
        fprintf(stderr, "libxl cannot parse %s\n", argv[1]);
        return 1;
    }
    const char *created = libxl_domain_type_to_string(config.c_info.type);
    const char *built = libxl_domain_type_to_string(config.b_info.type);
    printf("%s %s\n", created ? created : "?", built ? built : "?");
    char *json = libxl_domain_config_to_json(ctx, &config);
    printf("%s\n", json ? json : "");
    return 0;
}
