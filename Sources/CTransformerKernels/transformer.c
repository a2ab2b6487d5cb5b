// Element-wise stages of the BERT forward pass, written once as plain loops and compiled three
// times (AVX-512, AVX2+FMA, portable) by target attributes; the loops have no library calls, so
// the compiler vectorises them for each instruction set. See TransformerKernels.h.
#define _GNU_SOURCE
#include "TransformerKernels.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#define TK_X86 1
#endif

#define TK_INLINE static inline __attribute__((always_inline))

// ---------------------------------------------------------------- scalar maths (vectorisable)

/// e^x for x ≤ 88 (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for e^r,
/// 2^n put into the exponent bits); relative error about 2e-7. Inputs below -87 give ~1e-38.
TK_INLINE float tk_exp(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/// erf(x) as x·P(x²)/Q(x²) on [-4, 4] (±1 beyond, where float erf is ±1): the rational
/// approximation used by Eigen and XLA for single precision; absolute error below 5e-7.
TK_INLINE float tk_erf(float a) {
    float x = a < -4.0f ? -4.0f : (a > 4.0f ? 4.0f : a);
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * x2 - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return x * p / q;
}

// ---------------------------------------------------------------- kernel bodies

TK_INLINE void embed_body(const int32_t *ids, long count, long first, const float *word, const float *position,
                          const float *type, long dim, float *out) {
    for (long t = 0; t < count; t++) {
        const float *w = word + (long)ids[t] * dim;
        const float *p = position + (first + t) * dim;
        float *o = out + t * dim;
        for (long j = 0; j < dim; j++) o[j] = w[j] + p[j] + type[j];
    }
}

TK_INLINE void add_bias_body(float *x, const float *bias, long rows, long dim) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * dim;
        for (long j = 0; j < dim; j++) row[j] += bias[j];
    }
}

TK_INLINE void bias_gelu_body(float *x, const float *bias, long rows, long dim) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * dim;
        for (long j = 0; j < dim; j++) {
            float v = row[j] + bias[j];
            row[j] = 0.5f * v * (1.0f + tk_erf(v * 0.70710678118654752f));
        }
    }
}

TK_INLINE void residual_layernorm_body(float *x, const float *y, const float *bias, const float *gamma, const float *beta,
                                       long rows, long dim, float eps) {
#ifdef __clang__
#pragma clang fp reassociate(on)
#endif
    for (long r = 0; r < rows; r++) {
        float *row = x + r * dim;
        if (y && bias) {
            const float *yr = y + r * dim;
            for (long j = 0; j < dim; j++) row[j] += yr[j] + bias[j];
        } else if (y) {
            const float *yr = y + r * dim;
            for (long j = 0; j < dim; j++) row[j] += yr[j];
        } else if (bias) {
            for (long j = 0; j < dim; j++) row[j] += bias[j];
        }
        float sum = 0;
        for (long j = 0; j < dim; j++) sum += row[j];
        float mean = sum / (float)dim;
        float sq = 0;
        for (long j = 0; j < dim; j++) {
            float d = row[j] - mean;
            sq += d * d;
        }
        float inv = 1.0f / sqrtf(sq / (float)dim + eps);
        for (long j = 0; j < dim; j++) row[j] = (row[j] - mean) * inv * gamma[j] + beta[j];
    }
}

TK_INLINE void softmax_body(float *s, long rows, long cols, long ld) {
#ifdef __clang__
#pragma clang fp reassociate(on)
#endif
    for (long r = 0; r < rows; r++) {
        float *row = s + r * ld;
        float m = row[0];
        for (long j = 1; j < cols; j++) m = row[j] > m ? row[j] : m;
        float sum = 0;
        for (long j = 0; j < cols; j++) {
            float e = tk_exp(row[j] - m);
            row[j] = e;
            sum += e;
        }
        float inv = 1.0f / sum;
        for (long j = 0; j < cols; j++) row[j] *= inv;
    }
}

// Attention works on blocks of 16 floats as a vector type (clang/GCC vector extensions): one
// AVX-512 register, two AVX2 ones or four SSE ones, depending on the variant being compiled.
// (The helpers are always inlined, so the portable variant's -Wpsabi note about passing such
// vectors without AVX-512 does not apply.)
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float tk_v16 __attribute__((vector_size(64), aligned(4)));

