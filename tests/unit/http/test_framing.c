/* tests/unit/http/test_framing.c - the request-head framing verdicts
 * (http/framing.c) for each smuggling shape of issue 10 item 3, and the log
 * escaping helper (util/log.c) that every outside string goes through. */
#include "unit/harness.h"

#include "http/framing.c"
#include "util/log.c"

typedef struct hdr {
    const char *k, *v;
    size_t vlen; /* 0 = strlen(v) */
} hdr;

static int verdict(const hdr *h, int n, bool http11, const char **why)
{
    http_framing f = {0};
    for (int i = 0; i < n; i++)
        http_framing_add(&f, h[i].k, strlen(h[i].k), h[i].v, h[i].vlen ? h[i].vlen : strlen(h[i].v));
    return http_framing_verdict(&f, http11, why);
}

static void test_framing_verdicts(void)
{
    const char *why;
    hdr ok[] = {{"Host", "x", 0}, {"Content-Length", "12", 0}};
    CHECK_EQ(verdict(ok, 2, true, &why), 0);
    CHECK(why == NULL);
    hdr same_cl[] = {{"Host", "x", 0}, {"Content-Length", "3", 0}, {"content-length", " 3 ", 0}};
    CHECK_EQ(verdict(same_cl, 3, true, &why), 0);
    hdr chunked[] = {{"Host", "x", 0}, {"Transfer-Encoding", "Chunked", 0}};
    CHECK_EQ(verdict(chunked, 2, true, &why), 0);
    hdr http10[] = {{"Accept", "*/*", 0}};
    CHECK_EQ(verdict(http10, 1, false, &why), 0);

    struct {
        hdr h[3];
        int n;
        int want;
        const char *msg;
    } bad[] = {
        {{{"Host", "x", 0}, {"Content-Length", "5", 0}, {"Transfer-Encoding", "chunked", 0}}, 3, 400, "together"},
        {{{"Host", "x", 0}, {"Content-Length", "1", 0}, {"Content-Length", "2", 0}}, 3, 400, "two different"},
        {{{"Host", "x", 0}, {"X-A ", "b", 0}}, 2, 400, "header name"},
        {{{"Host", "x", 0}, {"Transfer-Encoding", "chunked", 0}, {"Transfer-Encoding", "chunked", 0}}, 3, 400, "more than once"},
        {{{"Host", "x", 0}, {"X-A", "b\rc", 0}}, 2, 400, "CR, LF or NUL"},
        {{{"Host", "x", 0}, {"X-Chroma-Token", "sec\0ret", 7}}, 2, 400, "CR, LF or NUL"},
        {{{"Accept", "*/*", 0}}, 1, 400, "exactly one Host"},
        {{{"Host", "x", 0}, {"Host", "y", 0}}, 2, 400, "exactly one Host"},
        {{{"Host", "x", 0}, {"Transfer-Encoding", "gzip", 0}}, 2, 400, "not chunked"},
        {{{"Host", "x", 0}, {"Transfer-Encoding", "chunked, gzip", 0}}, 2, 400, "not chunked"},
        {{{"Host", "x", 0}, {"Content-Length", "-1", 0}}, 2, 400, "not a number"},
        {{{"Host", "x", 0}, {"Content-Length", "99999999999999999999", 0}}, 2, 400, "not a number"},
        {{{"Host", "x", 0}, {"Transfer-Encoding", "x, chunked", 0}}, 2, 501, "other than chunked"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        CHECK_EQ(verdict(bad[i].h, bad[i].n, true, &why), bad[i].want);
        CHECK(why && strstr(why, bad[i].msg));
    }
}

static void test_log_escape(void)
{
    char b[64];
    CHECK_STR(OV_LOG_ESC(b, "plain/name-1.txt"), "plain/name-1.txt");
    CHECK_STR(OV_LOG_ESC(b, "x\n{\"level\":\"error\"}"), "x\\n{\\\"level\\\":\\\"error\\\"}");
    CHECK_STR(ov_log_escape(b, sizeof b, "a\0b\x7f\xff", 5), "a\\u0000b\\u007f\\u00ff");
    CHECK_STR(ov_log_escape(b, sizeof b, NULL, 0), "(null)");
    char small[8];
    OV_LOG_ESC(small, "abcdefghijklmnop");
    CHECK(strlen(small) < sizeof small);
    CHECK(strstr(small, "...") != NULL);
    OV_LOG_ESC(small, "\n\n\n\n\n");
    CHECK(strlen(small) < sizeof small);
    CHECK(!strchr(small, '\n'));
}

int main(void)
{
    RUN(test_framing_verdicts);
    RUN(test_log_escape);
    return harness_done();
}
