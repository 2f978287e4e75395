/* util/lazy_archive.c - libarchive through dlopen on first use
 * (lazy_archive.h). */
#include "util/lazy_archive.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/lazy_bind.h"

/* the library's functions, typed as their wrappers (the names below are
 * the header's macros: the wrappers, declared with the same types) */
static struct {
    bool ok;
    __typeof__((archive_entry_clear)) *entry_clear;
    __typeof__((archive_entry_filetype)) *entry_filetype;
    __typeof__((archive_entry_free)) *entry_free;
    __typeof__((archive_entry_hardlink)) *entry_hardlink;
    __typeof__((archive_entry_new)) *entry_new;
    __typeof__((archive_entry_pathname)) *entry_pathname;
    __typeof__((archive_entry_set_filetype)) *entry_set_filetype;
    __typeof__((archive_entry_set_gid)) *entry_set_gid;
    __typeof__((archive_entry_set_mtime)) *entry_set_mtime;
    __typeof__((archive_entry_set_pathname)) *entry_set_pathname;
    __typeof__((archive_entry_set_perm)) *entry_set_perm;
    __typeof__((archive_entry_set_size)) *entry_set_size;
    __typeof__((archive_entry_set_uid)) *entry_set_uid;
    __typeof__((archive_entry_size)) *entry_size;
    __typeof__((archive_entry_size_is_set)) *entry_size_is_set;
    __typeof__((archive_entry_symlink)) *entry_symlink;
    __typeof__((archive_error_string)) *error_string;
    __typeof__((archive_filter_count)) *filter_count;
    __typeof__((archive_read_data)) *read_data;
    __typeof__((archive_read_data_block)) *read_data_block;
    __typeof__((archive_read_free)) *read_free;
    __typeof__((archive_read_new)) *read_new;
    __typeof__((archive_read_next_header)) *read_next_header;
    __typeof__((archive_read_open_filename)) *read_open_filename;
    __typeof__((archive_read_open_memory)) *read_open_memory;
    __typeof__((archive_read_support_filter_all)) *read_support_filter_all;
    __typeof__((archive_read_support_filter_gzip)) *read_support_filter_gzip;
    __typeof__((archive_read_support_filter_none)) *read_support_filter_none;
    __typeof__((archive_read_support_format_gnutar)) *read_support_format_gnutar;
    __typeof__((archive_read_support_format_raw)) *read_support_format_raw;
    __typeof__((archive_read_support_format_tar)) *read_support_format_tar;
    __typeof__((archive_write_add_filter_gzip)) *write_add_filter_gzip;
    __typeof__((archive_write_close)) *write_close;
    __typeof__((archive_write_data)) *write_data;
    __typeof__((archive_write_data_block)) *write_data_block;
    __typeof__((archive_write_disk_new)) *write_disk_new;
    __typeof__((archive_write_disk_set_options)) *write_disk_set_options;
    __typeof__((archive_write_finish_entry)) *write_finish_entry;
    __typeof__((archive_write_free)) *write_free;
    __typeof__((archive_write_header)) *write_header;
    __typeof__((archive_write_new)) *write_new;
    __typeof__((archive_write_open_filename)) *write_open_filename;
    __typeof__((archive_write_set_format_pax_restricted)) *write_set_format_pax_restricted;
} L;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const ov_lazy_sym syms[] = {
        {"archive_entry_clear", offsetof(__typeof__(L), entry_clear)},
        {"archive_entry_filetype", offsetof(__typeof__(L), entry_filetype)},
        {"archive_entry_free", offsetof(__typeof__(L), entry_free)},
        {"archive_entry_hardlink", offsetof(__typeof__(L), entry_hardlink)},
        {"archive_entry_new", offsetof(__typeof__(L), entry_new)},
        {"archive_entry_pathname", offsetof(__typeof__(L), entry_pathname)},
        {"archive_entry_set_filetype", offsetof(__typeof__(L), entry_set_filetype)},
        {"archive_entry_set_gid", offsetof(__typeof__(L), entry_set_gid)},
        {"archive_entry_set_mtime", offsetof(__typeof__(L), entry_set_mtime)},
        {"archive_entry_set_pathname", offsetof(__typeof__(L), entry_set_pathname)},
        {"archive_entry_set_perm", offsetof(__typeof__(L), entry_set_perm)},
        {"archive_entry_set_size", offsetof(__typeof__(L), entry_set_size)},
        {"archive_entry_set_uid", offsetof(__typeof__(L), entry_set_uid)},
        {"archive_entry_size", offsetof(__typeof__(L), entry_size)},
        {"archive_entry_size_is_set", offsetof(__typeof__(L), entry_size_is_set)},
        {"archive_entry_symlink", offsetof(__typeof__(L), entry_symlink)},
        {"archive_error_string", offsetof(__typeof__(L), error_string)},
        {"archive_filter_count", offsetof(__typeof__(L), filter_count)},
        {"archive_read_data", offsetof(__typeof__(L), read_data)},
        {"archive_read_data_block", offsetof(__typeof__(L), read_data_block)},
        {"archive_read_free", offsetof(__typeof__(L), read_free)},
        {"archive_read_new", offsetof(__typeof__(L), read_new)},
        {"archive_read_next_header", offsetof(__typeof__(L), read_next_header)},
        {"archive_read_open_filename", offsetof(__typeof__(L), read_open_filename)},
        {"archive_read_open_memory", offsetof(__typeof__(L), read_open_memory)},
        {"archive_read_support_filter_all", offsetof(__typeof__(L), read_support_filter_all)},
        {"archive_read_support_filter_gzip", offsetof(__typeof__(L), read_support_filter_gzip)},
        {"archive_read_support_filter_none", offsetof(__typeof__(L), read_support_filter_none)},
        {"archive_read_support_format_gnutar", offsetof(__typeof__(L), read_support_format_gnutar)},
        {"archive_read_support_format_raw", offsetof(__typeof__(L), read_support_format_raw)},
        {"archive_read_support_format_tar", offsetof(__typeof__(L), read_support_format_tar)},
        {"archive_write_add_filter_gzip", offsetof(__typeof__(L), write_add_filter_gzip)},
        {"archive_write_close", offsetof(__typeof__(L), write_close)},
        {"archive_write_data", offsetof(__typeof__(L), write_data)},
        {"archive_write_data_block", offsetof(__typeof__(L), write_data_block)},
        {"archive_write_disk_new", offsetof(__typeof__(L), write_disk_new)},
        {"archive_write_disk_set_options", offsetof(__typeof__(L), write_disk_set_options)},
        {"archive_write_finish_entry", offsetof(__typeof__(L), write_finish_entry)},
        {"archive_write_free", offsetof(__typeof__(L), write_free)},
        {"archive_write_header", offsetof(__typeof__(L), write_header)},
        {"archive_write_new", offsetof(__typeof__(L), write_new)},
        {"archive_write_open_filename", offsetof(__typeof__(L), write_open_filename)},
        {"archive_write_set_format_pax_restricted", offsetof(__typeof__(L), write_set_format_pax_restricted)},
    };
    L.ok = ov_lazy_bind("libarchive.so.13", syms, sizeof syms / sizeof syms[0], &L);
}

