// Copyright urd authors. Opening a workspace's vector store for the `urd` verbs.

#include "app/vec_open.h"

#include <cstdlib>

#include "urd/env.h"

namespace urd::app {
namespace {

// Creates `dir` and any missing parents.
Status CreateDirs(Env* env, const std::string& dir) {
  if (dir.empty() || env->FileExists(dir)) return Status::OK();
  const std::string parent = DirName(dir);
  if (parent != dir) URD_RETURN_IF_ERROR(CreateDirs(env, parent));
  return env->CreateDir(dir);
}

}  // namespace

std::string DefaultWorkspaceDir() {
  const char* env = std::getenv("URD_DIR");
  return env != nullptr && *env != '\0' ? env : ".urd";
}

std::string VectorStorePath(const std::string& workspace) {
  return JoinPath(workspace, "vectors");
}

Result<std::unique_ptr<VectorStore>> OpenVectorsReadOnly(const std::string& workspace,
                                                         VectorOptions options) {
  options.read_only = true;
  options.create_if_missing = false;
  return VectorStore::Open(VectorStorePath(workspace), options);
}

Result<std::unique_ptr<VectorStore>> OpenVectorsForWrite(const std::string& workspace,
                                                         VectorOptions options) {
  options.read_only = false;
  options.create_if_missing = false;
  return VectorStore::Open(VectorStorePath(workspace), options);
}

Result<std::unique_ptr<VectorStore>> CreateVectors(const std::string& workspace, size_t dim,
                                                   VectorOptions options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  URD_RETURN_IF_ERROR(CreateDirs(env, workspace));
  options.read_only = false;
  options.create_if_missing = true;
  options.dimension = dim;
  return VectorStore::Open(VectorStorePath(workspace), options);
}

}  // namespace urd::app
