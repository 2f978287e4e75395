/* http/console_assets.c - the console's files (src/http/console/), copied
 * into the binary at build time by the assembler's .incbin: no generator,
 * no run-time file access. Each file gets a start and an end symbol; the
 * Makefile makes this object depend on the files. Paths are relative to the
 * repository root, where make runs the compiler. Read through console.c. */
#include "http/console.h"

#define OV_ASSET(sym, file)                                                                 \
    __asm__(".section .rodata\n"                                                            \
            ".global " #sym "_start\n.hidden " #sym "_start\n"                              \
            ".global " #sym "_end\n.hidden " #sym "_end\n"                                  \
            ".balign 16\n" #sym "_start:\n.incbin \"" file "\"\n" #sym "_end:\n"            \
            ".byte 0\n.previous\n")

OV_ASSET(http_console_html, "src/http/console/index.html");
OV_ASSET(http_console_css, "src/http/console/console.css");
OV_ASSET(http_console_js, "src/http/console/console.js");
OV_ASSET(http_console_openapi, "src/http/console/openapi.json");