static bool ready(void)
{
    pthread_once(&once, load);
    return L.ok;
}

struct archive_entry *ov_archive_entry_clear(struct archive_entry *a0)
{
    return ready() ? L.entry_clear(a0) : NULL;
}

__LA_MODE_T ov_archive_entry_filetype(struct archive_entry *a0)
{
    return ready() ? L.entry_filetype(a0) : 0;
}

void ov_archive_entry_free(struct archive_entry *a0)
{
    if (ready())
        L.entry_free(a0);
}

const char *ov_archive_entry_hardlink(struct archive_entry *a0)
{
    return ready() ? L.entry_hardlink(a0) : NULL;
}

struct archive_entry *ov_archive_entry_new(void)
{
    return ready() ? L.entry_new() : NULL;
}

const char *ov_archive_entry_pathname(struct archive_entry *a0)
{
    return ready() ? L.entry_pathname(a0) : NULL;
}

void ov_archive_entry_set_filetype(struct archive_entry *a0, unsigned int a1)
{
    if (ready())
        L.entry_set_filetype(a0, a1);
}

void ov_archive_entry_set_gid(struct archive_entry *a0, la_int64_t a1)
{
    if (ready())
        L.entry_set_gid(a0, a1);
}

void ov_archive_entry_set_mtime(struct archive_entry *a0, time_t a1, long a2)
{
    if (ready())
        L.entry_set_mtime(a0, a1, a2);
}

void ov_archive_entry_set_pathname(struct archive_entry *a0, const char *a1)
{
    if (ready())
        L.entry_set_pathname(a0, a1);
}

void ov_archive_entry_set_perm(struct archive_entry *a0, __LA_MODE_T a1)
{
    if (ready())
        L.entry_set_perm(a0, a1);
}

void ov_archive_entry_set_size(struct archive_entry *a0, la_int64_t a1)
{
    if (ready())
        L.entry_set_size(a0, a1);
}

void ov_archive_entry_set_uid(struct archive_entry *a0, la_int64_t a1)
{
    if (ready())
        L.entry_set_uid(a0, a1);
}

la_int64_t ov_archive_entry_size(struct archive_entry *a0)
{
    return ready() ? L.entry_size(a0) : 0;
}

