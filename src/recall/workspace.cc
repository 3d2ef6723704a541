// Copyright urd authors. Workspace: open, settings, index rebuild and repair.

#include <nlohmann/json.hpp>

#include "recall/memory_text.h"
#include "storage/writer_lock.h"
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

// Reads the stored embedder settings into *e. Corruption names what is wrong. Never
// throws: a field of the wrong JSON type is Corruption too.
Status ParseSettings(const std::string& path, const std::string& text, EmbedderOptions* e,
                     std::string* fingerprint) {
  Json j = Json::parse(text, nullptr, false);
  auto string_at = [](const Json& obj, const char* key) -> const Json* {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? &*it : nullptr;
  };
  if (j.is_discarded() || !j.is_object() || string_at(j, "format") == nullptr ||
      *string_at(j, "format") != "urd-workspace") {
    return Status::Corruption(path + ": not a urd workspace settings file");
  }
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() || *version != 1) {
    return Status::NotSupported(path + ": settings version " +
                                (version == j.end() ? std::string("(none)") : version->dump()) +
                                " (this urd reads version 1)");
  }
  auto em = j.find("embedder");
  if (em == j.end() || !em->is_object() || !em->contains("kind") || !em->contains("dimension")) {
    return Status::Corruption(path + ": missing embedder settings");
  }
  auto dimension = em->find("dimension");
  const bool optional_strings_ok = (!em->contains("model") || string_at(*em, "model")) &&
                                   (!em->contains("base_url") || string_at(*em, "base_url"));
  if (!string_at(*em, "kind") || !dimension->is_number_unsigned() || !optional_strings_ok) {
    return Status::Corruption(path + ": bad embedder settings (kind, model and base_url must be "
                              "strings, dimension a non-negative integer)");
  }
  if (j.contains("fingerprint") && !string_at(j, "fingerprint")) {
    return Status::Corruption(path + ": bad fingerprint (not a string)");
  }
  e->kind = string_at(*em, "kind")->get<std::string>();
  e->dimension = dimension->get<size_t>();
  e->model = em->contains("model") ? string_at(*em, "model")->get<std::string>() : "";
  e->base_url = em->contains("base_url") ? string_at(*em, "base_url")->get<std::string>() : "";
  *fingerprint = j.contains("fingerprint") ? string_at(j, "fingerprint")->get<std::string>() : "";
  return Status::OK();
}

}  // namespace

WorkspaceImpl::WorkspaceImpl(std::string dir, const WorkspaceOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()) {}

