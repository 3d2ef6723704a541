// Copyright urd authors.

#include "vector/attr_codec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>
#include <vector>

#include "base/utf8.h"
#include "base/varint.h"

namespace urd::vec {

namespace {

constexpr size_t kFloatBytes = 8;
// The smallest encoded entry: a 1-byte key length, a 1-byte key, a type byte.
constexpr size_t kMinEntryBytes = 3;

// The key is quoted in messages only when it is printable (valid UTF-8 and short).
std::string KeyForMessage(std::string_view key) {
  if (!IsValidUtf8(key)) return "(a key that is not valid UTF-8)";
  if (key.size() > 64) return "\"" + std::string(key.substr(0, 64)) + "...\"";
  return "\"" + std::string(key) + "\"";
}

void PutBytes(std::string* out, std::string_view s) {
  PutVarint64(out, s.size());
  out->append(s);
}

// Decodes the entries of one Attrs; `where` names the entry for messages.
class AttrsDecoder {
 public:
  explicit AttrsDecoder(std::string_view in) : in_(in) {}

  Status Decode(Attrs* out);
  std::string_view rest() const { return in_; }

 private:
  Status Fail(std::string_view reason) const {
    std::string msg = "attrs";
    if (entry_ >= 0) {
      msg += " entry " + std::to_string(entry_);
      if (!key_.empty()) msg += " (key " + KeyForMessage(key_) + ")";
    }
    msg += ": ";
    msg += reason;
    return Status::Corruption(msg);
  }
  // Reads a count or length `*v` of things taking at least `unit_bytes` each, and
  // checks that the bytes after it can hold them; `what` names it in messages.
  Status Varint(std::string_view what, size_t unit_bytes, uint64_t* v);
  // Reads a length-prefixed byte string.
  Status Bytes(std::string_view what, std::string* s);
  Status Payload(Value::Type type, Value* v);

