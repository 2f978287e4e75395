/* store/store_lock.c - one process per data directory: an advisory flock on
 * DIR/omvec.lock, counted per directory within the process (store_lock.h). */
#include "store/store_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"

struct store_lock {
    dev_t dev;
    ino_t ino;
    int fd;
    unsigned refs;
    struct store_lock *next;
};

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static store_lock *reg; /* the directories this process holds */

/* "pid N: cmd args..." of this process into buf (cap >= 32). */
static void holder_line(char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "pid %ld: ", (long)getpid());
    size_t len = n > 0 ? (size_t)n : 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char cmd[256];
        ssize_t r = read(fd, cmd, sizeof cmd);
        close(fd);
        for (ssize_t i = 0; i < r && len + 1 < cap; i++) {
            unsigned char c = (unsigned char)cmd[i];
            buf[len++] = c == 0 ? ' ' : c < 0x20 || c > 0x7e ? '?' : (char)c;
        }
    }
    while (len > 0 && buf[len - 1] == ' ')
        len--;
    buf[len] = 0;
}

/* What the lock file says about its holder: one printable line. */
static void read_holder(int fd, char *buf, size_t cap)
{
    ssize_t r = pread(fd, buf, cap - 1, 0);
    size_t n = r > 0 ? (size_t)r : 0;
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == 0) {
            n = i;
            break;
        } else if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e) {
            buf[i] = '?';
        }
    buf[n] = 0;
    if (n == 0)
        snprintf(buf, cap, "another process");
}

ov_rc store_lock_acquire(const char *dir, store_lock **out, ov_err *err)
{
    char path[4096], holder[320];
    struct stat st;
    *out = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return ov_err_set(err, OV_EIO, "cannot create data directory %s: %s", dir,
                          strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ov_err_set(err, OV_EIO, "%s is not a directory", dir);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, STORE_LOCK_FILE) >= sizeof path)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    ov_rc rc = OV_OK;
    pthread_mutex_lock(&reg_mu);
    for (store_lock *l = reg; l; l = l->next)
        if (l->dev == st.st_dev && l->ino == st.st_ino) {
            l->refs++;
            *out = l;
            goto done;
        }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = ov_err_set(err, OV_EIO, "cannot open the lock file %s: %s", path, strerror(errno));
        goto done;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            read_holder(fd, holder, sizeof holder);
            rc = ov_err_set(err, OV_EIO,
                            "data directory %s is in use by %s (lock %s); one process per "
                            "data directory",
                            dir, holder, path);
        } else {
            rc = ov_err_set(err, OV_EIO, "cannot lock %s: %s", path, strerror(e));
        }
        close(fd);
        goto done;
    }
    holder_line(holder, sizeof holder);
    size_t hl = strlen(holder);
    holder[hl++] = '\n';
    if (ftruncate(fd, 0) != 0 || pwrite(fd, holder, hl, 0) != (ssize_t)hl) {
        /* the lock holds without the note; a refused process says "another process" */
    }
    store_lock *l = ov_xcalloc(1, sizeof *l);
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->fd = fd;
    l->refs = 1;
    l->next = reg;
    reg = l;
    *out = l;
done:
    pthread_mutex_unlock(&reg_mu);
    return rc;
}

void store_lock_release(store_lock *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&reg_mu);
    if (--l->refs == 0) {
        for (store_lock **p = &reg; *p; p = &(*p)->next)
            if (*p == l) {
                *p = l->next;
                break;
            }
        if (ftruncate(l->fd, 0) != 0) {
            /* a stale note is harmless: the lock, not the text, decides */
        }
        close(l->fd); /* drops the flock */
        free(l);
    }
    pthread_mutex_unlock(&reg_mu);
}
