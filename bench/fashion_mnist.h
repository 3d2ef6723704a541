// Copyright urd authors. Reader for the IDX image files of MNIST-style data sets
// (Fashion-MNIST: /usr/share/datasets/fashion-mnist, Debian package
// dataset-fashion-mnist), gzip-compressed as distributed.
//
// IDX image format: big-endian u32 magic 0x00000803, u32 count, u32 rows, u32 cols,
// then count*rows*cols unsigned bytes, image after image, row-major.
//
// Thread-safety: a free function; safe from any thread.

#ifndef URD_BENCH_FASHION_MNIST_H_
#define URD_BENCH_FASHION_MNIST_H_

#include <cstddef>
#include <string>
#include <vector>

#include "urd/result.h"

namespace urd::bench {

struct Images {
  size_t count = 0;
  size_t dim = 0;             // rows * cols
  std::vector<float> pixels;  // count * dim values: byte / 255
};

// Reads the first min(max_count, count in file) images of a gzip'd (or plain) IDX
// image file. NotFound if the file cannot be opened; Corruption on a bad magic or a
// short file.
Result<Images> ReadIdxImages(const std::string& path, size_t max_count);

}  // namespace urd::bench

#endif  // URD_BENCH_FASHION_MNIST_H_
