// Copyright urd authors. KnowledgeGraph (urd/knowledge_graph.h) over a workspace's
// memory store (docs/knowledge_graph.md).
//
// Storage: an entity named N is the subject `kg_e_<key(N)>` with facts
//   (sem @kg_e_K @kg_exists true|false)   created / deleted
//   (sem @kg_e_K @kg_name "N")            written once
//   (sem @kg_e_K @kg_type "T")            when it changes
//   (sem @kg_e_K @kg_obs_<key(O)> "O")    an observation; `false` once deleted
// and a relation (F, R, T) is the subject `kg_r_<key(F, R, T)>` with kg_exists,
// kg_from, kg_to and kg_relation facts. Every fact of one call is one batch; its
// :v is the batch's commit clock, so each fact supersedes the one before at its
// key. The graph is the fold of these facts in commit order (last fact per key
// wins); an item's position is the index of the fact that made it exist, so
// re-creating a deleted entity moves it to the end, as server-memory does.

#include <locale.h>
#include <openssl/evp.h>
#include <wctype.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/utf8.h"
#include "memory/render.h"
#include "recall/memory_text.h"
#include "recall/workspace_impl.h"
#include "urd/knowledge_graph.h"

namespace urd::recall {

namespace {

constexpr size_t kMaxGraphText = 64 * 1024;
constexpr char kExists[] = "kg_exists";
constexpr char kType[] = "kg_type";
constexpr char kFrom[] = "kg_from";
constexpr char kTo[] = "kg_to";
constexpr char kRelationType[] = "kg_relation";

// 16 hex digits of SHA-256 of the length-prefixed parts: unambiguous for any
// strings, NUL bytes included.
std::string Key(std::initializer_list<std::string_view> parts) {
  std::string data;
  for (std::string_view p : parts) data += std::to_string(p.size()) + ":" + std::string(p);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// glibc's Unicode case tables (the built-in C.UTF-8 locale), loaded once.
locale_t Utf8Locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

char32_t LowerCodePoint(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  const locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(0)) return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), loc));
}

bool IsLetter(char32_t c) {
  if (c < 0x80) return std::isalpha(static_cast<int>(c)) != 0;
  const locale_t loc = Utf8Locale();
  return loc != static_cast<locale_t>(0) && iswalpha_l(static_cast<wint_t>(c), loc) != 0;
}

// Lowercases as JavaScript's String.prototype.toLowerCase does: the Unicode simple
// lowercase of every code point (glibc's tables), with its two special cases: İ
// (U+0130) becomes i + combining dot (U+0307), and Σ becomes final ς after a letter
// when no letter follows.
std::string Lower(std::string_view s) {
  std::vector<char32_t> cps;
  for (size_t i = 0; i < s.size();) {
    const Utf8Decoded d = DecodeUtf8At(s, i);
    cps.push_back(d.cp == kInvalidCodePoint ? 0xFFFD : d.cp);  // checked on the way in
    i += d.len;
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (c == 0x130) {
      out += "i\xCC\x87";
    } else if (c == 0x3A3 && i > 0 && IsLetter(cps[i - 1]) &&
               (i + 1 == cps.size() || !IsLetter(cps[i + 1]))) {
      AppendUtf8(0x3C2, &out);
    } else {
      AppendUtf8(LowerCodePoint(c), &out);
    }
  }
  return out;
}

Status CheckText(std::string_view what, std::string_view text) {
  if (text.size() > kMaxGraphText) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(text.size()) +
                                   " bytes; at most " + std::to_string(kMaxGraphText));
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  return Status::OK();
}

Status CheckRelations(std::span<const KgRelation> relations) {
  for (const KgRelation& r : relations) {
    URD_RETURN_IF_ERROR(CheckText("relation source", r.from));
    URD_RETURN_IF_ERROR(CheckText("relation target", r.to));
    URD_RETURN_IF_ERROR(CheckText("relation type", r.relation_type));
  }
  return Status::OK();
}

