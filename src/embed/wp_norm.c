/* embed/wp_norm.c - the normalisation half of the BERT tokenizer (wp.h steps
 * 2-5) on code points, with utf8proc for categories, NFD and case. Each step
 * is one static function so the unit tests can check it alone. Semantics are
 * those of the Rust `tokenizers` BertNormalizer (clean_text,
 * handle_chinese_chars, strip_accents = lowercase, lowercase), which differ
 * from Python's slow BertTokenizer in two places: lowercasing is per code
 * point (Σ -> σ even at a word end) and unassigned code points (Cn) are kept. */
#include <stdlib.h>
#include <utf8proc.h>

#include "embed/wp_int.h"
#include "util/mem.h"

void wp_cps_push(wp_cps *b, uint32_t c)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        uint32_t *p = realloc(b->p, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    b->p[b->n++] = c;
}

void wp_cps_free(wp_cps *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->oom = false;
}

void wp_decode_utf8(const char *s, size_t len, wp_cps *out)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) {
            wp_cps_push(out, 0xFFFD);
            i++;
        } else {
            wp_cps_push(out, (uint32_t)c);
            i += (size_t)k;
        }
    }
}

bool wp_is_space(uint32_t c)
{
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

/* Cc, Cf, Co, Cs except tab, newline and carriage return. */
static bool wp_is_control(uint32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
        return true;
    default:
        return false;
    }
}

bool wp_is_punct(uint32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return true;
    switch (utf8proc_category((utf8proc_int32_t)c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return true;
    default:
        return false;
    }
}

/* The CJK Unified Ideograph blocks BERT pads with spaces (not kana/Hangul). */
static bool wp_is_cjk(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Step 2: drop NUL, U+FFFD and controls (checked first: \v \f U+0085 are
 * controls, so they vanish rather than become spaces); whitespace -> ' '. */
static void wp_step_clean(const uint32_t *in, size_t n, wp_cps *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t c = in[i];
        if (c == 0 || c == 0xFFFD || wp_is_control(c))
            continue;
        wp_cps_push(out, wp_is_space(c) ? ' ' : c);
    }
}

/* Step 3: a space before and after every CJK ideograph. */
static void wp_step_cjk(const uint32_t *in, size_t n, wp_cps *out)
{
    for (size_t i = 0; i < n; i++) {
        if (wp_is_cjk(in[i])) {
            wp_cps_push(out, ' ');
            wp_cps_push(out, in[i]);
            wp_cps_push(out, ' ');
        } else {
            wp_cps_push(out, in[i]);
        }
    }
}

static int wp_ccc(uint32_t c)
{
    return utf8proc_get_property((utf8proc_int32_t)c)->combining_class;
}

/* Step 4: NFD (canonical decomposition, Hangul included, then the canonical
 * ordering of combining marks), then drop nonspacing marks (Mn). Marks are
 * dropped after reordering because a ccc-0 Mn still bounds a reorder run. */
static void wp_step_strip_accents(const uint32_t *in, size_t n, wp_cps *out)
{
    size_t first = out->n;
    for (size_t i = 0; i < n; i++) {
        utf8proc_int32_t d[32];
        int bound = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)in[i], d, 32,
                                                     UTF8PROC_DECOMPOSE, &bound);
        if (k < 0 || k > 32) { /* cannot happen for valid code points */
            d[0] = (utf8proc_int32_t)in[i];
            k = 1;
        }
        for (utf8proc_ssize_t j = 0; j < k; j++) {
            wp_cps_push(out, (uint32_t)d[j]);
            if (out->oom)
                return;
            /* insertion step of the canonical ordering algorithm */
            int cc = wp_ccc((uint32_t)d[j]);
            for (size_t p = out->n - 1; cc != 0 && p > first; p--) {
                int pc = wp_ccc(out->p[p - 1]);
                if (pc <= cc)
                    break;
                uint32_t t = out->p[p - 1];
                out->p[p - 1] = out->p[p];
                out->p[p] = t;
            }
        }
    }
    size_t w = first;
    for (size_t r = first; r < out->n; r++)
        if (utf8proc_category((utf8proc_int32_t)out->p[r]) != UTF8PROC_CATEGORY_MN)
            out->p[w++] = out->p[r];
    out->n = w;
}

/* Step 5: lowercase each code point on its own (simple mapping; the one
 * unconditional multi-character lowercase, U+0130, was decomposed by NFD). */
static void wp_step_lower(const uint32_t *in, size_t n, wp_cps *out)
{
    for (size_t i = 0; i < n; i++)
        wp_cps_push(out, (uint32_t)utf8proc_tolower((utf8proc_int32_t)in[i]));
}

bool wp_normalize(const uint32_t *in, size_t n, wp_cps *out, wp_cps *tmp)
{
    wp_cps a = {0};
    tmp->n = 0;
    wp_step_clean(in, n, tmp);
    wp_step_cjk(tmp->p, tmp->n, &a);
    tmp->n = 0;
    wp_step_strip_accents(a.p, a.n, tmp);
    wp_step_lower(tmp->p, tmp->n, out);
    bool ok = !a.oom && !tmp->oom && !out->oom;
    wp_cps_free(&a);
    return ok;
}
