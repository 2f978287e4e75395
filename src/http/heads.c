/* http/heads.c - absolute deadlines for request heads. libmicrohttpd's
 * connection timeout counts silence only: every byte that arrives restarts
 * it, so a client dribbling one header byte a second (slow loris) holds its
 * slot forever. Here each connection gets a deadline when it is accepted
 * (now + head timeout); the deadline is lifted while a request is being
 * served (its head is in) and set again when the answer has been sent (now
 * + idle timeout + head timeout: the keep-alive wait, then the next head).
 * A watcher thread shuts down the socket of every connection whose deadline
 * passed; libmicrohttpd then sees the end of the stream and closes the
 * connection itself, so no connection state is touched from outside its
 * thread. Entries are created and removed from libmicrohttpd's connection
 * notifications (removed before the descriptor is closed, so a descriptor
 * the watcher shuts down is never one already reused). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "http/http.h"
#include "util/mem.h"
#include "util/thread.h"

struct http_head_conn {
    struct http_head_conn *prev, *next;
    int fd;
    atomic_llong due_ms; /* monotonic ms; 0 = no deadline (a request in progress) */
    /* the request target as libmicrohttpd first saw it (its connection's
     * thread only): where its text ended, and whether unescaping made a NUL */
    const char *target_end;
    bool target_nul;
};

struct http_heads {
    pthread_mutex_t mu; /* the list and stop */
    pthread_cond_t cv;
    pthread_t watcher;
    http_head_conn *first;
    long long head_ms, idle_ms, tick_ms;
    bool stop;
    atomic_ullong cut;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *watch(void *arg)
{
    http_heads *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        long long now = now_ms();
        for (http_head_conn *c = h->first; c; c = c->next) {
            long long due = atomic_load(&c->due_ms);
            /* the exchange loses to a head that completes meanwhile */
            if (due && now >= due && atomic_compare_exchange_strong(&c->due_ms, &due, 0)) {
                atomic_fetch_add(&h->cut, 1);
                shutdown(c->fd, SHUT_RDWR);
            }
        }
        long long until = now_ms() + h->tick_ms;
        struct timespec ts = {.tv_sec = until / 1000, .tv_nsec = (until % 1000) * 1000000};
        while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

http_heads *http_heads_create(unsigned head_timeout_s, unsigned idle_timeout_s)
{
    http_heads *h = ov_xcalloc(1, sizeof *h);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&h->mu, NULL);
    h->head_ms = (long long)head_timeout_s * 1000;
    h->idle_ms = (long long)idle_timeout_s * 1000;
    /* a deadline is kept to within a quarter of the head timeout (250 ms at most) */
    h->tick_ms = h->head_ms / 4 < 250 ? (h->head_ms / 4 > 10 ? h->head_ms / 4 : 10) : 250;
    if (ov_thread_start(&h->watcher, watch, h) != 0) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return NULL;
    }
    return h;
}

void http_heads_destroy(http_heads *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->watcher, NULL);
    while (h->first) { /* connections libmicrohttpd never reported closed */
        http_head_conn *c = h->first;
        h->first = c->next;
        free(c);
    }
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

http_head_conn *http_heads_open(http_heads *h, int fd)
{
    http_head_conn *c = ov_xcalloc(1, sizeof *c);
    c->fd = fd;
    atomic_store(&c->due_ms, now_ms() + h->head_ms);
    pthread_mutex_lock(&h->mu);
    c->next = h->first;
    if (h->first)
        h->first->prev = c;
    h->first = c;
    pthread_mutex_unlock(&h->mu);
    return c;
}

void http_heads_close(http_heads *h, http_head_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&h->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->first = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&h->mu);
    free(c);
}

void http_heads_head_in(http_head_conn *c)
{
    if (c)
        atomic_store(&c->due_ms, 0);
}

void http_heads_answered(http_heads *h, http_head_conn *c)
{
    if (c)
        atomic_store(&c->due_ms, now_ms() + h->idle_ms + h->head_ms);
}

unsigned long long http_heads_cut(http_heads *h)
{
    return h ? atomic_load(&h->cut) : 0;
}

void http_heads_target(http_head_conn *c, const char *uri)
{
    if (c && uri)
        c->target_end = uri + strlen(uri);
}

void http_heads_target_nul(http_head_conn *c)
{
    if (c)
        c->target_nul = true;
}

const char *http_heads_take_target(http_head_conn *c, bool *out_nul)
{
    *out_nul = false;
    if (!c)
        return NULL;
    const char *end = c->target_end;
    *out_nul = c->target_nul;
    c->target_end = NULL;
    c->target_nul = false;
    return end;
}