Status CheckEntities(std::span<const KgEntity> entities) {
  for (const KgEntity& e : entities) {
    URD_RETURN_IF_ERROR(CheckText("entity name", e.name));
    URD_RETURN_IF_ERROR(CheckText("entity type of " + e.name, e.entity_type));
    for (const std::string& o : e.observations) {
      URD_RETURN_IF_ERROR(CheckText("an observation of " + e.name, o));
    }
  }
  return Status::OK();
}

struct Observation {
  uint32_t seq = 0;
  std::string text;
};

struct EntityView {
  bool exists = false;
  uint32_t seq = 0;  // the sem index of the kg_exists fact that created it
  std::string name, type;
  std::unordered_map<std::string, Observation> obs;  // by observation key; current only
};

struct RelationView {
  bool exists = false;
  uint32_t seq = 0;
  std::string from, to, type;
};

// The facts of one batch being built.
class Facts {
 public:
  explicit Facts(uint64_t valid_at)
      : tail_(" :src @observation :c 0.9 :v " + mem::RenderTimestamp(valid_at) + ")\n") {}
  void Add(const std::string& subject, std::string_view predicate, const std::string& value) {
    forms_ += "(sem @" + subject + " @" + std::string(predicate) + " " + value + tail_;
  }
  void Text(const std::string& subject, std::string_view predicate, std::string_view text) {
    Add(subject, predicate, mem::QuoteString(text));
  }
  std::string Take() { return std::move(forms_); }

 private:
  std::string tail_;
  std::string forms_;
};

class KnowledgeGraphImpl final : public KnowledgeGraph {
 public:
  explicit KnowledgeGraphImpl(WorkspaceImpl* ws) : ws_(ws) {}

  Result<std::vector<KgEntity>> CreateEntities(std::span<const KgEntity> entities,
                                               uint64_t now_ms) override;
  Result<std::vector<KgRelation>> CreateRelations(std::span<const KgRelation> relations,
                                                  uint64_t now_ms) override;
  Result<std::vector<KgObservations>> AddObservations(std::span<const KgObservations> additions,
                                                      uint64_t now_ms) override;
  Status DeleteEntities(std::span<const std::string> names, uint64_t now_ms) override;
  Status DeleteObservations(std::span<const KgObservations> deletions, uint64_t now_ms) override;
  Status DeleteRelations(std::span<const KgRelation> relations, uint64_t now_ms) override;
  Result<KgMergeSummary> Merge(const KgGraph& graph, uint64_t now_ms) override;
  Result<KgGraph> Read() override;
  Result<KgGraph> Search(std::string_view query) override;
  Result<KgGraph> SearchSemantic(std::string_view query, size_t k) override;
  Result<KgGraph> OpenNodes(std::span<const std::string> names) override;

 private:
  // Folds the facts committed since the last call into the view. REQUIRES: mu_.
  void Sync();
  void ApplyFact(const mem::MemoryState& st, const mem::SemRecord& r, uint32_t seq);
  // Commits what `build` writes (nothing when it writes nothing) after catching up.
  Status Change(uint64_t now_ms, const std::function<Status(Facts*)>& build);
  // The current graph, optionally restricted to entities passing `keep`.
  KgGraph Snapshot(const std::function<bool(const EntityView&)>& keep) const;
  EntityView* FindEntity(const std::string& name);
  RelationView* FindRelation(const KgRelation& r);
  // Writes relation `r` into existence unless it exists or is in *done.
  bool WriteRelation(const KgRelation& r, std::set<std::string>* done, Facts* f);
  // Writes an entity into existence (kg_exists true, name and type as needed).
  void WriteEntity(const KgEntity& e, Facts* f);
  Result<KgGraph> ReadWith(const std::function<bool(const EntityView&)>& keep);

  WorkspaceImpl* ws_;
  std::mutex mu_;
  size_t applied_ = 0;  // sem records folded so far
  std::unordered_map<std::string, EntityView> entities_;    // by entity key
  std::unordered_map<std::string, RelationView> relations_;  // by relation key
};

