// Copyright urd authors.

#include "memory/workspace_id.h"

#include <openssl/evp.h>

#include <cstddef>

#include "base/utf8.h"

namespace urd::mem {

namespace {

// Decodes the code point of the well-formed UTF-8 sequence starting at s[i];
// stores its length in *len.
char32_t CodePointAt(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *len = 1;
    return b0;
  }
  const size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  char32_t cp = b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  *len = n;
  return cp;
}

// The Unicode White_Space property (what Rust's str::trim removes).
bool IsUnicodeWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// REQUIRES: s is valid UTF-8.
std::string_view TrimUnicodeWhiteSpace(std::string_view s) {
  size_t len = 0;
  while (!s.empty() && IsUnicodeWhiteSpace(CodePointAt(s, 0, &len))) s.remove_prefix(len);
  while (!s.empty()) {
    size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (!IsUnicodeWhiteSpace(CodePointAt(s, start, &len))) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0xF]);
  }
  return out;
}

}  // namespace

Result<std::string> NormalizeGitRemote(std::string_view url) {
  if (!IsValidUtf8(url)) return Status::InvalidArgument("git remote URL is not valid UTF-8");
  std::string s(TrimUnicodeWhiteSpace(url));
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (s.ends_with(".git")) s.resize(s.size() - 4);
  if (s.ends_with('/')) s.pop_back();
  if (s.empty()) return Status::InvalidArgument("empty git remote URL");
  return s;
}

Result<WorkspaceId> WorkspaceIdFromGitRemote(std::string_view url) {
  URD_ASSIGN_OR_RETURN(const std::string normal, NormalizeGitRemote(url));
  WorkspaceId id{};
  unsigned int len = 0;
  if (EVP_Digest(normal.data(), normal.size(), id.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != id.size()) {
    return Status::FailedPrecondition("SHA-256 of the git remote failed (OpenSSL)");
  }
  return id;
}

WorkspaceId WorkspaceIdFromUlid(const std::array<uint8_t, 16>& ulid) {
  WorkspaceId id{};
  for (size_t i = 0; i < ulid.size(); ++i) id[i] = ulid[i];
  return id;
}

std::string WorkspaceIdShortHex(const WorkspaceId& id) { return Hex(id.data(), 8); }

std::string WorkspaceIdDirName(const WorkspaceId& id) { return Hex(id.data(), id.size()); }

}  // namespace urd::mem
