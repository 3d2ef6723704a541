// Copyright urd authors. Where a workspace keeps its vector store, and how the
// `urd` verbs open it: read-only (works beside a writer), for writing (takes the
// lock), or creating it.
//
// Thread-safety: plain functions; the stores they return are documented in
// urd/vector_store.h.

#ifndef URD_APP_VEC_OPEN_H_
#define URD_APP_VEC_OPEN_H_

#include <memory>
#include <string>

#include "urd/result.h"
#include "urd/vector_store.h"

namespace urd::app {

// The workspace directory when --dir is not given: $URD_DIR if set and not empty,
// else ".urd".
std::string DefaultWorkspaceDir();

// The vector store's directory inside a workspace: <workspace>/vectors.
std::string VectorStorePath(const std::string& workspace);

// Opens the existing store of `workspace` read-only (no lock). `options` supplies
// the scan settings; read_only and create_if_missing are overridden. NotFound when
// there is no store.
Result<std::unique_ptr<VectorStore>> OpenVectorsReadOnly(const std::string& workspace,
                                                         VectorOptions options = {});

// Opens the existing store of `workspace` for writing (takes its lock: Busy when
// another writer holds it). NotFound when there is no store; InvalidArgument when
// options.dimension is set and differs from the store's.
Result<std::unique_ptr<VectorStore>> OpenVectorsForWrite(const std::string& workspace,
                                                         VectorOptions options = {});

// Creates `workspace` (with its parents) and a store of dimension `dim` in it, or
// opens the existing one, whose dimension must then be `dim` (InvalidArgument).
// REQUIRES: dim > 0.
Result<std::unique_ptr<VectorStore>> CreateVectors(const std::string& workspace, size_t dim,
                                                   VectorOptions options = {});

}  // namespace urd::app

#endif  // URD_APP_VEC_OPEN_H_