std::string EntitySubject(std::string_view name) {
  return std::string(kGraphEntityPrefix) + Key({name});
}

std::string RelationKey(const KgRelation& r) { return Key({r.from, r.relation_type, r.to}); }

void KnowledgeGraphImpl::ApplyFact(const mem::MemoryState& st, const mem::SemRecord& r,
                                   uint32_t seq) {
  const mem::SymbolEntry* s = st.symbols().Find(r.s);
  const mem::SymbolEntry* p = st.symbols().Find(r.p);
  if (s == nullptr || p == nullptr) return;
  const std::string& subject = s->canonical_name;
  const std::string& pred = p->canonical_name;
  const bool is_text = r.o.is_string();
  if (subject.rfind(kGraphEntityPrefix, 0) == 0) {
    EntityView& e = entities_[subject.substr(sizeof(kGraphEntityPrefix) - 1)];
    if (pred == kExists && r.o.is_boolean()) {
      e.exists = r.o.boolean();
      e.seq = seq;
    } else if (pred == kGraphNamePredicate && is_text) {
      e.name = r.o.string();
    } else if (pred == kType && is_text) {
      e.type = r.o.string();
    } else if (pred.rfind(kGraphObservationPrefix, 0) == 0) {
      const std::string key = pred.substr(sizeof(kGraphObservationPrefix) - 1);
      if (is_text) {
        e.obs[key] = Observation{seq, r.o.string()};
      } else {
        e.obs.erase(key);
      }
    }
  } else if (subject.rfind(kGraphRelationPrefix, 0) == 0) {
    RelationView& rel = relations_[subject.substr(sizeof(kGraphRelationPrefix) - 1)];
    if (pred == kExists && r.o.is_boolean()) {
      rel.exists = r.o.boolean();
      rel.seq = seq;
    } else if (pred == kFrom && is_text) {
      rel.from = r.o.string();
    } else if (pred == kTo && is_text) {
      rel.to = r.o.string();
    } else if (pred == kRelationType && is_text) {
      rel.type = r.o.string();
    }
  }
}

void KnowledgeGraphImpl::Sync() {
  ws_->mem()->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    const auto& sem = st.sem();
    for (; applied_ < sem.size(); ++applied_) {
      ApplyFact(st, sem[applied_], static_cast<uint32_t>(applied_));
    }
  });
}

EntityView* KnowledgeGraphImpl::FindEntity(const std::string& name) {
  auto it = entities_.find(Key({name}));
  if (it == entities_.end() || !it->second.exists || it->second.name != name) return nullptr;
  return &it->second;
}

RelationView* KnowledgeGraphImpl::FindRelation(const KgRelation& r) {
  auto it = relations_.find(RelationKey(r));
  if (it == relations_.end() || !it->second.exists) return nullptr;
  return &it->second;
}

Status KnowledgeGraphImpl::Change(uint64_t now_ms, const std::function<Status(Facts*)>& build) {
  return ws_->Transact(now_ms, [&](uint64_t valid_at) -> Result<std::string> {
           std::lock_guard lock(mu_);
           Sync();
           Facts facts(valid_at);
           URD_RETURN_IF_ERROR(build(&facts));
           return facts.Take();
         });
}

void KnowledgeGraphImpl::WriteEntity(const KgEntity& e, Facts* f) {
  const std::string subject = EntitySubject(e.name);
  auto it = entities_.find(Key({e.name}));
  const EntityView* old = it == entities_.end() ? nullptr : &it->second;
  f->Add(subject, kExists, "true");
  if (old == nullptr || old->name != e.name) f->Text(subject, kGraphNamePredicate, e.name);
  if (old == nullptr || old->type != e.entity_type) f->Text(subject, kType, e.entity_type);
  std::unordered_set<std::string_view> seen;
  for (const std::string& o : e.observations) {
    if (seen.insert(o).second) {
      f->Text(subject, std::string(kGraphObservationPrefix) + Key({o}), o);
    }
  }
}

