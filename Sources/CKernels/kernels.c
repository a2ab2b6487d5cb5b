#include "CKernels.h"

#include <stddef.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define IK_X86 1
#endif

// ---------------------------------------------------------------- portable versions

static float dot_portable(const float *a, const float *b, long n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static void axpy_portable(float alpha, const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] += alpha * x[i];
}

#ifdef IK_X86
// ---------------------------------------------------------------- AVX2 + FMA versions

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 shuf = _mm_movehdup_ps(lo);
    __m128 sums = _mm_add_ps(lo, shuf);
    shuf = _mm_movehl_ps(shuf, sums);
    sums = _mm_add_ss(sums, shuf);
    return _mm_cvtss_f32(sums);
}

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, long n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    if (i + 8 <= n) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        i += 8;
    }
    float s = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

__attribute__((target("avx2,fma"))) static void axpy_avx2(float alpha, const float *x, float *y, long n) {
    __m256 va = _mm256_set1_ps(alpha);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += alpha * x[i];
}

// ---------------------------------------------------------------- SSE versions (x86-64 baseline)

static float dot_sse(const float *a, const float *b, long n) {
    __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        acc0 = _mm_add_ps(acc0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
        acc1 = _mm_add_ps(acc1, _mm_mul_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4)));
    }
    float t[4];
    _mm_storeu_ps(t, _mm_add_ps(acc0, acc1));
    float s = (t[0] + t[1]) + (t[2] + t[3]);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

static void axpy_sse(float alpha, const float *x, float *y, long n) {
    __m128 va = _mm_set1_ps(alpha);
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_mul_ps(va, _mm_loadu_ps(x + i))));
    for (; i < n; i++) y[i] += alpha * x[i];
}
#endif

// ---------------------------------------------------------------- dispatch

typedef float (*dot_fn)(const float *, const float *, long);
typedef void (*axpy_fn)(float, const float *, float *, long);

static dot_fn dot_impl;
static axpy_fn axpy_impl;
static int avx2_in_use;

static void choose(void) {
#ifdef IK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        dot_impl = dot_avx2;
        axpy_impl = axpy_avx2;
        avx2_in_use = 1;
    } else {
        dot_impl = dot_sse;
        axpy_impl = axpy_sse;
    }
#else
    dot_impl = dot_portable;
    axpy_impl = axpy_portable;
#endif
}

// The choice is made once, by a constructor, before any Swift code runs: no race.
__attribute__((constructor)) static void ik_init(void) { choose(); }

static inline dot_fn get_dot(void) {
    if (!dot_impl) choose();
    return dot_impl;
}

static inline axpy_fn get_axpy(void) {
    if (!axpy_impl) choose();
    return axpy_impl;
}

int ik_uses_avx2(void) {
    get_dot();
    return avx2_in_use;
}

float ik_dot(const float *a, const float *b, long n) { return get_dot()(a, b, n); }

void ik_axpy(float alpha, const float *x, float *y, long n) { get_axpy()(alpha, x, y, n); }

#ifdef IK_X86
// Four rows per pass: q is loaded once per 8 columns for four accumulators.
__attribute__((target("avx2,fma"))) static void gemv_avx2(const float *m, long rows, long dim, const float *q, float *out) {
    long r = 0;
    const long vec = dim & ~7L;
    for (; r + 4 <= rows; r += 4) {
        const float *a = m + r * dim, *b = a + dim, *c = b + dim, *d = c + dim;
        __m256 sa = _mm256_setzero_ps(), sb = _mm256_setzero_ps(), sc = _mm256_setzero_ps(), sd = _mm256_setzero_ps();
        long k = 0;
        for (; k < vec; k += 8) {
            const __m256 x = _mm256_loadu_ps(q + k);
            sa = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), x, sa);
            sb = _mm256_fmadd_ps(_mm256_loadu_ps(b + k), x, sb);
            sc = _mm256_fmadd_ps(_mm256_loadu_ps(c + k), x, sc);
            sd = _mm256_fmadd_ps(_mm256_loadu_ps(d + k), x, sd);
        }
        float ta = hsum256(sa), tb = hsum256(sb), tc = hsum256(sc), td = hsum256(sd);
        for (; k < dim; k++) {
            ta += a[k] * q[k];
            tb += b[k] * q[k];
            tc += c[k] * q[k];
            td += d[k] * q[k];
        }
        out[r] = ta;
        out[r + 1] = tb;
        out[r + 2] = tc;
        out[r + 3] = td;
    }
    for (; r < rows; r++) out[r] = dot_avx2(m + r * dim, q, dim);
}
#endif

void ik_gemv(const float *m, long rows, long dim, const float *q, float *out) {
#ifdef IK_X86
    if (ik_uses_avx2()) {
        gemv_avx2(m, rows, dim, q, out);
        return;
    }
#endif
    dot_fn dot = get_dot();
    for (long r = 0; r < rows; r++) out[r] = dot(m + r * dim, q, dim);
}

