// Copyright urd authors. Helpers built on the Env interface alone.

#include <algorithm>
#include <string>

#include "urd/env.h"

namespace urd {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// Writes `data` to `path` (created or emptied), syncs and closes it. Errors name
// the step; the file is closed in every case.
Status WriteSyncClose(Env* env, const std::string& path, std::string_view data) {
  Result<std::unique_ptr<WritableFile>> file = env->NewWritableFile(path, WriteMode::kTruncate);
  if (!file.ok()) return file.status().WithContext("create temp file");
  Status status = (*file)->Append(data).WithContext("write temp file");
  if (status.ok()) status = (*file)->Sync().WithContext("sync temp file");
  Status closed = (*file)->Close();
  if (status.ok()) status = closed.WithContext("close temp file");
  return status;
}

}  // namespace

Result<std::string> ReadFileToString(Env* env, const std::string& path) {
  URD_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  URD_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string out;
  out.reserve(static_cast<size_t>(size));
  // Reads until a short read (end of file), so bytes appended meanwhile are included.
  for (;;) {
    const size_t old_size = out.size();
    out.resize(old_size + kReadChunk);
    size_t got = 0;
    Status status = file->Read(old_size, kReadChunk, out.data() + old_size, &got);
    out.resize(old_size + got);
    if (!status.ok()) return status;
    if (got < kReadChunk) return out;
  }
}

Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  const std::string context = "atomic write of " + path;
  Status status = WriteSyncClose(env, tmp, data);
  if (status.ok()) status = env->RenameFile(tmp, path).WithContext("rename temp file");
  if (!status.ok()) {
    static_cast<void>(env->RemoveFile(tmp));  // best effort; the first error wins
    return status.WithContext(context);
  }
  // The rename is done: `path` holds the new contents, but until the directory is
  // synced a power failure may bring back the old ones.
  return env->SyncDir(DirName(path)).WithContext(context + ": sync directory");
}

std::string DirName(const std::string& path) {
  size_t end = path.size();
  while (end > 1 && path[end - 1] == '/') --end;  // "a/b/" names "a/b"
  const size_t slash = path.rfind('/', end - (end > 0 ? 1 : 0));
  if (end == 0 || slash == std::string::npos) return ".";
  size_t dir_end = slash;
  while (dir_end > 0 && path[dir_end - 1] == '/') --dir_end;  // "a//b" is in "a"
  if (dir_end == 0) return "/";
  return path.substr(0, dir_end);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  size_t dir_end = dir.size();
  while (dir_end > 1 && dir[dir_end - 1] == '/') --dir_end;
  const size_t name_begin = std::min(name.find_first_not_of('/'), name.size());
  std::string out = dir.substr(0, dir_end);
  if (out != "/") out += '/';
  out.append(name, name_begin);
  return out;
}

}  // namespace urd
