// Copyright urd authors.

#include "bench/fashion_mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

namespace urd::bench {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `len` bytes; false on a short read or an error.
bool ReadFully(gzFile f, unsigned char* out, size_t len) {
  while (len > 0) {
    const unsigned chunk =
        static_cast<unsigned>(std::min<size_t>(len, std::numeric_limits<int>::max() / 2));
    const int got = gzread(f, out, chunk);
    if (got <= 0) return false;
    out += got;
    len -= static_cast<size_t>(got);
  }
  return true;
}

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Result<Images> ReadIdxImages(const std::string& path, size_t max_count) {
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) return Status::NotFound("cannot open " + path);
  unsigned char header[16];
  if (!ReadFully(f.get(), header, sizeof(header))) {
    return Status::Corruption(path + ": short IDX header");
  }
  if (BigEndian32(header) != 0x00000803) {
    return Status::Corruption(path + ": not an IDX image file (bad magic)");
  }
  Images images;
  const size_t in_file = BigEndian32(header + 4);
  images.dim = size_t{BigEndian32(header + 8)} * BigEndian32(header + 12);
  images.count = std::min(max_count, in_file);
  if (images.dim == 0 || images.dim > (1u << 20)) {
    return Status::Corruption(path + ": implausible image size");
  }
  std::vector<unsigned char> bytes(images.count * images.dim);
  if (!ReadFully(f.get(), bytes.data(), bytes.size())) {
    return Status::Corruption(path + ": file ends before its " + std::to_string(images.count) +
                              " images");
  }
  images.pixels.resize(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) images.pixels[i] = bytes[i] / 255.0f;
  return images;
}

}  // namespace urd::bench
