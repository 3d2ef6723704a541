// Copyright urd authors. RowStore: the in-memory matrix of a vector store.
//
// Rows live in fixed blocks of kBlockRows rows. Each f32 row is `stride()` floats
// (dimension rounded up to 16, zero padded), 64-byte aligned; rows of a block are
// contiguous, so a scan walks a block with one kernel call. Optional compressed
// copies (int8 with a per-row scale, IEEE half) are kept in step with the f32 rows.
//
// Thread-safety: thread-compatible. The store guards a RowStore with its
// reader/writer lock: const methods may run concurrently; Append and Truncate need
// exclusive access. Blocks never move once allocated, so row pointers stay valid
// until Truncate() or destruction.

#ifndef URD_VECTOR_ROW_STORE_H_
#define URD_VECTOR_ROW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace urd::vec {

inline constexpr size_t kBlockRows = 4096;

class RowStore {
 public:
  RowStore(size_t dimension, bool keep_int8, bool keep_f16);
  ~RowStore();
  RowStore(const RowStore&) = delete;
  RowStore& operator=(const RowStore&) = delete;

  size_t dimension() const { return dim_; }
  size_t stride() const { return stride_; }        // floats per f32 row
  size_t stride_i8() const { return stride_i8_; }  // bytes per int8 row (multiple of 64)
  size_t stride_f16() const { return stride_f16_; }  // halves per f16 row (multiple of 32)
  bool has_int8() const { return keep_int8_; }
  bool has_f16() const { return keep_f16_; }
  uint64_t rows() const { return rows_; }

  // Appends one row of dimension() floats (already normalised) and returns its
  // row number. Also fills the compressed copies.
  uint32_t Append(const float* v);
  // Drops rows >= n.
  void Truncate(uint64_t n);

  // REQUIRES: row < rows().
  const float* Row(uint64_t row) const {
    return f32_[row / kBlockRows].get() + (row % kBlockRows) * stride_;
  }
  const int8_t* RowInt8(uint64_t row) const {
    return i8_[row / kBlockRows].get() + (row % kBlockRows) * stride_i8_;
  }
  float ScaleInt8(uint64_t row) const { return scale_[row]; }
  const uint16_t* RowF16(uint64_t row) const {
    return f16_[row / kBlockRows].get() + (row % kBlockRows) * stride_f16_;
  }
  // The first row of block b and the number of rows in it.
  size_t blocks() const { return (rows_ + kBlockRows - 1) / kBlockRows; }

  // Bytes of memory held (all copies).
  uint64_t memory_bytes() const;

 private:
  struct AlignedFree {
    void operator()(void* p) const;
  };
  template <typename T>
  using Block = std::unique_ptr<T[], AlignedFree>;
  template <typename T>
  static Block<T> NewBlock(size_t elements);

  size_t dim_, stride_, stride_i8_, stride_f16_;
  bool keep_int8_, keep_f16_;
  uint64_t rows_ = 0;
  std::vector<Block<float>> f32_;
  std::vector<Block<int8_t>> i8_;
  std::vector<Block<uint16_t>> f16_;
  std::vector<float> scale_;
};

}  // namespace urd::vec

#endif  // URD_VECTOR_ROW_STORE_H_