Result<std::vector<KgEntity>> KnowledgeGraphImpl::CreateEntities(
    std::span<const KgEntity> entities, uint64_t now_ms) {
  URD_RETURN_IF_ERROR(CheckEntities(entities));
  std::vector<KgEntity> created;
  URD_RETURN_IF_ERROR(Change(now_ms, [&](Facts* f) {
    created.clear();
    std::set<std::string> names;
    for (const KgEntity& e : entities) {
      if (FindEntity(e.name) != nullptr || !names.insert(e.name).second) continue;
      KgEntity unique = e;
      std::set<std::string> seen;
      std::erase_if(unique.observations, [&](const std::string& o) { return !seen.insert(o).second; });
      WriteEntity(unique, f);
      created.push_back(std::move(unique));
    }
    return Status::OK();
  }));
  return created;
}

bool KnowledgeGraphImpl::WriteRelation(const KgRelation& r, std::set<std::string>* done,
                                       Facts* f) {
  const std::string key = RelationKey(r);
  if (FindRelation(r) != nullptr || !done->insert(key).second) return false;
  const std::string subject = kGraphRelationPrefix + key;
  auto it = relations_.find(key);
  const bool fresh = it == relations_.end();
  f->Add(subject, kExists, "true");
  if (fresh || it->second.from != r.from) f->Text(subject, kFrom, r.from);
  if (fresh || it->second.to != r.to) f->Text(subject, kTo, r.to);
  if (fresh || it->second.type != r.relation_type) f->Text(subject, kRelationType, r.relation_type);
  return true;
}

Result<std::vector<KgRelation>> KnowledgeGraphImpl::CreateRelations(
    std::span<const KgRelation> relations, uint64_t now_ms) {
  URD_RETURN_IF_ERROR(CheckRelations(relations));
  std::vector<KgRelation> created;
  URD_RETURN_IF_ERROR(Change(now_ms, [&](Facts* f) {
    created.clear();
    std::set<std::string> done;
    for (const KgRelation& r : relations) {
      if (WriteRelation(r, &done, f)) created.push_back(r);
    }
    return Status::OK();
  }));
  return created;
}

Result<KgMergeSummary> KnowledgeGraphImpl::Merge(const KgGraph& graph, uint64_t now_ms) {
  URD_RETURN_IF_ERROR(CheckEntities(graph.entities));
  URD_RETURN_IF_ERROR(CheckRelations(graph.relations));
  // Repeated names merge into their first entry.
  std::vector<KgEntity> merged;
  std::map<std::string, size_t> index;
  for (const KgEntity& e : graph.entities) {
    auto [it, fresh] = index.emplace(e.name, merged.size());
    if (fresh) {
      merged.push_back(e);
    } else {
      auto& obs = merged[it->second].observations;
      obs.insert(obs.end(), e.observations.begin(), e.observations.end());
    }
  }
  KgMergeSummary sum;
  URD_RETURN_IF_ERROR(Change(now_ms, [&](Facts* f) {
    sum = KgMergeSummary();
    for (KgEntity& e : merged) {
      std::set<std::string> seen;
      std::erase_if(e.observations, [&](const std::string& o) { return !seen.insert(o).second; });
      EntityView* old = FindEntity(e.name);
      if (old == nullptr) {
        WriteEntity(e, f);
        ++sum.entities_created;
        continue;
      }
      for (const std::string& o : e.observations) {
        const std::string key = Key({o});
        if (old->obs.count(key) != 0) continue;
        f->Text(EntitySubject(e.name), std::string(kGraphObservationPrefix) + key, o);
        ++sum.observations_added;
      }
    }
    std::set<std::string> done;
    for (const KgRelation& r : graph.relations) sum.relations_created += WriteRelation(r, &done, f);
    return Status::OK();
  }));
  return sum;
}

