// Copyright urd authors. Workspace: open, settings, index rebuild and repair.

#include <nlohmann/json.hpp>

#include "recall/memory_text.h"
#include "recall/workspace_impl.h"

namespace urd {

Result<std::unique_ptr<Workspace>> Workspace::Open(const std::string& dir,
                                                   const WorkspaceOptions& options) {
  if (dir.empty()) return Status::InvalidArgument("workspace: empty directory path");
  auto ws = std::make_unique<recall::WorkspaceImpl>(dir, options);
  URD_RETURN_IF_ERROR(ws->Load());
  return std::unique_ptr<Workspace>(std::move(ws));
}

namespace recall {

namespace {

using Json = nlohmann::json;

Json SettingsJson(const EmbedderOptions& e, const Embedder& embedder) {
  return Json{{"format", "urd-workspace"},
              {"version", 1},
              {"embedder",
               {{"kind", e.kind},
                {"dimension", embedder.dimension()},
                {"model", e.model},
                {"base_url", e.base_url}}},
              {"fingerprint", embedder.fingerprint()}};
}

// Reads the stored embedder settings into *e. Corruption names what is wrong.
Status ParseSettings(const std::string& path, const std::string& text, EmbedderOptions* e,
                     std::string* fingerprint) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "urd-workspace") {
    return Status::Corruption(path + ": not a urd workspace settings file");
  }
  if (j.value("version", 0) != 1) {
    return Status::NotSupported(path + ": settings version " + j.value("version", Json()).dump() +
                                " (this urd reads version 1)");
  }
  const Json& em = j.value("embedder", Json::object());
  if (!em.is_object() || !em.contains("kind") || !em.contains("dimension")) {
    return Status::Corruption(path + ": missing embedder settings");
  }
  e->kind = em.value("kind", "");
  e->dimension = em.value("dimension", size_t{0});
  e->model = em.value("model", "");
  e->base_url = em.value("base_url", "");
  *fingerprint = j.value("fingerprint", "");
  return Status::OK();
}

}  // namespace

WorkspaceImpl::WorkspaceImpl(std::string dir, const WorkspaceOptions& options)
    : dir_(std::move(dir)), options_(options) {}

// Creates or checks workspace.json and makes the embedder.
Status WorkspaceImpl::LoadSettings() {
  Env* env = Env::Default();
  const std::string path = JoinPath(dir_, kSettingsFile);
  if (!env->FileExists(path)) {
    if (options_.read_only || !options_.create_if_missing) {
      return Status::NotFound(dir_ + ": no urd workspace here (no " + kSettingsFile + ")");
    }
    if (!env->FileExists(dir_)) URD_RETURN_IF_ERROR(env->CreateDir(dir_));
    URD_ASSIGN_OR_RETURN(embedder_, MakeEmbedder(options_.embedder));
    return WriteFileAtomic(env, path, SettingsJson(options_.embedder, *embedder_).dump(2) + "\n");
  }
  URD_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path));
  EmbedderOptions stored = options_.embedder;  // keeps key, timeout, retries
  std::string fingerprint;
  URD_RETURN_IF_ERROR(ParseSettings(path, text, &stored, &fingerprint));
  const EmbedderOptions& asked = options_.embedder;
  if (options_.embedder_explicit &&
      (asked.kind != stored.kind || (asked.dimension != 0 && asked.dimension != stored.dimension) ||
       asked.model != stored.model)) {
    return Status::InvalidArgument(
        dir_ + ": the workspace was created with embedder " + stored.kind + " (dimension " +
        std::to_string(stored.dimension) + (stored.model.empty() ? "" : ", model " + stored.model) +
        "), not " + asked.kind + " (dimension " + std::to_string(asked.dimension) +
        (asked.model.empty() ? "" : ", model " + asked.model) +
        "); vectors of different embedders cannot be mixed: use a new workspace");
  }
  URD_ASSIGN_OR_RETURN(embedder_, MakeEmbedder(stored));
  if (embedder_->fingerprint() != fingerprint) {
    return Status::InvalidArgument(dir_ + ": embedder fingerprint changed from `" + fingerprint +
                                   "` to `" + embedder_->fingerprint() +
                                   "`; run `urd reindex` after checking the settings");
  }
  return Status::OK();
}

Status WorkspaceImpl::Load() {
  URD_RETURN_IF_ERROR(LoadSettings());
  MemoryOptions mo;
  mo.read_only = options_.read_only;
  mo.fsync = options_.fsync;
  mo.lock_owner = options_.lock_owner;
  mo.lock_wait = options_.lock_wait;
  URD_ASSIGN_OR_RETURN(memory_, MemoryStore::Open(dir_, mo));
  mem_ = dynamic_cast<mem::MemoryStoreImpl*>(memory_.get());
  VectorOptions vo;
  vo.dimension = embedder_->dimension();
  vo.read_only = options_.read_only;
  vo.fsync = options_.fsync == MemoryFsync::kNever ? VectorFsync::kNever : VectorFsync::kEveryCall;
  vo.lock_owner = options_.lock_owner;
  URD_ASSIGN_OR_RETURN(vectors_, VectorStore::Open(JoinPath(dir_, "vectors"), vo));
  if (!options_.read_only) URD_RETURN_IF_ERROR(vectors_->CreateCollection(kMemoriesCollection));
  URD_RETURN_IF_ERROR(RebuildTextIndex());
  return options_.read_only ? Status::OK() : Repair(false);
}

Status WorkspaceImpl::RebuildTextIndex() {
  std::lock_guard lock(mu_);
  text_ = TextIndex();
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    ForEachMemoryText(st, [&](mem::SymbolId id, const std::string& text) { text_.Add(id, text); });
  });
  return Status::OK();
}

// Embeds the memories with text whose vector is missing (a remember interrupted
// between its memory commit and its vector upsert, or memories written with
// `urd write`); with `all`, every one.
Status WorkspaceImpl::Repair(bool all) {
  std::vector<std::pair<mem::SymbolId, std::string>> missing;
  std::vector<std::pair<mem::SymbolId, std::string>> docs;
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    ForEachMemoryText(st, [&](mem::SymbolId id, const std::string& text) {
      docs.emplace_back(id, text);
    });
  });
  auto count = vectors_->CountRecords(kMemoriesCollection);
  if (!all && count.ok() && *count == docs.size()) return Status::OK();
  std::vector<Attrs> attrs;  // kept from the old record when re-embedding
  for (auto& [id, text] : docs) {
    auto old = vectors_->Get(kMemoriesCollection, MemoryName(id));
    if (!all && old.ok()) continue;
    missing.emplace_back(id, text);
    attrs.push_back(old.ok() ? old->attrs : Attrs{});
  }
  if (missing.empty()) return Status::OK();
  return EmbedAndStore(missing, std::move(attrs), {});
}

Status WorkspaceImpl::Reindex() {
  if (options_.read_only) return Status::FailedPrecondition(dir_ + ": workspace is read-only");
  URD_RETURN_IF_ERROR(RebuildTextIndex());
  return Repair(true);
}

WorkspaceStats WorkspaceImpl::Stats() const {
  WorkspaceStats st;
  st.memory = memory_->Stats();
  auto count = vectors_->CountRecords(kMemoriesCollection);
  st.vectors = count.ok() ? *count : 0;
  {
    std::lock_guard lock(mu_);
    st.text_docs = text_.size();
  }
  st.embedder = embedder_->fingerprint();
  st.dimension = embedder_->dimension();
  return st;
}

}  // namespace recall
}  // namespace urd