int ov_archive_entry_size_is_set(struct archive_entry *a0)
{
    return ready() ? L.entry_size_is_set(a0) : ARCHIVE_FATAL;
}

const char *ov_archive_entry_symlink(struct archive_entry *a0)
{
    return ready() ? L.entry_symlink(a0) : NULL;
}

const char *ov_archive_error_string(struct archive *a0)
{
    return ready() ? L.error_string(a0) : "libarchive.so.13 could not be loaded";
}

int ov_archive_filter_count(struct archive *a0)
{
    return ready() ? L.filter_count(a0) : ARCHIVE_FATAL;
}

la_ssize_t ov_archive_read_data(struct archive *a0, void *a1, size_t a2)
{
    return ready() ? L.read_data(a0, a1, a2) : ARCHIVE_FATAL;
}

int ov_archive_read_data_block(struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3)
{
    return ready() ? L.read_data_block(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int ov_archive_read_free(struct archive *a0)
{
    return ready() ? L.read_free(a0) : ARCHIVE_FATAL;
}

struct archive *ov_archive_read_new(void)
{
    return ready() ? L.read_new() : NULL;
}

int ov_archive_read_next_header(struct archive *a0, struct archive_entry **a1)
{
    return ready() ? L.read_next_header(a0, a1) : ARCHIVE_FATAL;
}

int ov_archive_read_open_filename(struct archive *a0, const char *a1, size_t a2)
{
    return ready() ? L.read_open_filename(a0, a1, a2) : ARCHIVE_FATAL;
}

int ov_archive_read_open_memory(struct archive *a0, const void *a1, size_t a2)
{
    return ready() ? L.read_open_memory(a0, a1, a2) : ARCHIVE_FATAL;
}

int ov_archive_read_support_filter_all(struct archive *a0)
{
    return ready() ? L.read_support_filter_all(a0) : ARCHIVE_FATAL;
}

int ov_archive_read_support_filter_gzip(struct archive *a0)
{
    return ready() ? L.read_support_filter_gzip(a0) : ARCHIVE_FATAL;
}

int ov_archive_read_support_filter_none(struct archive *a0)
{
    return ready() ? L.read_support_filter_none(a0) : ARCHIVE_FATAL;
}

int ov_archive_read_support_format_gnutar(struct archive *a0)
{
    return ready() ? L.read_support_format_gnutar(a0) : ARCHIVE_FATAL;
}

int ov_archive_read_support_format_raw(struct archive *a0)
{
    return ready() ? L.read_support_format_raw(a0) : ARCHIVE_FATAL;
}

int ov_archive_read_support_format_tar(struct archive *a0)
{
    return ready() ? L.read_support_format_tar(a0) : ARCHIVE_FATAL;
}

int ov_archive_write_add_filter_gzip(struct archive *a0)
{
    return ready() ? L.write_add_filter_gzip(a0) : ARCHIVE_FATAL;
}

int ov_archive_write_close(struct archive *a0)
{
    return ready() ? L.write_close(a0) : ARCHIVE_FATAL;
}

la_ssize_t ov_archive_write_data(struct archive *a0, const void *a1, size_t a2)
{
    return ready() ? L.write_data(a0, a1, a2) : ARCHIVE_FATAL;
}

la_ssize_t ov_archive_write_data_block(struct archive *a0, const void *a1, size_t a2, la_int64_t a3)
{
    return ready() ? L.write_data_block(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

struct archive *ov_archive_write_disk_new(void)
{
    return ready() ? L.write_disk_new() : NULL;
}

int ov_archive_write_disk_set_options(struct archive *a0, int a1)
{
    return ready() ? L.write_disk_set_options(a0, a1) : ARCHIVE_FATAL;
}

int ov_archive_write_finish_entry(struct archive *a0)
{
    return ready() ? L.write_finish_entry(a0) : ARCHIVE_FATAL;
}

int ov_archive_write_free(struct archive *a0)
{
    return ready() ? L.write_free(a0) : ARCHIVE_FATAL;
}

int ov_archive_write_header(struct archive *a0, struct archive_entry *a1)
{
    return ready() ? L.write_header(a0, a1) : ARCHIVE_FATAL;
}

struct archive *ov_archive_write_new(void)
{
    return ready() ? L.write_new() : NULL;
}

int ov_archive_write_open_filename(struct archive *a0, const char *a1)
{
    return ready() ? L.write_open_filename(a0, a1) : ARCHIVE_FATAL;
}

int ov_archive_write_set_format_pax_restricted(struct archive *a0)
{
    return ready() ? L.write_set_format_pax_restricted(a0) : ARCHIVE_FATAL;
}
