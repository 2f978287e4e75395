/* bench/mkdata.c - generate a benchmark workload as JSON request bodies:
 * N unit vectors of DIM floats clustered like text embeddings (a few hundred
 * Gaussian centres, each vector = centre + noise, L2-normalised), with a
 * short document and five metadata fields each, written as add batches of
 * B records (one body per line), plus Q held-out query bodies (k=10,
 * include documents, metadatas, distances). Seeded, so runs repeat.
 *
 *   mkdata N DIM B Q SEED ADD_OUT QUERY_OUT [VEC_OUT]
 * VEC_OUT (optional) gets the raw float32 vectors, base then queries, for
 * ground-truth computation. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng;

static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
    double u = urand() + 1e-12, v = urand();
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void vec(float *out, const float *centres, int nc, int dim)
{
    const float *c = &centres[(size_t)(urand() * nc) * dim];
    double norm = 0;
    for (int d = 0; d < dim; d++) {
        out[d] = c[d] + (float)(0.35 * gauss());
        norm += (double)out[d] * out[d];
    }
    norm = sqrt(norm);
    for (int d = 0; d < dim; d++)
        out[d] = (float)(out[d] / norm);
}

static void put_vec(FILE *f, const float *v, int dim)
{
    fputc('[', f);
    for (int d = 0; d < dim; d++)
        fprintf(f, d ? ",%.7g" : "%.7g", v[d]);
    fputc(']', f);
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: mkdata N DIM BATCH QUERIES SEED ADD_OUT QUERY_OUT [VEC_OUT]\n");
        return 2;
    }
    int n = atoi(argv[1]), dim = atoi(argv[2]), batch = atoi(argv[3]), nq = atoi(argv[4]);
    rng = strtoull(argv[5], NULL, 10) * 2654435761u + 88172645463325252ull;
    FILE *fa = fopen(argv[6], "w"), *fq = fopen(argv[7], "w");
    FILE *fv = argc > 8 ? fopen(argv[8], "wb") : NULL;
    if (!fa || !fq)
        return 1;
    int nc = 300;
    float *centres = malloc((size_t)nc * dim * sizeof(float));
    for (int i = 0; i < nc * dim; i++)
        centres[i] = (float)gauss();
    float *v = malloc((size_t)dim * sizeof(float));
    static const char *words[] = {"heart", "disease", "cell", "tissue", "syndrome", "acute",
                                  "chronic", "neuron", "muscle", "renal", "hepatic", "type"};
    for (int i = 0; i < n; i += batch) {
        int m = n - i < batch ? n - i : batch;
        fputs("{\"ids\":[", fa);
        for (int j = 0; j < m; j++)
            fprintf(fa, "%s\"T:%07d\"", j ? "," : "", i + j);
        fputs("],\"documents\":[", fa);
        for (int j = 0; j < m; j++)
            fprintf(fa, "%s\"%s %s %d: a term\"", j ? "," : "", words[(i + j) % 12],
                    words[(i + j) / 12 % 12], i + j);
        fputs("],\"metadatas\":[", fa);
        for (int j = 0; j < m; j++)
            fprintf(fa,
                    "%s{\"term_id\":\"T:%07d\",\"name\":\"%s\",\"synonyms\":\"a; b\","
                    "\"namespace\":\"ns%d\",\"is_obsolete\":false}",
                    j ? "," : "", i + j, words[(i + j) % 12], (i + j) % 3);
        fputs("],\"embeddings\":[", fa);
        for (int j = 0; j < m; j++) {
            vec(v, centres, nc, dim);
            if (fv)
                fwrite(v, sizeof(float), (size_t)dim, fv);
            if (j)
                fputc(',', fa);
            put_vec(fa, v, dim);
        }
        fputs("]}\n", fa);
    }
    for (int q = 0; q < nq; q++) {
        vec(v, centres, nc, dim);
        if (fv)
            fwrite(v, sizeof(float), (size_t)dim, fv);
        fputs("{\"query_embeddings\":[", fq);
        put_vec(fq, v, dim);
        fputs("],\"n_results\":10,\"include\":[\"documents\",\"metadatas\",\"distances\"]}\n", fq);
    }
    fclose(fa);
    fclose(fq);
    if (fv)
        fclose(fv);
    free(centres);
    free(v);
    return 0;
}