// Rows named by an index list (a candidate set scattered over a large matrix): each row is a
// cache miss, so the lines of the row `ahead` places on are requested while this one is summed
// and the misses overlap instead of queueing one after another.
static void prefetch_row(const float *row, long dim) {
    for (long k = 0; k < dim; k += 16) __builtin_prefetch(row + k, 0, 3);
}

void ik_dot_rows(const float *m, long dim, const int32_t *rows, long n, const float *q, float *out) {
    const long ahead = 8;
    dot_fn dot = get_dot();
    for (long i = 0; i < n && i < ahead; i++) prefetch_row(m + (long)rows[i] * dim, dim);
    for (long i = 0; i < n; i++) {
        if (i + ahead < n) prefetch_row(m + (long)rows[i + ahead] * dim, dim);
        out[i] = dot(m + (long)rows[i] * dim, q, dim);
    }
}

#ifdef IK_X86
__attribute__((target("avx2,fma"))) static void sgns_avx2(float *l1, float *output, const int32_t *targets, int count, long dim, float alpha,
                                                         const float *sigmoid, int steps, float max_exp, float *grad) {
    for (long j = 0; j < dim; j++) grad[j] = 0;
    for (int k = 0; k < count; k++) {
        float *l2 = output + (long)targets[k] * dim;
        float f = dot_avx2(l1, l2, dim);
        float label = k == 0 ? 1.0f : 0.0f;
        float g;
        if (f > max_exp) g = (label - 1) * alpha;
        else if (f < -max_exp) g = label * alpha;
        else {
            int idx = (int)((f + max_exp) * ((float)steps / max_exp / 2));
            if (idx >= steps) idx = steps - 1;
            g = (label - sigmoid[idx]) * alpha;
        }
        axpy_avx2(g, l2, grad, dim);
        axpy_avx2(g, l1, l2, dim);
    }
    axpy_avx2(1, grad, l1, dim);
}
#endif

static void sgns_generic(float *l1, float *output, const int32_t *targets, int count, long dim, float alpha,
                         const float *sigmoid, int steps, float max_exp, float *grad) {
    dot_fn dot = get_dot();
    axpy_fn axpy = get_axpy();
    for (long j = 0; j < dim; j++) grad[j] = 0;
    for (int k = 0; k < count; k++) {
        float *l2 = output + (long)targets[k] * dim;
        float f = dot(l1, l2, dim);
        float label = k == 0 ? 1.0f : 0.0f;
        float g;
        if (f > max_exp) g = (label - 1) * alpha;
        else if (f < -max_exp) g = label * alpha;
        else {
            int idx = (int)((f + max_exp) * ((float)steps / max_exp / 2));
            if (idx >= steps) idx = steps - 1;
            g = (label - sigmoid[idx]) * alpha;
        }
        axpy(g, l2, grad, dim);
        axpy(g, l1, l2, dim);
    }
    axpy(1, grad, l1, dim);
}

void ik_sgns_step(float *l1, float *output, const int32_t *targets, int count, long dim, float alpha,
                  const float *sigmoid, int steps, float max_exp, float *grad) {
#ifdef IK_X86
    if (ik_uses_avx2()) {
        sgns_avx2(l1, output, targets, count, dim, alpha, sigmoid, steps, max_exp, grad);
        return;
    }
#endif
    sgns_generic(l1, output, targets, count, dim, alpha, sigmoid, steps, max_exp, grad);
}

// ---------------------------------------------------------------- ALS conjugate-gradient row

#define IK_ALS_CG(NAME, DOT, AXPY, ATTR)                                                              \
    ATTR static void NAME(const float *YtY, const float *Y, const int32_t *cols, const float *conf,   \
                          long n, long dim, float *x, int cg_steps, float *scratch) {                  \
        float *r = scratch, *p = scratch + dim, *Ap = scratch + 2 * dim;                              \
        /* r = b − A·x, with A·x = YtY·x + Σ (c−1)(y·x) y */                                          \
        for (long j = 0; j < dim; j++) r[j] = -DOT(YtY + j * dim, x, dim);                            \
        for (long k = 0; k < n; k++) {                                                                 \
            const float *y = Y + (long)cols[k] * dim;                                                  \
            float c = conf[k], target = c > 0 ? c : 0;                                                 \
            if (c < 0) c = -c;                                                                         \
            AXPY(target - (c - 1) * DOT(y, x, dim), y, r, dim);                                        \
        }                                                                                              \
        for (long j = 0; j < dim; j++) p[j] = r[j];                                                    \
        float rsold = DOT(r, r, dim);                                                                  \
        if (rsold < 1e-20f) return;                                                                    \
        for (int it = 0; it < cg_steps; it++) {                                                        \
            for (long j = 0; j < dim; j++) Ap[j] = DOT(YtY + j * dim, p, dim);                         \
            for (long k = 0; k < n; k++) {                                                             \
                const float *y = Y + (long)cols[k] * dim;                                              \
                float c = conf[k] < 0 ? -conf[k] : conf[k];                                            \
                AXPY((c - 1) * DOT(y, p, dim), y, Ap, dim);                                            \
            }                                                                                          \
            float pAp = DOT(p, Ap, dim);                                                               \
            if (pAp <= 0) break;                                                                       \
            float alpha = rsold / pAp;                                                                 \
            AXPY(alpha, p, x, dim);                                                                    \
            AXPY(-alpha, Ap, r, dim);                                                                  \
            float rsnew = DOT(r, r, dim);                                                              \
            if (rsnew < 1e-20f) break;                                                                 \
            float beta = rsnew / rsold;                                                                \
            for (long j = 0; j < dim; j++) p[j] = r[j] + beta * p[j];                                  \
            rsold = rsnew;                                                                             \
        }                                                                                              \
    }