Result<std::vector<KgObservations>> KnowledgeGraphImpl::AddObservations(
    std::span<const KgObservations> additions, uint64_t now_ms) {
  for (const KgObservations& a : additions) {
    for (const std::string& o : a.observations) {
      URD_RETURN_IF_ERROR(CheckText("an observation of " + a.entity_name, o));
    }
  }
  std::vector<KgObservations> results;
  URD_RETURN_IF_ERROR(Change(now_ms, [&](Facts* f) {
    results.clear();
    std::map<std::string, std::set<std::string>> added;  // by entity, within this call
    for (const KgObservations& a : additions) {
      EntityView* e = FindEntity(a.entity_name);
      if (e == nullptr) return Status::NotFound("Entity with name " + a.entity_name + " not found");
      KgObservations r{a.entity_name, {}};
      std::set<std::string>& mine = added[a.entity_name];
      for (const std::string& o : a.observations) {
        const std::string key = Key({o});
        if (e->obs.count(key) != 0 || !mine.insert(o).second) continue;
        f->Text(EntitySubject(a.entity_name), std::string(kGraphObservationPrefix) + key, o);
        r.observations.push_back(o);
      }
      results.push_back(std::move(r));
    }
    return Status::OK();
  }));
  return results;
}

Status KnowledgeGraphImpl::DeleteEntities(std::span<const std::string> names, uint64_t now_ms) {
  return Change(now_ms, [&](Facts* f) {
    std::set<std::string> gone;
    for (const std::string& name : names) {
      EntityView* e = FindEntity(name);
      if (e == nullptr || !gone.insert(name).second) continue;
      const std::string subject = EntitySubject(name);
      f->Add(subject, kExists, "false");
      for (const auto& [key, o] : e->obs) {
        f->Add(subject, std::string(kGraphObservationPrefix) + key, "false");
      }
    }
    std::set<std::string> names_set(names.begin(), names.end());
    for (const auto& [key, r] : relations_) {
      if (r.exists && (names_set.count(r.from) != 0 || names_set.count(r.to) != 0)) {
        f->Add(kGraphRelationPrefix + key, kExists, "false");
      }
    }
    return Status::OK();
  });
}

Status KnowledgeGraphImpl::DeleteObservations(std::span<const KgObservations> deletions,
                                              uint64_t now_ms) {
  return Change(now_ms, [&](Facts* f) {
    std::set<std::pair<std::string, std::string>> done;
    for (const KgObservations& d : deletions) {
      EntityView* e = FindEntity(d.entity_name);
      if (e == nullptr) continue;
      for (const std::string& o : d.observations) {
        const std::string key = Key({o});
        if (e->obs.count(key) == 0 || !done.emplace(d.entity_name, key).second) continue;
        f->Add(EntitySubject(d.entity_name), std::string(kGraphObservationPrefix) + key, "false");
      }
    }
    return Status::OK();
  });
}

Status KnowledgeGraphImpl::DeleteRelations(std::span<const KgRelation> relations,
                                           uint64_t now_ms) {
  return Change(now_ms, [&](Facts* f) {
    std::set<std::string> done;
    for (const KgRelation& r : relations) {
      const std::string key = RelationKey(r);
      if (FindRelation(r) == nullptr || !done.insert(key).second) continue;
      f->Add(kGraphRelationPrefix + key, kExists, "false");
    }
    return Status::OK();
  });
}

