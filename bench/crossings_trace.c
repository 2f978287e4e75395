/* bench/crossings_trace.c - the call recorder behind scripts/count_crossings.sh
 * (issue 9: how often one query crosses from one src/<module>/ folder into
 * another). Linked into a build compiled with -finstrument-functions, so
 * every call between omvec's own functions passes through
 * __cyg_profile_func_enter/exit. Each thread keeps its call stack; while
 * recording is on, every call made from inside another omvec function is
 * counted as a (caller, callee) pair of function addresses. SIGUSR1 clears
 * the counts and starts recording, SIGUSR2 stops it and writes
 * "caller callee count" lines (hex addresses) to $CROSSINGS_OUT. The script
 * maps the addresses to functions and files with addr2line. A measuring
 * tool, not part of omvec. */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_TRACE __attribute__((no_instrument_function))
#define MAX_DEPTH 512
#define TABLE 65536

typedef struct edge {
    uintptr_t from, to;
    unsigned long n;
} edge;

static edge table[TABLE];
static pthread_mutex_t table_mx = PTHREAD_MUTEX_INITIALIZER;
static atomic_int recording;
static _Thread_local uintptr_t stack[MAX_DEPTH];
static _Thread_local int depth;

NO_TRACE static void count(uintptr_t from, uintptr_t to)
{
    size_t h = (size_t)((from * 0x9E3779B97F4A7C15ull) ^ (to * 0xC2B2AE3D27D4EB4Full)) >> 7;
    pthread_mutex_lock(&table_mx);
    for (size_t i = 0; i < TABLE; i++) {
        edge *e = &table[(h + i) % TABLE];
        if (e->n == 0) {
            e->from = from;
            e->to = to;
        }
        if (e->from == from && e->to == to) {
            e->n++;
            break;
        }
    }
    pthread_mutex_unlock(&table_mx);
}

NO_TRACE void __cyg_profile_func_enter(void *fn, void *site)
{
    (void)site;
    if (depth > 0 && depth <= MAX_DEPTH && atomic_load_explicit(&recording, memory_order_relaxed))
        count(stack[depth - 1], (uintptr_t)fn);
    if (depth < MAX_DEPTH)
        stack[depth] = (uintptr_t)fn;
    depth++;
}

NO_TRACE void __cyg_profile_func_exit(void *fn, void *site)
{
    (void)fn;
    (void)site;
    if (depth > 0)
        depth--;
}

NO_TRACE static void on_start(int sig)
{
    (void)sig; /* recording is off: no thread is in count() */
    memset(table, 0, sizeof table);
    atomic_store(&recording, 1);
}

static sem_t dump_sem;
static void dump(void);

/* The dump runs on its own thread: a handler that took table_mx could
 * interrupt a thread holding it. */
NO_TRACE static void on_dump(int sig)
{
    (void)sig;
    atomic_store(&recording, 0);
    sem_post(&dump_sem);
}

NO_TRACE static void *dump_thread(void *arg)
{
    (void)arg;
    for (;;) {
        while (sem_wait(&dump_sem) != 0)
            ;
        dump();
    }
    return NULL;
}

NO_TRACE static void dump(void)
{
    const char *path = getenv("CROSSINGS_OUT");
    FILE *f = fopen(path ? path : "crossings.txt", "w");
    if (!f)
        return;
    pthread_mutex_lock(&table_mx);
    for (size_t i = 0; i < TABLE; i++)
        if (table[i].n)
            fprintf(f, "%lx %lx %lu\n", (unsigned long)table[i].from, (unsigned long)table[i].to,
                    table[i].n);
    pthread_mutex_unlock(&table_mx);
    fclose(f);
}

NO_TRACE __attribute__((constructor)) static void crossings_init(void)
{
    pthread_t t;
    sem_init(&dump_sem, 0, 0);
    pthread_create(&t, NULL, dump_thread, NULL);
    pthread_detach(t);
    signal(SIGUSR1, on_start);
    signal(SIGUSR2, on_dump);
}
