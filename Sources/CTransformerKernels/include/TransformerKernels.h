// Element-wise stages of a BERT forward pass (Devlin et al. 2019) around the matrix products:
// embeddings, bias, GELU, residual + LayerNorm, softmax, mean pooling. Each has AVX-512,
// AVX2+FMA and portable variants chosen once at run time (Swift cannot select instruction sets
// per function). Rows are contiguous (`rows` × `dim`, or a leading dimension `ld`).
#ifndef TRANSFORMER_KERNELS_H
#define TRANSFORMER_KERNELS_H

#include <stdint.h>

/// Prepares OpenBLAS for the encoder, once per process (later calls return at once):
/// one thread per call, because the encoder runs its own workers; and, when the processor has
/// AVX-512 (F, CD, BW, DQ, VL) but OpenBLAS picked AVX2 kernels because its CPU table predates
/// the processor (OpenBLAS 0.3.21 on AMD Zen 5) or fell back to Prescott for a processor it does
/// not know (a virtual machine's generic model), its SkylakeX kernels — what newer OpenBLAS
/// releases choose for such processors. An explicit OPENBLAS_CORETYPE is always respected.
/// Returns OpenBLAS's core name afterwards (empty when the library does not report one).
/// OpenBLAS (libopenblas.so.0) is opened here, on first use, not linked.
const char *tk_blas_setup(void);

/// NULL when OpenBLAS is loaded (after opening it, once), else why it could not be.
const char *tk_blas_error(void);

/// C = alpha·A·B(ᵀ) + beta·C, row-major, through OpenBLAS's cblas_sgemm; only after
/// tk_blas_error() returned NULL.
void tk_sgemm(int transpose_b, long m, long n, long k, float alpha, const float *a, long lda, const float *b, long ldb, float beta,
              float *c, long ldc);

/// C = alpha·op(A)·op(B) + beta·C, row-major, op(X) = X or Xᵀ (op(A) is m×k, op(B) k×n): through
/// OpenBLAS's cblas_sgemm when it loads (set up as by tk_blas_setup), else a portable loop
/// (correct, slow; tk_blas_error() says why OpenBLAS is absent). Used by the sequence model's
/// training, whose weight gradients need Aᵀ·B.
void tk_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a, long lda, const float *b,
             long ldb, float beta, float *c, long ldc);

/// 2: AVX-512 kernels, 1: AVX2+FMA, 0: portable C.
int tk_kernel_level(void);

/// out[t] = word[ids[t]] + position[first + t] + type[0] for t in 0..<count, each of `dim`.
void tk_embed(const int32_t *ids, long count, long first, const float *word, const float *position, const float *type,
              long dim, float *out);

/// x[r][j] += bias[j].
void tk_add_bias(float *x, const float *bias, long rows, long dim);

/// x[r][j] = GELU(x[r][j] + bias[j]) with the exact erf form, 0.5·v·(1 + erf(v/√2)) (erf by a
/// rational approximation within 5e-7).
void tk_bias_gelu(float *x, const float *bias, long rows, long dim);

/// x[r] = LayerNorm(x[r] + y[r] + bias) · gamma + beta (Ba et al. 2016); y and bias may be NULL.
void tk_residual_layernorm(float *x, const float *y, const float *bias, const float *gamma, const float *beta,
                           long rows, long dim, float eps);

/// Each row of s (rows × cols, leading dimension ld) becomes softmax(row).
void tk_softmax_rows(float *s, long rows, long cols, long ld);

/// Multi-head scaled dot-product attention (Vaswani et al. 2017) of one sequence of n tokens,
/// without a mask (every key is a token of the sequence): `qkv` holds n rows of 3·hidden
/// (queries, keys, values; head h at columns h·dh of each part, dh = hidden/heads); row i of
/// `out` (leading dimension hidden) gets Σ_j softmax_j(scale·q_i·k_j)·v_j per head.
/// `scratch` holds `tk_attention_scratch(n, hidden, heads)` floats.
///
/// Complexity: O(n²·hidden) per call.
void tk_attention(const float *qkv, long n, long hidden, long heads, float scale, float *out, float *scratch);

/// Floats of scratch `tk_attention` needs.
long tk_attention_scratch(long n, long hidden, long heads);

/// out[j] = mean over r of x[r][j].
void tk_mean_rows(const float *x, long rows, long dim, float *out);

#endif