KgGraph KnowledgeGraphImpl::Snapshot(const std::function<bool(const EntityView&)>& keep) const {
  std::vector<const EntityView*> es;
  for (const auto& [key, e] : entities_) {
    if (e.exists && keep(e)) es.push_back(&e);
  }
  std::sort(es.begin(), es.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  KgGraph g;
  std::unordered_set<std::string_view> names;
  for (const EntityView* e : es) {
    std::vector<const Observation*> obs;
    for (const auto& [key, o] : e->obs) obs.push_back(&o);
    std::sort(obs.begin(), obs.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    KgEntity out{e->name, e->type, {}};
    for (const Observation* o : obs) out.observations.push_back(o->text);
    g.entities.push_back(std::move(out));
    names.insert(e->name);
  }
  std::vector<const RelationView*> rs;
  for (const auto& [key, r] : relations_) {
    if (r.exists && (names.count(r.from) != 0 || names.count(r.to) != 0)) rs.push_back(&r);
  }
  std::sort(rs.begin(), rs.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  for (const RelationView* r : rs) g.relations.push_back({r->from, r->to, r->type});
  return g;
}

Result<KgGraph> KnowledgeGraphImpl::ReadWith(const std::function<bool(const EntityView&)>& keep) {
  URD_RETURN_IF_ERROR(ws_->CatchUp());
  std::lock_guard lock(mu_);
  Sync();
  return Snapshot(keep);
}

Result<KgGraph> KnowledgeGraphImpl::Read() {
  URD_RETURN_IF_ERROR(ws_->CatchUp());
  std::lock_guard lock(mu_);
  Sync();
  KgGraph g = Snapshot([](const EntityView&) { return true; });
  // Every relation, also those whose endpoints do not exist.
  std::vector<const RelationView*> rs;
  for (const auto& [key, r] : relations_) {
    if (r.exists) rs.push_back(&r);
  }
  std::sort(rs.begin(), rs.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  g.relations.clear();
  for (const RelationView* r : rs) g.relations.push_back({r->from, r->to, r->type});
  return g;
}

Result<KgGraph> KnowledgeGraphImpl::Search(std::string_view query) {
  const std::string q = Lower(query);
  return ReadWith([&](const EntityView& e) {
    if (Lower(e.name).find(q) != std::string::npos) return true;
    if (Lower(e.type).find(q) != std::string::npos) return true;
    for (const auto& [key, o] : e.obs) {
      if (Lower(o.text).find(q) != std::string::npos) return true;
    }
    return false;
  });
}

Result<KgGraph> KnowledgeGraphImpl::OpenNodes(std::span<const std::string> names) {
  std::unordered_set<std::string> wanted(names.begin(), names.end());
  return ReadWith([&](const EntityView& e) { return wanted.count(e.name) != 0; });
}

Result<KgGraph> KnowledgeGraphImpl::SearchSemantic(std::string_view query, size_t k) {
  if (k == 0) return KgGraph{};
  RecallOptions ro;
  ro.k = std::max<size_t>(k * 8, 50);
  ro.kind = "sem";
  URD_ASSIGN_OR_RETURN(std::vector<RecallHit> hits, ws_->Recall(query, ro));
  // Entity keys in the order of their best hit.
  std::vector<std::string> ranked;
  ws_->mem()->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    std::unordered_set<std::string> seen;
    for (const RecallHit& h : hits) {
      auto id = st.symbols().Lookup(h.memory_id);
      auto ref = id ? st.Locate(*id) : std::nullopt;
      if (!ref || ref->kind != mem::MemoryKind::kSem) continue;
      const mem::SymbolEntry* s = st.symbols().Find(st.sem()[ref->index].s);
      if (s == nullptr || s->canonical_name.rfind(kGraphEntityPrefix, 0) != 0) continue;
      std::string key = s->canonical_name.substr(sizeof(kGraphEntityPrefix) - 1);
      if (seen.insert(key).second) ranked.push_back(std::move(key));
    }
  });
  std::lock_guard lock(mu_);
  Sync();
  std::unordered_map<const EntityView*, size_t> rank;
  for (const std::string& key : ranked) {
    auto it = entities_.find(key);
    if (it != entities_.end() && it->second.exists && rank.size() < k) {
      rank.emplace(&it->second, rank.size());
    }
  }
  KgGraph g = Snapshot([&](const EntityView& e) { return rank.count(&e) != 0; });
  // Best first instead of creation order.
  std::unordered_map<std::string, size_t> by_name;
  for (const auto& [e, r] : rank) by_name[e->name] = r;
  std::sort(g.entities.begin(), g.entities.end(), [&](const KgEntity& a, const KgEntity& b) {
    return by_name[a.name] < by_name[b.name];
  });
  return g;
}

}  // namespace

std::unique_ptr<KnowledgeGraph> NewKnowledgeGraph(WorkspaceImpl* ws) {
  return std::make_unique<KnowledgeGraphImpl>(ws);
}

}  // namespace urd::recall
