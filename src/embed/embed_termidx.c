/* embed/embed_termidx.c - the per-term text index (embed_termidx.h): texts
 * embedded in batches, stored as CSR sparse rows (offsets, dimension
 * indexes, values); search is one sparse dot per text, a per-owner maximum,
 * then a bounded selection of the k best owners. */
#include <stdlib.h>
#include <string.h>

#include "embed/embed_termidx.h"
#include "util/mem.h"

struct embed_termidx {
    size_t dim, n, n_owners;
    uint32_t *owner; /* n */
    size_t *off;     /* n + 1 */
    uint32_t *idx;   /* off[n] */
    float *val;      /* off[n] */
};

void embed_termidx_free(embed_termidx *x)
{
    if (!x)
        return;
    free(x->owner);
    free(x->off);
    free(x->idx);
    free(x->val);
    free(x);
}

size_t embed_termidx_dim(const embed_termidx *x)
{
    return x->dim;
}

size_t embed_termidx_count(const embed_termidx *x)
{
    return x->n;
}

ov_rc embed_termidx_build(embed_model *m, const char *const *texts, const size_t *lens,
                          const uint32_t *owner, size_t n, size_t n_owners, embed_termidx **out,
                          ov_err *err)
{
    enum { BATCH = 256 };
    size_t dim = m->dim;
    embed_termidx *x = ov_xcalloc(1, sizeof *x);
    x->dim = dim;
    x->n = n;
    x->n_owners = n_owners;
    x->owner = ov_xmalloc((n ? n : 1) * sizeof *x->owner);
    x->off = ov_xmalloc((n + 1) * sizeof *x->off);
    size_t cap = n * 16 + 16, used = 0;
    x->idx = ov_xmalloc(cap * sizeof *x->idx);
    x->val = ov_xmalloc(cap * sizeof *x->val);
    float *v = ov_xmalloc(BATCH * dim * sizeof *v);
    ov_rc rc = OV_OK;
    for (size_t b = 0; b < n && rc == OV_OK; b += BATCH) {
        size_t nb = n - b < BATCH ? n - b : BATCH;
        if ((rc = embed_texts(m, texts + b, lens + b, nb, v, err)) != OV_OK)
            break;
        for (size_t i = 0; i < nb; i++) {
            size_t t = b + i;
            if (owner[t] >= n_owners) {
                rc = ov_err_set(err, OV_EINVAL, "text %zu: owner %u out of range", t, owner[t]);
                break;
            }
            x->owner[t] = owner[t];
            x->off[t] = used;
            const float *row = v + i * dim;
            for (size_t d = 0; d < dim; d++) {
                if (row[d] == 0.0f)
                    continue;
                if (used == cap) {
                    cap *= 2;
                    x->idx = ov_xrealloc(x->idx, cap * sizeof *x->idx);
                    x->val = ov_xrealloc(x->val, cap * sizeof *x->val);
                }
                x->idx[used] = (uint32_t)d;
                x->val[used++] = row[d];
            }
        }
    }
    x->off[n] = used;
    free(v);
    if (rc != OV_OK) {
        embed_termidx_free(x);
        return rc;
    }
    *out = x;
    return OV_OK;
}

/* Is (s1, o1) better than (s2, o2)? Higher similarity, then lower owner. */
static int better(float s1, uint32_t o1, float s2, uint32_t o2)
{
    return s1 > s2 || (s1 == s2 && o1 < o2);
}

size_t embed_termidx_search(const embed_termidx *x, const float *q, size_t k,
                            uint32_t *out_owner, float *out_sim)
{
    if (k == 0 || x->n == 0)
        return 0;
    float *best = ov_xmalloc(x->n_owners * sizeof *best);
    for (size_t i = 0; i < x->n_owners; i++)
        best[i] = -2.0f; /* below any cosine: owner has no text */
    for (size_t t = 0; t < x->n; t++) {
        float s = 0;
        for (size_t j = x->off[t]; j < x->off[t + 1]; j++)
            s += q[x->idx[j]] * x->val[j];
        if (s > best[x->owner[t]])
            best[x->owner[t]] = s;
    }
    /* insertion into a sorted top-k (k is small: a few times n_results) */
    size_t filled = 0;
    for (size_t o = 0; o < x->n_owners; o++) {
        float s = best[o];
        if (s < -1.5f)
            continue;
        if (filled == k && !better(s, (uint32_t)o, out_sim[k - 1], out_owner[k - 1]))
            continue;
        size_t pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && better(s, (uint32_t)o, out_sim[pos - 1], out_owner[pos - 1])) {
            out_sim[pos] = out_sim[pos - 1];
            out_owner[pos] = out_owner[pos - 1];
            pos--;
        }
        out_sim[pos] = s;
        out_owner[pos] = (uint32_t)o;
    }
    free(best);
    return filled;
}
