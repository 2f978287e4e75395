/* embed/embed_bert_stub.c - stands in for embed_bert.c (issue 5) until the
 * BERT encoder is merged: every sapbert:DIR spec is refused clearly. */
#include "embed/embed_bert.h"

ov_rc embed_bert_open(const char *dir, int max_length, embed_model **out, ov_err *err)
{
    (void)dir;
    (void)max_length;
    (void)out;
    return ov_err_set(err, OV_EINVAL, "sapbert embedder not built in");
}