TK_INLINE tk_v16 tk_load16(const float *p) {
    tk_v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

TK_INLINE void tk_store16(float *p, tk_v16 v) { memcpy(p, &v, sizeof v); }

TK_INLINE void attention_body(const float *qkv, long n, long hidden, long heads, float scale, float *out, float *scratch) {
#ifdef __clang__
#pragma clang fp reassociate(on)
#endif
    long dh = hidden / heads, ld = 3 * hidden;
    long padded = (n + 15) / 16 * 16;
    float *kt = scratch;               // dh × padded: this head's keys, transposed
    float *s = scratch + dh * padded;  // four rows of scores
    const tk_v16 zero = {0};
    for (long h = 0; h < heads; h++) {
        const float *q = qkv + h * dh, *k = qkv + hidden + h * dh, *v = qkv + 2 * hidden + h * dh;
        for (long d = 0; d < dh; d++) {
            float *row = kt + d * padded;
            for (long j = 0; j < n; j++) row[j] = k[j * ld + d];
            for (long j = n; j < padded; j++) row[j] = 0;
        }
        // Four queries at a time, so each key and value block loaded serves four rows (the last
        // block repeats the last query and drops the copies).
        for (long i = 0; i < n; i += 4) {
            const float *qr[4];
            for (int r = 0; r < 4; r++) qr[r] = q + (i + r < n ? i + r : n - 1) * ld;
            // Scores of 16 keys at a time: Σ_d q[d]·kᵀ[d][j…j+15].
            for (long jc = 0; jc < padded; jc += 16) {
                tk_v16 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                for (long d = 0; d < dh; d++) {
                    tk_v16 kd = tk_load16(kt + d * padded + jc);
                    a0 += qr[0][d] * kd;
                    a1 += qr[1][d] * kd;
                    a2 += qr[2][d] * kd;
                    a3 += qr[3][d] * kd;
                }
                tk_store16(s + jc, a0 * scale);
                tk_store16(s + padded + jc, a1 * scale);
                tk_store16(s + 2 * padded + jc, a2 * scale);
                tk_store16(s + 3 * padded + jc, a3 * scale);
            }
            float inv[4];
            for (int r = 0; r < 4; r++) {
                float *sr = s + r * padded;
                float m = sr[0];
                for (long j = 1; j < n; j++) m = sr[j] > m ? sr[j] : m;
                float sum = 0;
                for (long j = 0; j < n; j++) {
                    float e = tk_exp(sr[j] - m);
                    sr[j] = e;
                    sum += e;
                }
                inv[r] = 1.0f / sum;
            }
            int rows = n - i < 4 ? (int)(n - i) : 4;
            // Output, 16 value columns at a time: Σ_j p_j·v_j.
            long e0 = 0;
            for (; e0 + 16 <= dh; e0 += 16) {
                tk_v16 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                for (long j = 0; j < n; j++) {
                    tk_v16 vj = tk_load16(v + j * ld + e0);
                    a0 += s[j] * vj;
                    a1 += s[padded + j] * vj;
                    a2 += s[2 * padded + j] * vj;
                    a3 += s[3 * padded + j] * vj;
                }
                tk_v16 acc[4] = {a0 * inv[0], a1 * inv[1], a2 * inv[2], a3 * inv[3]};
                for (int r = 0; r < rows; r++) tk_store16(out + (i + r) * hidden + h * dh + e0, acc[r]);
            }
            for (int r = 0; r < rows; r++) {
                for (long e = e0; e < dh; e++) {
                    float acc = 0;
                    for (long j = 0; j < n; j++) acc += s[r * padded + j] * v[j * ld + e];
                    out[(i + r) * hidden + h * dh + e] = acc * inv[r];
                }
            }
        }
    }
}

TK_INLINE void mean_rows_body(const float *x, long rows, long dim, float *out) {
    for (long j = 0; j < dim; j++) out[j] = 0;
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * dim;
        for (long j = 0; j < dim; j++) out[j] += row[j];
    }
    float inv = rows > 0 ? 1.0f / (float)rows : 0.0f;
    for (long j = 0; j < dim; j++) out[j] *= inv;
}