  std::string_view in_;
  int64_t entry_ = -1;
  std::string key_;
};

Status AttrsDecoder::Varint(std::string_view what, size_t unit_bytes, uint64_t* v) {
  const VarintError error = DecodeVarint64(&in_, v);
  if (error != VarintError::kOk) {
    return Fail(std::string(VarintErrorName(error)) + " varint for " + std::string(what));
  }
  if (*v > in_.size() / unit_bytes) {
    return Fail(std::string(what) + " " + std::to_string(*v) + " is more than the " +
                std::to_string(in_.size()) + " bytes left can hold");
  }
  return Status::OK();
}

Status AttrsDecoder::Bytes(std::string_view what, std::string* s) {
  uint64_t len = 0;
  URD_RETURN_IF_ERROR(Varint(std::string(what) + " length", 1, &len));
  s->assign(in_.substr(0, len));
  in_.remove_prefix(len);
  return Status::OK();
}

Status AttrsDecoder::Payload(Value::Type type, Value* v) {
  switch (type) {
    case Value::Type::kNull:
      *v = Value::Null();
      return Status::OK();
    case Value::Type::kString: {
      std::string s;
      URD_RETURN_IF_ERROR(Bytes("string", &s));
      *v = Value::String(std::move(s));
      return Status::OK();
    }
    case Value::Type::kInt: {
      int64_t i = 0;
      const VarintError error = DecodeVarsint64(&in_, &i);
      if (error != VarintError::kOk) {
        return Fail(std::string(VarintErrorName(error)) + " varint for int");
      }
      *v = Value::Int(i);
      return Status::OK();
    }
    case Value::Type::kFloat: {
      if (in_.size() < kFloatBytes) return Fail("truncated float");
      *v = Value::Float(std::bit_cast<double>(DecodeFixed64(in_.data())));
      in_.remove_prefix(kFloatBytes);
      return Status::OK();
    }
    case Value::Type::kBool: {
      if (in_.empty()) return Fail("truncated bool");
      const auto b = static_cast<unsigned char>(in_[0]);
      if (b > 1) return Fail("bool byte " + std::to_string(b) + " is not 0 or 1");
      in_.remove_prefix(1);
      *v = Value::Bool(b == 1);
      return Status::OK();
    }
    case Value::Type::kList: {
      uint64_t n = 0;
      // Every element takes at least its 1-byte length.
      URD_RETURN_IF_ERROR(Varint("list count", 1, &n));
      // Grow as elements arrive: memory stays proportional to the bytes consumed.
      std::vector<std::string> list;
      list.reserve(std::min<uint64_t>(n, 64));
      for (uint64_t i = 0; i < n; ++i) {
        std::string s;
        URD_RETURN_IF_ERROR(Bytes("list element", &s));
        list.push_back(std::move(s));
      }
      *v = Value::List(std::move(list));
      return Status::OK();
    }
  }
  return Fail("unreachable type");
}

Status AttrsDecoder::Decode(Attrs* out) {
  uint64_t count = 0;
  URD_RETURN_IF_ERROR(Varint("count", kMinEntryBytes, &count));
  Attrs attrs;
  for (uint64_t i = 0; i < count; ++i) {
    entry_ = static_cast<int64_t>(i);
    key_.clear();
    std::string key;
    URD_RETURN_IF_ERROR(Bytes("key", &key));
    if (key.empty() || key.size() > kMaxAttrKeyBytes) {
      return Fail("key length " + std::to_string(key.size()) + " is not in 1..256");
    }
    if (!attrs.empty() && key <= attrs.rbegin()->first) {
      key_ = key;
      return Fail(key == attrs.rbegin()->first ? "duplicate key" : "keys out of order");
    }
    key_ = key;
    if (in_.empty()) return Fail("truncated type");
    const auto type = static_cast<unsigned char>(in_[0]);
    if (type > static_cast<unsigned char>(Value::Type::kList)) {
      return Fail("unknown type " + std::to_string(type));
    }
    in_.remove_prefix(1);
    Value v;
    URD_RETURN_IF_ERROR(Payload(static_cast<Value::Type>(type), &v));
    attrs.emplace_hint(attrs.end(), std::move(key), std::move(v));
  }
  *out = std::move(attrs);
  return Status::OK();
}

Status CheckUtf8(std::string_view key, std::string_view what, std::string_view s) {
  if (IsValidUtf8(s)) return Status::OK();
  return Status::InvalidArgument("attribute \"" + std::string(key) + "\": " + std::string(what) +
                                 " is not valid UTF-8");
}

}  // namespace

void EncodeAttrs(const Attrs& attrs, std::string* out) {
  PutVarint64(out, attrs.size());
  for (const auto& [key, v] : attrs) {
    PutBytes(out, key);
    out->push_back(static_cast<char>(v.type()));
    switch (v.type()) {
      case Value::Type::kNull:
        break;
      case Value::Type::kString:
        PutBytes(out, v.as_string());
        break;
      case Value::Type::kInt:
        PutVarsint64(out, v.as_int());
        break;
      case Value::Type::kFloat:
        PutFixed64(out, std::bit_cast<uint64_t>(v.as_float()));
        break;
      case Value::Type::kBool:
        out->push_back(v.as_bool() ? 1 : 0);
        break;
      case Value::Type::kList:
        PutVarint64(out, v.as_list().size());
        for (const auto& s : v.as_list()) PutBytes(out, s);
        break;
    }
  }
}

Status DecodeAttrs(std::string_view* in, Attrs* out) {
  AttrsDecoder decoder(*in);
  Status s = decoder.Decode(out);
  if (!s.ok()) {
    out->clear();
    return s;
  }
  *in = decoder.rest();
  return Status::OK();
}

Status ValidateAttrs(const Attrs& attrs) {
  for (const auto& [key, v] : attrs) {
    if (key.empty() || key.size() > kMaxAttrKeyBytes) {
      return Status::InvalidArgument("attribute key " + KeyForMessage(key) + " has " +
                                     std::to_string(key.size()) + " bytes (must be 1..256)");
    }
    if (!IsValidUtf8(key)) {
      return Status::InvalidArgument("attribute key is not valid UTF-8");
    }
    switch (v.type()) {
      case Value::Type::kString:
        URD_RETURN_IF_ERROR(CheckUtf8(key, "string value", v.as_string()));
        break;
      case Value::Type::kList:
        for (const auto& s : v.as_list()) URD_RETURN_IF_ERROR(CheckUtf8(key, "list element", s));
        break;
      case Value::Type::kFloat:
        if (!std::isfinite(v.as_float())) {
          return Status::InvalidArgument("attribute \"" + key + "\": float value " +
                                         (std::isnan(v.as_float()) ? "NaN" : "infinity") +
                                         " is not allowed (floats must be finite)");
        }
        break;
      case Value::Type::kNull:
      case Value::Type::kInt:
      case Value::Type::kBool:
        break;
    }
  }
  return Status::OK();
}

}  // namespace urd::vec
