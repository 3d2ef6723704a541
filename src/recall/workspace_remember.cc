// Copyright urd authors. Workspace::Remember: text -> typed memories -> vectors.

#include <cmath>

#include "base/utf8.h"
#include "memory/render.h"
#include "recall/memory_text.h"
#include "recall/workspace_impl.h"

namespace urd::recall {

namespace {

constexpr size_t kMaxTextBytes = 64 * 1024;
constexpr size_t kMaxAttrKeyBytes = 256;  // vector store attribute keys: 1..256 bytes

// A symbol name from user input: `@` optional; must be a valid identifier.
Result<std::string> SymbolName(std::string_view what, std::string_view name) {
  if (!name.empty() && name.front() == '@') name.remove_prefix(1);
  bool ok = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    ok = ok && (std::islower(static_cast<unsigned char>(c)) ||
                std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  }
  if (!ok) {
    return Status::InvalidArgument(std::string(what) + " `" + std::string(name) +
                                   "` is not a symbol name ([a-z_][a-z0-9_]*)");
  }
  return std::string(name);
}

std::string Confidence(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", c);
  return buf;
}

Status CheckOptions(std::span<const std::string> texts, const RememberOptions& o) {
  if (texts.empty()) return Status::InvalidArgument("remember: no text");
  if (o.kind != "epi" && o.kind != "sem" && o.kind != "pro") {
    return Status::InvalidArgument("remember: kind `" + o.kind + "` is not epi, sem or pro");
  }
  // A fact replaces the fact with its subject and predicate, a rule the rule with
  // its trigger (the subject): two in one batch would collide (decision W6).
  if (o.kind != "epi" && texts.size() > 1) {
    return Status::InvalidArgument(
        "remember: kind " + o.kind + " takes one text per call (got " +
        std::to_string(texts.size()) + "): " +
        (o.kind == "sem" ? "a fact replaces the fact with the same subject and predicate"
                         : "a rule replaces the rule with the same subject (its trigger)"));
  }
  if (!(o.confidence >= 0 && o.confidence <= 1)) {
    return Status::InvalidArgument("remember: confidence must be in [0, 1]");
  }
  if (!o.vectors.empty() && o.vectors.size() != texts.size()) {
    return Status::InvalidArgument("remember: " + std::to_string(o.vectors.size()) +
                                   " vectors for " + std::to_string(texts.size()) + " texts");
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& t = texts[i];
    const std::string which = "remember: text " + std::to_string(i);
    if (t.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Status::InvalidArgument(which + " is empty");
    }
    if (t.size() > kMaxTextBytes) {
      return Status::InvalidArgument(which + " is " + std::to_string(t.size()) +
                                     " bytes; at most " + std::to_string(kMaxTextBytes));
    }
    if (!IsValidUtf8(t)) return Status::InvalidArgument(which + " is not valid UTF-8");
  }
  for (const auto& [key, value] : o.attrs) {
    if (key.empty() || key.rfind("urd.", 0) == 0) {
      return Status::InvalidArgument("remember: attribute key `" + key +
                                     "` is empty or reserved (urd.*)");
    }
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return Status::InvalidArgument("remember: attribute `" + key + "` is not valid UTF-8");
    }
    // The vector index's limit (VectorRecord attrs): checked before anything commits.
    if (key.size() > kMaxAttrKeyBytes) {
      return Status::InvalidArgument("remember: attribute key `" + key.substr(0, 64) + "...` has " +
                                     std::to_string(key.size()) + " bytes (must be 1..256)");
    }
  }
  return Status::OK();
}

}  // namespace

std::string WorkspaceImpl::MemoryName(mem::SymbolId id) const {
  std::string name = "__mem_" + std::to_string(id);
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    if (const mem::SymbolEntry* e = st.symbols().Find(id)) name = e->canonical_name;
  });
  return name;
}

// The forms of one remembered text (urd/workspace.h "How text is stored").
std::string WorkspaceImpl::BuildForms(const std::string& text, const RememberOptions& o,
                                      uint64_t valid_at, size_t i, uint64_t now_ms) const {
  const std::string src = o.kind == "pro" && o.source == "observation" ? "agent_instruction"
                                                                        : o.source;
  const std::string tail = " :src @" + src + " :c " + Confidence(o.confidence);
  const std::string at = mem::RenderTimestamp(valid_at);
  const std::string quoted = mem::QuoteString(text);
  // Unique: the memory counter only grows, and this process holds the writer lock.
  (void)now_ms;
  const std::string id = std::to_string(note_counter_ + i);
  if (o.kind == "sem") {
    return "(sem @" + o.subject + " @" + o.predicate + " " + quoted + tail + " :v " + at + ")";
  }
  if (o.kind == "pro") {
    return "(pro @rule_" + id + " " + mem::QuoteString(o.subject) + " " + quoted + " :scp @" +
           kRuleScope + tail + ")";
  }
  const std::string note = "note_" + id;
  return "(epi @" + note + " @" + kNoteEventType + " (@" + o.subject + ") @" + kNoteLocation +
         " :at " + at + " :obs " + at +
         tail + ")\n(sem @" + note + ":Memory @" + std::string(kTextPredicate) + " " + quoted + tail +
         " :v " + at + ")";
}

