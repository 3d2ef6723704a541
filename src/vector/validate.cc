// Copyright urd authors. Input validation of the vector store.

#include <cmath>
#include <string>

#include "base/utf8.h"
#include "vector/vector_store_impl.h"

namespace urd::vec {

Status ValidateCollectionName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("collection name is empty");
  if (name.size() > kMaxCollectionNameBytes) {
    return Status::InvalidArgument("collection name is " + std::to_string(name.size()) +
                                   " bytes; the maximum is " +
                                   std::to_string(kMaxCollectionNameBytes));
  }
  if (!IsValidUtf8(name)) return Status::InvalidArgument("collection name is not valid UTF-8");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("collection name contains a control character");
    }
  }
  return Status::OK();
}

Status ValidateRecordId(const std::string& id, size_t max_bytes) {
  if (id.empty()) return Status::InvalidArgument("record id is empty");
  if (id.size() > max_bytes) {
    return Status::InvalidArgument("record id of " + std::to_string(id.size()) +
                                   " bytes exceeds the maximum of " + std::to_string(max_bytes));
  }
  if (!IsValidUtf8(id)) return Status::InvalidArgument("record id is not valid UTF-8");
  return Status::OK();
}

Status ValidateVector(std::span<const float> v, size_t dim, const std::string& what) {
  if (v.size() != dim) {
    return Status::InvalidArgument(what + " has " + std::to_string(v.size()) +
                                   " components; the store's dimension is " + std::to_string(dim));
  }
  double sum = 0;
  for (size_t i = 0; i < v.size(); i++) {
    if (!std::isfinite(v[i])) {
      return Status::InvalidArgument(what + " has a non-finite component at index " +
                                     std::to_string(i));
    }
    sum += static_cast<double>(v[i]) * v[i];
  }
  if (sum == 0) return Status::InvalidArgument(what + " is all zeros (cosine is undefined)");
  if (!std::isfinite(sum)) return Status::InvalidArgument(what + " overflows when normalised");
  return Status::OK();
}

}  // namespace urd::vec
