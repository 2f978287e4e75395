/* util/lazy_archive.h - libarchive loaded on first use (dlopen), not when
 * the program starts. Include this instead of <archive.h> and
 * <archive_entry.h>: the archive_* functions omvec calls are redirected to
 * wrappers that load libarchive.so.13 once and forward.
 *
 * Why: libarchive brings libxml2, ICU and libstdc++ into every start (an
 * empty program linked with omvec's other libraries: 20-30 ms of CPU with
 * it, 16-20 without, at load 17), while only artifacts and Chroma
 * import/export use it (issue 13, restart to the first answer;
 * docs/performance.md).
 *
 * When libarchive cannot be loaded, the *_new functions return NULL (as on
 * out of memory), the others ARCHIVE_FATAL, NULL or 0, and
 * archive_error_string says that libarchive is missing. Generated from the
 * prototypes of the functions omvec uses; a new one needs a wrapper here.
 * Layer: util. */
#ifndef OMVEC_UTIL_LAZY_ARCHIVE_H
#define OMVEC_UTIL_LAZY_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

struct archive_entry *ov_archive_entry_clear(struct archive_entry *);
__LA_MODE_T ov_archive_entry_filetype(struct archive_entry *);
void ov_archive_entry_free(struct archive_entry *);
const char *ov_archive_entry_hardlink(struct archive_entry *);
struct archive_entry *ov_archive_entry_new(void);
const char *ov_archive_entry_pathname(struct archive_entry *);
void ov_archive_entry_set_filetype(struct archive_entry *, unsigned int);
void ov_archive_entry_set_gid(struct archive_entry *, la_int64_t);
void ov_archive_entry_set_mtime(struct archive_entry *, time_t, long);
void ov_archive_entry_set_pathname(struct archive_entry *, const char *);
void ov_archive_entry_set_perm(struct archive_entry *, __LA_MODE_T);
void ov_archive_entry_set_size(struct archive_entry *, la_int64_t);
void ov_archive_entry_set_uid(struct archive_entry *, la_int64_t);
la_int64_t ov_archive_entry_size(struct archive_entry *);
int ov_archive_entry_size_is_set(struct archive_entry *);
const char *ov_archive_entry_symlink(struct archive_entry *);
const char *ov_archive_error_string(struct archive *);
int ov_archive_filter_count(struct archive *);
la_ssize_t ov_archive_read_data(struct archive *, void *, size_t);
int ov_archive_read_data_block(struct archive *, const void **, size_t *, la_int64_t *);
int ov_archive_read_free(struct archive *);
struct archive *ov_archive_read_new(void);
int ov_archive_read_next_header(struct archive *, struct archive_entry **);
int ov_archive_read_open_filename(struct archive *, const char *, size_t);
int ov_archive_read_open_memory(struct archive *, const void *, size_t);
int ov_archive_read_support_filter_all(struct archive *);
int ov_archive_read_support_filter_gzip(struct archive *);
int ov_archive_read_support_filter_none(struct archive *);
int ov_archive_read_support_format_gnutar(struct archive *);
int ov_archive_read_support_format_raw(struct archive *);
int ov_archive_read_support_format_tar(struct archive *);
int ov_archive_write_add_filter_gzip(struct archive *);
int ov_archive_write_close(struct archive *);
la_ssize_t ov_archive_write_data(struct archive *, const void *, size_t);
la_ssize_t ov_archive_write_data_block(struct archive *, const void *, size_t, la_int64_t);
struct archive *ov_archive_write_disk_new(void);
int ov_archive_write_disk_set_options(struct archive *, int);
int ov_archive_write_finish_entry(struct archive *);
int ov_archive_write_free(struct archive *);
int ov_archive_write_header(struct archive *, struct archive_entry *);
struct archive *ov_archive_write_new(void);
int ov_archive_write_open_filename(struct archive *, const char *);
int ov_archive_write_set_format_pax_restricted(struct archive *);

#define archive_entry_clear ov_archive_entry_clear
#define archive_entry_filetype ov_archive_entry_filetype
#define archive_entry_free ov_archive_entry_free
#define archive_entry_hardlink ov_archive_entry_hardlink
#define archive_entry_new ov_archive_entry_new
#define archive_entry_pathname ov_archive_entry_pathname
#define archive_entry_set_filetype ov_archive_entry_set_filetype
#define archive_entry_set_gid ov_archive_entry_set_gid
#define archive_entry_set_mtime ov_archive_entry_set_mtime
#define archive_entry_set_pathname ov_archive_entry_set_pathname
#define archive_entry_set_perm ov_archive_entry_set_perm
#define archive_entry_set_size ov_archive_entry_set_size
#define archive_entry_set_uid ov_archive_entry_set_uid
#define archive_entry_size ov_archive_entry_size
#define archive_entry_size_is_set ov_archive_entry_size_is_set
#define archive_entry_symlink ov_archive_entry_symlink
#define archive_error_string ov_archive_error_string
#define archive_filter_count ov_archive_filter_count
#define archive_read_data ov_archive_read_data
#define archive_read_data_block ov_archive_read_data_block
#define archive_read_free ov_archive_read_free
#define archive_read_new ov_archive_read_new
#define archive_read_next_header ov_archive_read_next_header
#define archive_read_open_filename ov_archive_read_open_filename
#define archive_read_open_memory ov_archive_read_open_memory
#define archive_read_support_filter_all ov_archive_read_support_filter_all
#define archive_read_support_filter_gzip ov_archive_read_support_filter_gzip
#define archive_read_support_filter_none ov_archive_read_support_filter_none
#define archive_read_support_format_gnutar ov_archive_read_support_format_gnutar
#define archive_read_support_format_raw ov_archive_read_support_format_raw
#define archive_read_support_format_tar ov_archive_read_support_format_tar
#define archive_write_add_filter_gzip ov_archive_write_add_filter_gzip
#define archive_write_close ov_archive_write_close
#define archive_write_data ov_archive_write_data
#define archive_write_data_block ov_archive_write_data_block
#define archive_write_disk_new ov_archive_write_disk_new
#define archive_write_disk_set_options ov_archive_write_disk_set_options
#define archive_write_finish_entry ov_archive_write_finish_entry
#define archive_write_free ov_archive_write_free
#define archive_write_header ov_archive_write_header
#define archive_write_new ov_archive_write_new
#define archive_write_open_filename ov_archive_write_open_filename
#define archive_write_set_format_pax_restricted ov_archive_write_set_format_pax_restricted

#endif