Result<std::vector<std::vector<float>>> WorkspaceImpl::Vectors(
    std::span<const std::string> texts, const std::vector<std::vector<float>>& given) {
  if (given.empty()) {
    std::vector<std::vector<float>> out;
    URD_RETURN_IF_ERROR(embedder_->Embed(texts, &out));
    return out;
  }
  for (size_t i = 0; i < given.size(); ++i) {
    const std::string which = "vector " + std::to_string(i);
    if (given[i].size() != embedder_->dimension()) {
      return Status::InvalidArgument(which + " has " + std::to_string(given[i].size()) +
                                     " components; the workspace's dimension is " +
                                     std::to_string(embedder_->dimension()));
    }
    // The vector store's own checks, made before the memories are committed.
    bool nonzero = false;
    for (size_t k = 0; k < given[i].size(); ++k) {
      if (!std::isfinite(given[i][k])) {
        return Status::InvalidArgument(which + " has a non-finite component at index " +
                                       std::to_string(k));
      }
      nonzero = nonzero || given[i][k] != 0;
    }
    if (!nonzero) return Status::InvalidArgument(which + " is all zeros (cosine is undefined)");
  }
  return given;
}

Status WorkspaceImpl::EmbedAndStore(const std::vector<std::pair<mem::SymbolId, std::string>>& docs,
                                    std::vector<Attrs> attrs,
                                    const std::vector<std::vector<float>>& given) {
  std::vector<std::string> texts;
  texts.reserve(docs.size());
  for (const auto& d : docs) texts.push_back(d.second);
  URD_ASSIGN_OR_RETURN(auto vecs, Vectors(texts, given));
  std::vector<VectorRecord> records;
  records.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    records.push_back({MemoryName(docs[i].first), std::move(vecs[i]), std::move(attrs[i])});
  }
  return vectors_->Upsert(kMemoriesCollection, records).status();
}

Result<std::vector<Remembered>> WorkspaceImpl::Remember(std::span<const std::string> texts,
                                                        const RememberOptions& options,
                                                        uint64_t now_ms) {
  if (options_.read_only) return Status::FailedPrecondition(dir_ + ": workspace is read-only");
  URD_RETURN_IF_ERROR(CheckOptions(texts, options));
  RememberOptions o = options;
  URD_ASSIGN_OR_RETURN(o.subject, SymbolName("subject", o.subject));
  URD_ASSIGN_OR_RETURN(o.predicate, SymbolName("predicate", o.predicate));
  URD_ASSIGN_OR_RETURN(o.source, SymbolName("source", o.source));
  // Embed first: an embedder failure writes nothing.
  URD_ASSIGN_OR_RETURN(auto vecs, Vectors(texts, o.vectors));
  std::lock_guard lock(mu_);
  std::vector<Remembered> out;
  URD_RETURN_IF_ERROR(Locked([&]() -> Status {
    mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
      note_counter_ = st.next_memory_counter();
    });
    const uint64_t valid_at = o.valid_at.value_or(now_ms);
    std::string forms;
    for (size_t i = 0; i < texts.size(); ++i) {
      forms += BuildForms(texts[i], o, valid_at, i, now_ms) + "\n";
    }
    URD_ASSIGN_OR_RETURN(CommitResult committed, memory_->Commit(forms, now_ms));
    // The first memory of each text's group is the remembered one (epi: 2 per text).
    const size_t group = o.kind == "epi" ? 2 : 1;
    std::vector<std::pair<mem::SymbolId, std::string>> docs;
    std::vector<Attrs> attrs;
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string& name = committed.memory_ids[i * group];
      out.push_back({name, committed.episode, committed.committed_at});
      mem::SymbolId id = 0;
      mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
        id = st.symbols().Lookup(name).value_or(0);
      });
      docs.emplace_back(id, texts[i]);
      Attrs a;
      for (const auto& [k, v] : o.attrs) a[k] = Value::String(v);
      attrs.push_back(std::move(a));
    }
    IndexNewTexts();
    Status s = EmbedAndStore(docs, std::move(attrs), vecs);
    if (!s.ok()) {
      return s.WithContext("the memories are committed (" + committed.episode +
                           ") but their vectors were not stored; the next write or open "
                           "repairs them");
    }
    return Status::OK();
  }));
  return out;
}

Result<CommitResult> WorkspaceImpl::Write(std::string_view forms, uint64_t now_ms) {
  if (options_.read_only) return Status::FailedPrecondition(dir_ + ": workspace is read-only");
  std::lock_guard lock(mu_);
  Result<CommitResult> result = Status::FailedPrecondition("workspace: the write did not run");
  URD_RETURN_IF_ERROR(Locked([&]() -> Status {
    result = CommitAndIndex(forms, now_ms);
    return result.status();
  }));
  return result;
}

Result<CommitResult> WorkspaceImpl::CommitAndIndex(std::string_view forms, uint64_t now_ms) {
  URD_ASSIGN_OR_RETURN(CommitResult committed, memory_->Commit(forms, now_ms));
  std::vector<std::pair<mem::SymbolId, std::string>> docs;
  mem_->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    for (const std::string& name : committed.memory_ids) {
      auto id = st.symbols().Lookup(name);
      auto ref = id ? st.Locate(*id) : std::nullopt;
      if (!ref) continue;
      if (auto text = MemoryText(st, *ref)) docs.emplace_back(*id, *text);
    }
  });
  IndexNewTexts();
  if (docs.empty()) return committed;
  Status s = EmbedAndStore(docs, std::vector<Attrs>(docs.size()), {});
  if (!s.ok()) {
    return s.WithContext("the batch is committed (" + committed.episode +
                         ") but its texts were not embedded; the next write or open repairs "
                         "them");
  }
  return committed;
}

}  // namespace urd::recall
