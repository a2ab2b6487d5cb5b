/* ALS's two dense operations, InterestMiner's C kernels against OpenBLAS, one thread each:
 *
 *  (1) the Gram matrix YᵀY of a rows×64 factor matrix (once per half-iteration):
 *      row-by-row rank-1 updates (ik_axpy), our four-rows-a-pass kernel (ik_gram_accumulate,
 *      what ALSTrainer.gramian calls per block) versus cblas_ssyrk and cblas_sgemm;
 *  (2) the 64×64 matrix-vector product inside every conjugate-gradient step of every row:
 *      ik_gemv versus cblas_ssymv and cblas_sgemv.
 *
 * Build and run: Benchmarks/kernels/run.sh (needs libopenblas-dev). Prints best-of-5 timings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#include "CKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void gram_ours(const float *y, long rows, long f, float *g) {
    memset(g, 0, sizeof(float) * f * f);
    for (long r = 0; r < rows; r++) {
        const float *row = y + r * f;
        for (long j = 0; j < f; j++)
            if (row[j] != 0) ik_axpy(row[j], row, g + j * f, f);
    }
}

int main(int argc, char **argv) {
    long rows = argc > 1 ? atol(argv[1]) : 200000, f = 64, calls = 2000000;
    openblas_set_num_threads(1);
    float *y = malloc(sizeof(float) * rows * f), *g = malloc(sizeof(float) * f * f), *g2 = malloc(sizeof(float) * f * f);
    srand(1);
    for (long k = 0; k < rows * f; k++) y[k] = (float)((double)rand() / RAND_MAX) - 0.5f;
    double best[4] = {1e9, 1e9, 1e9, 1e9};
    float *g3 = malloc(sizeof(float) * f * f);
    for (int rep = 0; rep < 5; rep++) {
        double t = now();
        gram_ours(y, rows, f, g);
        t = now() - t; if (t < best[0]) best[0] = t;
        t = now();
        memset(g3, 0, sizeof(float) * f * f);
        t = now();
        ik_gram_accumulate(y, rows, f, g3);
        t = now() - t; if (t < best[3]) best[3] = t;
        t = now();
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, f, rows, 1.0f, y, f, 0.0f, g2, f);
        t = now() - t; if (t < best[1]) best[1] = t;
        t = now();
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, f, f, rows, 1.0f, y, f, y, f, 0.0f, g2, f);
        t = now() - t; if (t < best[2]) best[2] = t;
    }
    double maxdiff = 0, scale = 0;  // largest |difference| of our kernel's Gram from sgemm's, relative
    for (long k = 0; k < f * f; k++) {
        double d = g3[k] - g2[k]; if (d < 0) d = -d; if (d > maxdiff) maxdiff = d;
        double m = g2[k] < 0 ? -g2[k] : g2[k]; if (m > scale) scale = m;
    }
    maxdiff /= scale;
    double flops = 2.0 * rows * f * f;
    printf("gram %ldx%ld: rank-1 axpy %.4f s (%.1f GFLOP/s) | ik_gram_accumulate %.4f s (%.1f GFLOP/s) | ssyrk %.4f s | sgemm %.4f s (%.1f GFLOP/s) | max rel. diff %.1e | kernels %s\n",
           rows, f, best[0], flops / best[0] / 1e9, best[3], flops / best[3] / 1e9, best[1], best[2], flops / best[2] / 1e9, maxdiff, ik_uses_avx2() ? "AVX2+FMA" : "SSE");

    float x[64], out[64];
    for (int k = 0; k < 64; k++) x[k] = (float)k / 64;
    double gb[3] = {1e9, 1e9, 1e9};
    volatile float sink = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t = now();
        for (long c = 0; c < calls; c++) { ik_gemv(g, f, f, x, out); x[c & 63] = out[(c + 1) & 63] * 1e-6f; }
        t = now() - t; if (t < gb[0]) gb[0] = t;
        t = now();
        for (long c = 0; c < calls; c++) { cblas_ssymv(CblasRowMajor, CblasUpper, f, 1.0f, g, f, x, 1, 0.0f, out, 1); x[c & 63] = out[(c + 1) & 63] * 1e-6f; }
        t = now() - t; if (t < gb[1]) gb[1] = t;
        t = now();
        for (long c = 0; c < calls; c++) { cblas_sgemv(CblasRowMajor, CblasNoTrans, f, f, 1.0f, g, f, x, 1, 0.0f, out, 1); x[c & 63] = out[(c + 1) & 63] * 1e-6f; }
        t = now() - t; if (t < gb[2]) gb[2] = t;
    }
    sink += out[3];
    printf("64x64 gemv x %ld: ik_gemv %.1f ns/call | ssymv %.1f ns | sgemv %.1f ns\n", calls, gb[0] / calls * 1e9, gb[1] / calls * 1e9, gb[2] / calls * 1e9);
    free(y); free(g); free(g2); free(g3);
    return sink == 12345.0f;
}
