// Hot float kernels with runtime CPU dispatch: AVX2+FMA on x86-64 processors that have them,
// SSE (or plain C elsewhere) otherwise. Swift cannot select instruction sets per function, so
// these few loops live in C; everything around them stays in Swift.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// Σ a[i]·b[i].
float ik_dot(const float *a, const float *b, long n);

/// y[i] += alpha·x[i].
void ik_axpy(float alpha, const float *x, float *y, long n);

/// out[r] = Σ_j m[r·dim + j]·q[j] for r in 0..<rows (a row-major matrix times a vector).
void ik_gemv(const float *m, long rows, long dim, const float *q, float *out);

/// out[i] = Σ_j m[rows[i]·dim + j]·q[j] for i in 0..<n: the rows of a row-major matrix named by
/// `rows` (every index within the matrix) times a vector, prefetching rows ahead.
void ik_dot_rows(const float *m, long dim, const int32_t *rows, long n, const float *q, float *out);

/// One skip-gram-with-negative-sampling step (Mikolov et al. 2013): the context word's input
/// vector `l1` is scored against `count` output rows (`targets[0]` the true word, label 1; the
/// rest sampled negatives, label 0); each output row moves by g·l1 and `l1` by the summed
/// g·row, with g = (label − σ(l1·row))·alpha, σ read from `sigmoid` (`steps` entries over
/// [−max_exp, max_exp)). `grad` is scratch of `dim` floats.
void ik_sgns_step(float *l1, float *output, const int32_t *targets, int count, long dim, float alpha,
                  const float *sigmoid, int steps, float max_exp, float *grad);

/// Implicit-feedback ALS (Hu, Koren & Volinsky 2008) for one row, by `cg_steps` steps of
/// conjugate gradient (Takács et al. 2011) started from `x`: solves
/// (YtY + Σ (c_i − 1)·y_i y_iᵀ) x = Σ_{c_i > 0} c_i·y_i over the row's `n` entries
/// (`cols[k]`, confidence `conf[k]`; a negative confidence means "preference 0 with confidence
/// |c|"). `YtY` is dim×dim and already includes the regularization. `scratch` holds 3·dim floats.
void ik_als_cg_row(const float *YtY, const float *Y, const int32_t *cols, const float *conf, long n, long dim,
                   float *x, int cg_steps, float *scratch);

/// G += Σ_r y_r·y_rᵀ over `rows` rows of the row-major rows×dim matrix `Y` (G is dim×dim,
/// row-major, symmetric on entry — zero is): four rows per pass over G, so each load and store
/// of G carries four FMAs, and only the upper triangle is summed, then mirrored.
void ik_gram_accumulate(const float *Y, long rows, long dim, float *G);

/// 1 when the AVX2+FMA kernels are in use (for reports).
int ik_uses_avx2(void);

#endif