#ifdef IK_X86
IK_ALS_CG(als_cg_avx2, dot_avx2, axpy_avx2, __attribute__((target("avx2,fma"))))
IK_ALS_CG(als_cg_sse, dot_sse, axpy_sse, )
#else
IK_ALS_CG(als_cg_portable, dot_portable, axpy_portable, )
#endif

void ik_als_cg_row(const float *YtY, const float *Y, const int32_t *cols, const float *conf, long n, long dim,
                   float *x, int cg_steps, float *scratch) {
#ifdef IK_X86
    if (ik_uses_avx2()) als_cg_avx2(YtY, Y, cols, conf, n, dim, x, cg_steps, scratch);
    else als_cg_sse(YtY, Y, cols, conf, n, dim, x, cg_steps, scratch);
#else
    als_cg_portable(YtY, Y, cols, conf, n, dim, x, cg_steps, scratch);
#endif
}

// ---------------------------------------------------------------- Gram matrix

#define IK_GRAM(NAME, ATTR)                                                                           \
    ATTR static void NAME(const float *Y, long rows, long dim, float *G) {                            \
        long r = 0;                                                                                   \
        for (; r + 4 <= rows; r += 4) {                                                               \
            const float *a = Y + r * dim, *b = a + dim, *c = b + dim, *d = c + dim;                   \
            for (long j = 0; j < dim; j++) {                                                          \
                const float aj = a[j], bj = b[j], cj = c[j], dj = d[j];                               \
                float *g = G + j * dim;                                                               \
                for (long k = 0; k < dim; k++) g[k] += aj * a[k] + bj * b[k] + cj * c[k] + dj * d[k]; \
            }                                                                                         \
        }                                                                                             \
        for (; r < rows; r++) {                                                                       \
            const float *a = Y + r * dim;                                                             \
            for (long j = 0; j < dim; j++) {                                                          \
                const float aj = a[j];                                                                \
                float *g = G + j * dim;                                                               \
                for (long k = 0; k < dim; k++) g[k] += aj * a[k];                                     \
            }                                                                                         \
        }                                                                                             \
    }

#ifdef IK_X86
// Explicit AVX2: four broadcasts, then per 8 columns one load and store of G for four FMAs;
// only the upper triangle is accumulated, then mirrored (G is symmetric on entry and exit).
__attribute__((target("avx2,fma"))) static void gram_avx2(const float *Y, long rows, long dim, float *G) {
    long r = 0;
    const long vec = dim & ~7L;
    for (; r + 4 <= rows; r += 4) {
        const float *a = Y + r * dim, *b = a + dim, *c = b + dim, *d = c + dim;
        for (long j = 0; j < dim; j++) {
            const __m256 aj = _mm256_set1_ps(a[j]), bj = _mm256_set1_ps(b[j]), cj = _mm256_set1_ps(c[j]), dj = _mm256_set1_ps(d[j]);
            float *g = G + j * dim;
            long k = j & ~7L;  // the upper triangle, from the 8-column chunk holding the diagonal
            for (; k < vec; k += 8) {
                __m256 acc = _mm256_loadu_ps(g + k);
                acc = _mm256_fmadd_ps(aj, _mm256_loadu_ps(a + k), acc);
                acc = _mm256_fmadd_ps(bj, _mm256_loadu_ps(b + k), acc);
                acc = _mm256_fmadd_ps(cj, _mm256_loadu_ps(c + k), acc);
                acc = _mm256_fmadd_ps(dj, _mm256_loadu_ps(d + k), acc);
                _mm256_storeu_ps(g + k, acc);
            }
            for (; k < dim; k++) g[k] += a[j] * a[k] + b[j] * b[k] + c[j] * c[k] + d[j] * d[k];
        }
    }
    for (; r < rows; r++)
        for (long j = 0; j < dim; j++) axpy_avx2(Y[r * dim + j], Y + r * dim + j, G + j * dim + j, dim - j);
    for (long j = 0; j < dim; j++)
        for (long k = j + 1; k < dim; k++) G[k * dim + j] = G[j * dim + k];
}
#endif
IK_GRAM(gram_generic, )

void ik_gram_accumulate(const float *Y, long rows, long dim, float *G) {
#ifdef IK_X86
    if (ik_uses_avx2()) {
        gram_avx2(Y, rows, dim, G);
        return;
    }
#endif
    gram_generic(Y, rows, dim, G);
}