// ---------------------------------------------------------------- variants and dispatch

#define TK_AVX512 __attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma")))
#define TK_AVX2 __attribute__((target("avx2,fma")))

#define TK_KERNELS(ATTR, SUFFIX)                                                                                          \
    ATTR static void embed_##SUFFIX(const int32_t *ids, long count, long first, const float *word, const float *position, \
                                    const float *type, long dim, float *out) {                                           \
        embed_body(ids, count, first, word, position, type, dim, out);                                                    \
    }                                                                                                                     \
    ATTR static void add_bias_##SUFFIX(float *x, const float *bias, long rows, long dim) {                               \
        add_bias_body(x, bias, rows, dim);                                                                                \
    }                                                                                                                     \
    ATTR static void bias_gelu_##SUFFIX(float *x, const float *bias, long rows, long dim) {                              \
        bias_gelu_body(x, bias, rows, dim);                                                                               \
    }                                                                                                                     \
    ATTR static void residual_layernorm_##SUFFIX(float *x, const float *y, const float *bias, const float *gamma,         \
                                                 const float *beta, long rows, long dim, float eps) {                     \
        residual_layernorm_body(x, y, bias, gamma, beta, rows, dim, eps);                                                 \
    }                                                                                                                     \
    ATTR static void softmax_##SUFFIX(float *s, long rows, long cols, long ld) { softmax_body(s, rows, cols, ld); }      \
    ATTR static void attention_##SUFFIX(const float *qkv, long n, long hidden, long heads, float scale, float *out,        \
                                        float *scratch) {                                                                 \
        attention_body(qkv, n, hidden, heads, scale, out, scratch);                                                       \
    }                                                                                                                     \
    ATTR static void mean_rows_##SUFFIX(const float *x, long rows, long dim, float *out) {                               \
        mean_rows_body(x, rows, dim, out);                                                                                \
    }

#ifdef TK_X86
TK_KERNELS(TK_AVX512, avx512)
TK_KERNELS(TK_AVX2, avx2)
#endif
TK_KERNELS(, portable)

typedef struct {
    void (*embed)(const int32_t *, long, long, const float *, const float *, const float *, long, float *);
    void (*add_bias)(float *, const float *, long, long);
    void (*bias_gelu)(float *, const float *, long, long);
    void (*residual_layernorm)(float *, const float *, const float *, const float *, const float *, long, long, float);
    void (*softmax)(float *, long, long, long);
    void (*mean_rows)(const float *, long, long, float *);
    void (*attention)(const float *, long, long, long, float, float *, float *);
    int level;
} tk_table;

