// Copyright urd authors.

#include "vector/row_store.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "vector/kernels.h"

namespace urd::vec {

namespace {
size_t RoundUp(size_t n, size_t m) { return (n + m - 1) / m * m; }
}  // namespace

void RowStore::AlignedFree::operator()(void* p) const { std::free(p); }

template <typename T>
RowStore::Block<T> RowStore::NewBlock(size_t elements) {
  size_t bytes = RoundUp(elements * sizeof(T), 64);
  // Not zero-filled: Append writes every byte of a row, padding included, and no
  // reader looks past rows(). Skipping the fill saves a pass over the matrix on open.
  // Blocks of 2 MiB or more are 2 MiB-aligned and asked for transparent huge pages
  // (fewer TLB misses: the scan measured ~10 % faster on machines whose THP mode is
  // "madvise"). The advice is best effort.
  constexpr size_t kHuge = 2u << 20;
  const bool huge = bytes >= kHuge;
  void* p = std::aligned_alloc(huge ? kHuge : 64, huge ? RoundUp(bytes, kHuge) : bytes);
  if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (huge) (void)madvise(p, RoundUp(bytes, kHuge), MADV_HUGEPAGE);
#endif
  return Block<T>(static_cast<T*>(p));
}

RowStore::RowStore(size_t dimension, bool keep_int8, bool keep_f16)
    : dim_(dimension),
      stride_(RoundUp(dimension, 16)),
      stride_i8_(RoundUp(dimension, 64)),
      stride_f16_(RoundUp(dimension, 32)),
      keep_int8_(keep_int8),
      keep_f16_(keep_f16) {}

RowStore::~RowStore() = default;

uint32_t RowStore::Append(const float* v) {
  const uint64_t row = rows_;
  const size_t block = row / kBlockRows, slot = row % kBlockRows;
  if (block == f32_.size()) {
    f32_.push_back(NewBlock<float>(kBlockRows * stride_));
    if (keep_int8_) i8_.push_back(NewBlock<int8_t>(kBlockRows * stride_i8_));
    if (keep_f16_) f16_.push_back(NewBlock<uint16_t>(kBlockRows * stride_f16_));
  }
  float* f = f32_[block].get() + slot * stride_;
  std::memcpy(f, v, dim_ * sizeof(float));
  std::memset(f + dim_, 0, (stride_ - dim_) * sizeof(float));
  if (keep_int8_) {
    int8_t* q = i8_[block].get() + slot * stride_i8_;
    std::memset(q + dim_, 0, stride_i8_ - dim_);
    scale_.push_back(QuantizeInt8(v, dim_, q));
  }
  if (keep_f16_) {
    uint16_t* h = f16_[block].get() + slot * stride_f16_;
    std::memset(h + dim_, 0, (stride_f16_ - dim_) * sizeof(uint16_t));
    FloatsToHalves(v, dim_, h);
  }
  rows_++;
  return static_cast<uint32_t>(row);
}

void RowStore::Truncate(uint64_t n) {
  if (n >= rows_) return;
  // Zero the dropped rows of the last kept block so padding stays zero on reuse.
  for (uint64_t r = n; r < rows_ && r / kBlockRows == n / kBlockRows; r++) {
    const size_t b = r / kBlockRows, s = r % kBlockRows;
    std::memset(f32_[b].get() + s * stride_, 0, stride_ * sizeof(float));
    if (keep_int8_) std::memset(i8_[b].get() + s * stride_i8_, 0, stride_i8_);
    if (keep_f16_) std::memset(f16_[b].get() + s * stride_f16_, 0, stride_f16_ * 2);
  }
  size_t keep_blocks = (n + kBlockRows - 1) / kBlockRows;
  f32_.resize(keep_blocks);
  if (keep_int8_) {
    i8_.resize(keep_blocks);
    scale_.resize(n);
  }
  if (keep_f16_) f16_.resize(keep_blocks);
  rows_ = n;
}

uint64_t RowStore::memory_bytes() const {
  uint64_t per_block = kBlockRows * stride_ * sizeof(float);
  if (keep_int8_) per_block += kBlockRows * stride_i8_;
  if (keep_f16_) per_block += kBlockRows * stride_f16_ * 2;
  return f32_.size() * per_block + scale_.capacity() * sizeof(float);
}

}  // namespace urd::vec