// Creates or checks workspace.json and makes the embedder.
Status WorkspaceImpl::LoadSettings() {
  Env* env = env_;
  const std::string path = JoinPath(dir_, kSettingsFile);
  if (!env->FileExists(path)) {
    if (options_.read_only || !options_.create_if_missing) {
      return Status::NotFound(dir_ + ": no urd workspace here (no " + kSettingsFile + ")");
    }
    // Bad embedder options are refused before anything is created.
    URD_RETURN_IF_ERROR(MakeEmbedder(options_.embedder).status());
    Status made = env->FileExists(dir_) ? Status::OK() : env->CreateDir(dir_);
    if (!made.ok() && !env->FileExists(dir_)) return made;  // else: created by another process
    // Two processes creating one workspace: the writer lock makes one of them the
    // creator; the other reads what it wrote.
    LockOptions lo;
    lo.owner = options_.lock_owner;
    lo.wait = std::max<std::chrono::milliseconds>(options_.lock_wait, std::chrono::seconds(5));
    std::unique_ptr<WriterLock> lock;  // only the real file system has one to take
    if (env == Env::Default()) {
      URD_ASSIGN_OR_RETURN(lock, WriterLock::Acquire(dir_, lo));
    }
    if (!env->FileExists(path)) {
      URD_ASSIGN_OR_RETURN(embedder_, MakeEmbedder(options_.embedder));
      URD_RETURN_IF_ERROR(
          WriteFileAtomic(env, path, SettingsJson(options_.embedder, *embedder_).dump(2) + "\n"));
      created_settings_ = true;
      return Status::OK();
    }
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
  mo.lock_per_write = options_.lock_per_write;
  mo.env = env_;
  auto memory = MemoryStore::Open(dir_, mo);
  if (!memory.ok()) {
    // A directory holding a memory log that does not open stays as it was: the
    // settings this open wrote for it go again.
    if (created_settings_) (void)env_->RemoveFile(JoinPath(dir_, kSettingsFile));
    return memory.status();
  }
  memory_ = std::move(*memory);
  mem_ = dynamic_cast<mem::MemoryStoreImpl*>(memory_.get());
  VectorOptions vo;
  vo.dimension = embedder_->dimension();
  vo.read_only = options_.read_only;
  vo.fsync = options_.fsync == MemoryFsync::kNever ? VectorFsync::kNever : VectorFsync::kEveryCall;
  vo.lock_owner = options_.lock_owner;
  vo.lock_wait = options_.lock_wait;
  vo.lock_per_write = options_.lock_per_write;
  vo.env = env_;
  URD_ASSIGN_OR_RETURN(vectors_, VectorStore::Open(JoinPath(dir_, "vectors"), vo));
  graph_ = NewKnowledgeGraph(this);
  if (!options_.read_only && !vectors_->HasCollection(kMemoriesCollection)) {
    URD_RETURN_IF_ERROR(vectors_->CreateCollection(kMemoriesCollection));
  }
  URD_RETURN_IF_ERROR(RebuildTextIndex());
  if (options_.read_only) return Status::OK();
  if (!options_.lock_per_write) return Repair(false);
  std::lock_guard lock(mu_);
  return Locked([] { return Status::OK(); });  // repairs under the lock
}

Status WorkspaceImpl::RebuildTextIndex() {
  std::lock_guard lock(mu_);
  text_ = TextIndex();
  indexed_ = {};
  IndexNewTexts();
  return Status::OK();
}

void WorkspaceImpl::IndexNewTexts() {
  static constexpr mem::MemoryKind kKinds[4] = {mem::MemoryKind::kSem, mem::MemoryKind::kEpi,
                                                mem::MemoryKind::kPro, mem::MemoryKind::kInf};
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    const std::array<size_t, 4> sizes{st.sem().size(), st.epi().size(), st.pro().size(),
                                      st.inf().size()};
    for (size_t k = 0; k < 4; ++k) {
      for (size_t i = indexed_[k]; i < sizes[k]; ++i) {
        const mem::MemoryRef ref{kKinds[k], static_cast<uint32_t>(i)};
        if (auto text = MemoryText(st, ref)) {
          text_.Add(st.Visit(ref, [](const auto& r) { return r.memory_id; }), *text);
        }
      }
      indexed_[k] = sizes[k];
    }
  });
}

Status WorkspaceImpl::Refresh() {
  if (!options_.read_only && !options_.lock_per_write) return Status::OK();
  URD_RETURN_IF_ERROR(memory_->Refresh());
  URD_RETURN_IF_ERROR(vectors_->Refresh());
  std::lock_guard lock(mu_);
  IndexNewTexts();
  return Status::OK();
}

Status WorkspaceImpl::Locked(const std::function<Status()>& fn) {
  URD_RETURN_IF_ERROR(mem_->AcquireWrite());
  struct Release {
    mem::MemoryStoreImpl* m;
    ~Release() { m->ReleaseWrite(); }
  } release{mem_};
  if (options_.lock_per_write) {  // caught up: index, and embed what a killed writer left
    IndexNewTexts();
    URD_RETURN_IF_ERROR(vectors_->Refresh());
    URD_RETURN_IF_ERROR(Repair(false));
  }
  return fn();
}

Status WorkspaceImpl::Transact(uint64_t now_ms,
                               const std::function<Result<std::string>(uint64_t)>& build) {
  if (options_.read_only) return Status::FailedPrecondition(dir_ + ": workspace is read-only");
  std::lock_guard lock(mu_);
  return Locked([&]() -> Status {
    uint64_t at = now_ms;
    mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
      if (auto last = st.last_committed_at()) at = std::max<uint64_t>(at, *last + 1);
    });
    URD_ASSIGN_OR_RETURN(std::string forms, build(at));
    if (forms.empty()) return Status::OK();
    return CommitAndIndex(forms, at).status();
  });
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
  std::lock_guard lock(mu_);
  return Locked([&] { return Repair(true); });
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