static tk_table table;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int has_avx512(void) {
#ifdef TK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

#define TK_FILL(SUFFIX, LEVEL)                                                                                   \
    (tk_table) {                                                                                                 \
        embed_##SUFFIX, add_bias_##SUFFIX, bias_gelu_##SUFFIX, residual_layernorm_##SUFFIX, softmax_##SUFFIX, \
            mean_rows_##SUFFIX, attention_##SUFFIX, LEVEL                                                        \
    }

static void choose(void) {
#ifdef TK_X86
    __builtin_cpu_init();
    if (has_avx512()) {
        table = TK_FILL(avx512, 2);
        return;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        table = TK_FILL(avx2, 1);
        return;
    }
#endif
    table = TK_FILL(portable, 0);
}

static inline const tk_table *kernels(void) {
    pthread_once(&table_once, choose);
    return &table;
}

int tk_kernel_level(void) { return kernels()->level; }

void tk_embed(const int32_t *ids, long count, long first, const float *word, const float *position, const float *type,
              long dim, float *out) {
    kernels()->embed(ids, count, first, word, position, type, dim, out);
}

void tk_add_bias(float *x, const float *bias, long rows, long dim) { kernels()->add_bias(x, bias, rows, dim); }

void tk_bias_gelu(float *x, const float *bias, long rows, long dim) { kernels()->bias_gelu(x, bias, rows, dim); }

void tk_residual_layernorm(float *x, const float *y, const float *bias, const float *gamma, const float *beta, long rows,
                           long dim, float eps) {
    kernels()->residual_layernorm(x, y, bias, gamma, beta, rows, dim, eps);
}

void tk_softmax_rows(float *s, long rows, long cols, long ld) { kernels()->softmax(s, rows, cols, ld); }

void tk_mean_rows(const float *x, long rows, long dim, float *out) { kernels()->mean_rows(x, rows, dim, out); }

void tk_attention(const float *qkv, long n, long hidden, long heads, float scale, float *out, float *scratch) {
    kernels()->attention(qkv, n, hidden, heads, scale, out, scratch);
}

long tk_attention_scratch(long n, long hidden, long heads) { return (hidden / heads + 4) * ((n + 15) / 16 * 16); }

// ---------------------------------------------------------------- OpenBLAS set-up

// OpenBLAS is opened on first use rather than linked: its constructor starts a thread pool
// whose threads spin for a while, which every process would pay — most never encode with the
// transformer.
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static char blas_core[64];
static char blas_error[512];
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
static sgemm_fn blas_sgemm;

static void blas_setup(void) {
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
                                  "/usr/local/opt/openblas/lib/libopenblas.dylib"};
    void *lib = NULL;
    for (size_t k = 0; k < sizeof names / sizeof names[0] && !lib; k++) lib = dlopen(names[k], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(blas_error, sizeof blas_error, "OpenBLAS (libopenblas.so.0) could not be loaded: %s", why ? why : "not found");
        return;
    }
    blas_sgemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    if (!blas_sgemm) {
        snprintf(blas_error, sizeof blas_error, "the OpenBLAS library that was loaded has no cblas_sgemm");
        return;
    }
    // These are OpenBLAS extensions, not CBLAS, and the dynamic-arch entry points exist only
    // in DYNAMIC_ARCH builds (Debian's is one).
    void (*set_threads)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
    char *(*core_name)(void) = (char *(*)(void))dlsym(lib, "openblas_get_corename");
    void (*dynamic_init)(void) = (void (*)(void))dlsym(lib, "gotoblas_dynamic_init");
    void (*dynamic_quit)(void) = (void (*)(void))dlsym(lib, "gotoblas_dynamic_quit");
    if (core_name && dynamic_init && dynamic_quit && !getenv("OPENBLAS_CORETYPE") && has_avx512()) {
        const char *core = core_name();
        // Prescott: what OpenBLAS falls back to for a processor its table does not know at all
        // (a virtual machine's generic "Intel Xeon Processor" model); its SSE3 kernels run
        // sgemm at about half the speed of the AVX-512 ones here.
        if (core && (strcasecmp(core, "Haswell") == 0 || strcasecmp(core, "Zen") == 0 || strcasecmp(core, "Prescott") == 0)) {
            // gotoblas_dynamic_init reads OPENBLAS_CORETYPE (the documented override); set it
            // for that call only.
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
            dynamic_quit();
            dynamic_init();
            unsetenv("OPENBLAS_CORETYPE");
        }
    }
    if (set_threads) set_threads(1);
    const char *core = core_name ? core_name() : NULL;
    strncpy(blas_core, core ? core : "", sizeof blas_core - 1);
}

const char *tk_blas_error(void) {
    pthread_once(&blas_once, blas_setup);
    return blas_sgemm ? NULL : blas_error;
}

void tk_sgemm(int transpose_b, long m, long n, long k, float alpha, const float *a, long lda, const float *b, long ldb, float beta,
              float *c, long ldc) {
    // CBLAS constants: CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112.
    blas_sgemm(101, 111, transpose_b ? 112 : 111, (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

void tk_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a, long lda, const float *b,
             long ldb, float beta, float *c, long ldc) {
    pthread_once(&blas_once, blas_setup);
    if (blas_sgemm) {
        blas_sgemm(101, transpose_a ? 112 : 111, transpose_b ? 112 : 111, (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta,
                   c, (int)ldc);
        return;
    }
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < k; p++) {
                float x = transpose_a ? a[p * lda + i] : a[i * lda + p];
                float y = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
                s += x * y;
            }
            c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
        }
    }
}

const char *tk_blas_setup(void) {
    pthread_once(&blas_once, blas_setup);
    return blas_core;
}
