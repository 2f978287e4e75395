/* tests/unit/store/test_store_lock.c - one process per data directory
 * (store/store_lock.c): a second process is refused naming the holder, the
 * same process takes the lock again (counted), the last release unlocks,
 * and a holder killed without releasing blocks nobody. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit/harness.h"
#include "store/store_lock.c"

static char dir[64];

/* In a child: try the lock; exit 0 if taken, 1 if refused naming ppid. */
static int child_try(pid_t holder)
{
    pid_t pid = fork();
    if (pid == 0) {
        reg = NULL; /* as a new process: forget the parent's holds (not its fds) */
        store_lock *l = NULL;
        ov_err err = {0};
        char want[64];
        snprintf(want, sizeof want, "in use by pid %ld: ", (long)holder);
        ov_rc rc = store_lock_acquire(dir, &l, &err);
        int code = rc == OV_OK ? 0 : strstr(err.msg, want) && strstr(err.msg, dir) ? 1 : 2;
        if (code == 2)
            fprintf(stderr, "  child: %s\n", err.msg);
        store_lock_release(l);
        _exit(code);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_store_lock_one_process(void)
{
    store_lock *a = NULL, *b = NULL;
    ov_err err = {0};
    CHECK_EQ(store_lock_acquire(dir, &a, &err), OV_OK);
    CHECK_EQ(store_lock_acquire(dir, &b, &err), OV_OK); /* same process: counted */
    CHECK(a == b);
    CHECK_EQ(child_try(getpid()), 1);
    store_lock_release(b);
    CHECK_EQ(child_try(getpid()), 1); /* still held once */
    store_lock_release(a);
    CHECK_EQ(child_try(getpid()), 0);
    store_lock_release(NULL);
}

static void test_store_lock_killed_holder(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) { /* take the lock, say so, and wait to be killed */
        reg = NULL;
        store_lock *l = NULL;
        ov_err err = {0};
        char c = store_lock_acquire(dir, &l, &err) == OV_OK ? 'y' : 'n';
        if (write(p[1], &c, 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    char c = 0;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    store_lock *l = NULL;
    ov_err err = {0};
    CHECK_EQ(store_lock_acquire(dir, &l, &err), OV_EIO);
    char want[64];
    snprintf(want, sizeof want, "in use by pid %ld: ", (long)pid);
    CHECK(strstr(err.msg, want) != NULL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    /* the lock file is still there; the lock is not */
    CHECK_EQ(store_lock_acquire(dir, &l, &err), OV_OK);
    store_lock_release(l);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec-test-lock-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_store_lock_one_process);
    RUN(test_store_lock_killed_holder);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return harness_done();
}
