// Copyright urd authors. Workspace ids (reference/mimir-core.md §6.7): 32 bytes
// naming the workspace a memory log belongs to, derived from the git remote of
// the project, or from a ULID for projects without one.
//
// Thread-safety: pure functions.

#ifndef URD_MEMORY_WORKSPACE_ID_H_
#define URD_MEMORY_WORKSPACE_ID_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "urd/result.h"

namespace urd::mem {

using WorkspaceId = std::array<uint8_t, 32>;

// The normal form of a git remote URL: trimmed of leading and trailing Unicode
// white space, ASCII letters lowercased (other bytes unchanged), then one
// trailing ".git" removed if present, then one trailing "/" removed if present.
// InvalidArgument when `url` is not valid UTF-8 or the normal form is empty.
// Example: "  HTTPS://GitHub.com/Org/Repo.git\n" -> "https://github.com/org/repo".
// Different schemes or hosts stay different (ssh and https forms differ).
Result<std::string> NormalizeGitRemote(std::string_view url);

// SHA-256 of NormalizeGitRemote(url). Errors as NormalizeGitRemote(), or
// FailedPrecondition if the SHA-256 implementation fails.
Result<WorkspaceId> WorkspaceIdFromGitRemote(std::string_view url);

// For a workspace without a git remote: the 16 bytes of a ULID followed by 16
// zero bytes.
WorkspaceId WorkspaceIdFromUlid(const std::array<uint8_t, 16>& ulid);

// Lowercase hex of the first 8 bytes (16 characters): the display form.
std::string WorkspaceIdShortHex(const WorkspaceId& id);

// Lowercase hex of all 32 bytes (64 characters): the workspace's directory name.
std::string WorkspaceIdDirName(const WorkspaceId& id);

}  // namespace urd::mem

#endif  // URD_MEMORY_WORKSPACE_ID_H_
