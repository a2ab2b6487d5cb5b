// OpenBLAS's CBLAS interface (Debian/Ubuntu: `apt-get install libopenblas-dev`). The transformer
// encoder of the TextEmbedding target calls `cblas_sgemm` for its matrix products.
#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H
#include <cblas.h>
#endif
