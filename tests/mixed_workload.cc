// Copyright urd authors. The mixed workload of urd_crashtest: generating and
// applying ops, their memory forms, running them, and the shared checks
// (mixed_workload.h).

#include "mixed_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "crash_harness.h"
#include "memory/ir/timestamp.h"
#include "memory/render.h"
#include "urd/knowledge_graph.h"
#include "urd/memory_store.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"
#include "vector/kernels.h"

namespace urd::mixed {
namespace {

using crash::Mix;

constexpr size_t kDim = 16;         // the extra vector store
constexpr char kExtra[] = "extra";  // its collection
constexpr uint64_t kEntityPool = 24;

std::vector<float> VectorFor(Source s) {
  std::vector<float> v(kDim);
  for (size_t k = 0; k < kDim; k++) {
    v[k] =
        static_cast<float>(static_cast<int64_t>(Mix(s.op * 1000003 + s.j * 131 + k) % 2001) - 1000);
  }
  v[0] += 0.5f;  // never all zeros
  return v;
}

// Up to `n` distinct elements of `from`, picked with `r`.
template <typename T>
std::vector<T> Pick(const std::vector<T>& from, size_t n, uint64_t r) {
  std::vector<T> out;
  for (size_t t = 0; t < n && !from.empty(); ++t) {
    const T& x = from[Mix(r + t) % from.size()];
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

void GenerateWrite(uint64_t i, uint64_t h, Op* op) {
  std::set<uint64_t> keys;
  for (uint64_t j = 0; j < 1 + h % 4; ++j) {
    const uint64_t key = Mix(h + 10 + j) % 40;
    if (!keys.insert(key).second) continue;
    Fact f{"f" + Num(key % 10), "q" + Num(key / 10), "", Mix(h + 20 + j) % 3 != 0};
    f.value = f.text
                  ? mem::QuoteString("fact " + Num(i) + "." + Num(j) + " w" + Num(i) + "y" + Num(j))
                  : Num(i * 10 + j);
    op->facts.push_back(std::move(f));
  }
  if (Mix(h + 2) % 4 == 0) {
    op->rules.push_back(
        {"wrule" + Num(Mix(h + 3) % 5), "", mem::QuoteString("do " + Num(i)), true});
  }
  op->event = Mix(h + 4) % 5 == 0;
}

void GenerateCreate(uint64_t i, uint64_t h, Op* op) {
  std::set<std::string> names;
  for (uint64_t j = 0; j < 1 + h % 3; ++j) {
    KgEntity e{
        "entity-" + Num(Mix(h + 10 + j) % kEntityPool), "type-" + Num(Mix(h + 20 + j) % 3), {}};
    if (!names.insert(e.name).second) continue;
    for (uint64_t k = 0; k < Mix(h + 30 + j) % 3; ++k) {
      e.observations.push_back("obs " + Num(i) + "." + Num(j) + "." + Num(k) + " kw" + Num(i) +
                               "k" + Num(j) + "k" + Num(k));
    }
    op->entities.push_back(std::move(e));
  }
}

}  // namespace

std::string Num(uint64_t n) { return std::to_string(n); }

// Op `i` after `m` (the state ops 1..i-1 left).
Op Generate(uint64_t seed, uint64_t i, const Model& m) {
  const uint64_t h = Mix(seed * 0x100000001B3ull + Mix(i));
  Op op;
  op.index = i;
  const uint64_t pick = h % 100;
  std::vector<std::string> live;
  for (const KgEntity& e : m.entities) live.push_back(e.name);
  if (pick < 26) {
    op.kind = OpKind::kWrite;
    GenerateWrite(i, h >> 8, &op);
  } else if (pick < 46) {
    op.kind = OpKind::kRemember;
    for (uint64_t j = 0; j < 1 + (h >> 8) % 3; ++j) {
      op.texts.push_back("note " + Num(i) + "." + Num(j) + " about topic" + Num(Mix(h + j) % 13) +
                         " zq" + Num(i) + "x" + Num(j));
    }
    // A rule is keyed by (trigger = subject, scope): one rule per call (two would
    // collide), and a later rule with the same subject supersedes the earlier one.
    op.rule_notes = Mix(h + 5) % 5 == 0;
    if (op.rule_notes) {
      op.texts.resize(1);
      op.subject = "rs" + Num(Mix(h + 6) % 4);
    }
  } else if (pick < 56 || (pick < 64 && live.empty())) {
    op.kind = OpKind::kCreate;
    GenerateCreate(i, h >> 8, &op);
  } else if (pick < 64) {
    op.kind = OpKind::kObserve;
    uint64_t j = 0;
    for (const std::string& name : Pick(live, 1 + (h >> 8) % 2, h + 1)) {
      KgObservations a{name, {}};
      for (uint64_t k = 0; k < 1 + Mix(h + 40 + j) % 2; ++k) {
        a.observations.push_back("seen " + Num(i) + "." + Num(j) + "." + Num(k) + " sv" + Num(i) +
                                 "s" + Num(j) + "s" + Num(k));
      }
      op.observations.push_back(std::move(a));
      ++j;
    }
  } else if (pick < 69) {
    op.kind = OpKind::kDeleteEntities;
    op.names = Pick(live, 1 + (h >> 8) % 2, h + 1);
    if (op.names.empty() || Mix(h + 2) % 3 == 0) {
      op.names.push_back("entity-" + Num(Mix(h + 3) % kEntityPool));  // may not exist
    }
  } else if (pick < 86) {
    op.kind = OpKind::kUpsert;
    const uint64_t n = Mix(h + 1) % 20 == 0 ? 400 : 1 + Mix(h + 2) % 30;
    for (uint64_t j = 0; j < n; ++j) op.upserts.push_back({"v" + Num(i) + "-" + Num(j), {i, j}});
    if (!m.vectors.empty() && Mix(h + 3) % 2 == 0) {  // overwrite older records
      for (uint64_t t = 0; t < 1 + Mix(h + 4) % 3; ++t) {
        auto it =
            std::next(m.vectors.begin(), static_cast<long>(Mix(h + 5 + t) % m.vectors.size()));
        op.upserts.push_back({it->first, {i, 1000 + t}});
      }
    }
  } else if (pick < 96) {
    op.kind = OpKind::kDelete;
    for (uint64_t t = 0; t < 1 + Mix(h + 1) % 8 && !m.vectors.empty(); ++t) {
      auto it = std::next(m.vectors.begin(), static_cast<long>(Mix(h + 2 + t) % m.vectors.size()));
      op.deletes.push_back(it->first);
    }
    op.deletes.push_back("v-absent-" + Num(i));
  } else {
    op.kind = OpKind::kCompact;
  }
  return op;
}

// Applies `op` to the model (what each store call does, docs/knowledge_graph.md).
void Apply(const Op& op, Model* m) {
  m->last_op = op.index;
  bool commits = false;
  switch (op.kind) {
    case OpKind::kWrite:
      for (const Fact& f : op.facts) m->facts[f.subject + " " + f.predicate] = f;
      for (const Fact& r : op.rules) m->rules[r.subject] = r.value;
      m->sem += op.facts.size();
      m->pro += op.rules.size();
      m->epi += op.event;
      m->texts += op.rules.size();
      for (const Fact& f : op.facts) m->texts += f.text;
      commits = true;
      break;
    case OpKind::kRemember:
      for (size_t j = 0; j < op.texts.size(); ++j) {
        m->notes.push_back({op.texts[j], op.rule_notes, op.index});
      }
      (op.rule_notes ? m->pro : m->epi) += op.texts.size();
      m->sem += op.rule_notes ? 0 : op.texts.size();  // the note's text fact
      m->texts += op.texts.size();
      commits = true;
      break;
    case OpKind::kCreate:
      for (const KgEntity& e : op.entities) {
        if (m->Entity(e.name) != nullptr) continue;
        auto it = m->typed.find(e.name);
        m->sem += 1 + (it == m->typed.end()) +
                  (it == m->typed.end() || it->second != e.entity_type) + e.observations.size();
        m->texts += (it == m->typed.end()) + e.observations.size();
        m->typed[e.name] = e.entity_type;
        m->entities.push_back(e);
        commits = true;
      }
      break;
    case OpKind::kObserve:
      for (const KgObservations& a : op.observations) {
        auto it = std::find_if(m->entities.begin(), m->entities.end(),
                               [&](const KgEntity& e) { return e.name == a.entity_name; });
        it->observations.insert(it->observations.end(), a.observations.begin(),
                                a.observations.end());
        m->sem += a.observations.size();
        m->texts += a.observations.size();
        commits = true;
      }
      break;
    case OpKind::kDeleteEntities:
      for (const std::string& name : op.names) {
        auto it = std::find_if(m->entities.begin(), m->entities.end(),
                               [&](const KgEntity& e) { return e.name == name; });
        if (it == m->entities.end()) continue;
        m->sem += 1 + it->observations.size();  // kg_exists false, each observation false
        m->entities.erase(it);
        commits = true;
      }
      break;
    case OpKind::kUpsert:
      for (const auto& [id, src] : op.upserts) m->vectors[id] = src;
      break;
    case OpKind::kDelete:
      for (const std::string& id : op.deletes) m->vectors.erase(id);
      break;
    case OpKind::kCompact:
      break;
  }
  if (commits) {
    ++m->episodes;
    m->last_commit = op.clock();
  }
}

namespace {

// ---- The memory forms of an op.

std::string Tail(uint64_t clock) {
  return " :src @observation :c 0.9 :v " + mem::FormatTimestampMillis(clock) + ")\n";
}

// Workspace::Write's batch.
std::string WriteForms(const Op& op) {
  const std::string at = mem::FormatTimestampMillis(op.clock());
  std::string forms;
  for (const Fact& f : op.facts) {
    forms += "(sem @" + f.subject + " @" + f.predicate + " " + f.value + Tail(op.clock());
  }
  for (const Fact& r : op.rules) {
    forms += "(pro @" + r.subject + " \"when " + r.subject + "\" " + r.value +
             " :scp @global :src @policy :c 1.0)\n";
  }
  if (op.event) {
    forms += "(epi @ev" + Num(op.index) + " @met (@f1 @f2) @room :at " + at + " :obs " + at +
             " :src @observation :c 0.7)\n";
  }
  return forms;
}

std::string EntitySymbol(const std::string& name) {
  std::string s = "pkg_" + name;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

std::string ObservationPredicate(const std::string& text) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[32];
  std::snprintf(buf, sizeof buf, "kg_obs_%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string MemoryForms(const Op& op, const Model& m) {
  const std::string at = mem::FormatTimestampMillis(op.clock());
  const std::string tail = Tail(op.clock());
  std::string forms;
  auto fact = [&](const std::string& s, const std::string& p, const std::string& v) {
    forms += "(sem @" + s + " @" + p + " " + v + tail;
  };
  switch (op.kind) {
    case OpKind::kWrite:
      return WriteForms(op);
    case OpKind::kRemember:
      for (size_t j = 0; j < op.texts.size(); ++j) {
        const std::string id = Num(op.index) + "_" + Num(j);
        const std::string text = mem::QuoteString(op.texts[j]);
        if (op.rule_notes) {
          forms += "(pro @prule_" + id + " " + mem::QuoteString(op.subject) + " " + text +
                   " :scp @workspace_rules :src @agent_instruction :c 0.9)\n";
        } else {
          forms += "(epi @pnote_" + id + " @remembered_note (@user) @workspace :at " + at +
                   " :obs " + at + " :src @observation :c 0.9)\n";
          fact("pnote_" + id + ":Memory", "text", text);
        }
      }
      return forms;
    case OpKind::kCreate:
      for (const KgEntity& e : op.entities) {
        if (m.Entity(e.name) != nullptr) continue;
        const std::string s = EntitySymbol(e.name);
        auto it = m.typed.find(e.name);
        fact(s, "kg_exists", "true");
        if (it == m.typed.end()) fact(s, "kg_name", mem::QuoteString(e.name));
        if (it == m.typed.end() || it->second != e.entity_type) {
          fact(s, "kg_type", mem::QuoteString(e.entity_type));
        }
        for (const std::string& o : e.observations) {
          fact(s, ObservationPredicate(o), mem::QuoteString(o));
        }
      }
      return forms;
    case OpKind::kObserve:
      for (const KgObservations& a : op.observations) {
        for (const std::string& o : a.observations) {
          fact(EntitySymbol(a.entity_name), ObservationPredicate(o), mem::QuoteString(o));
        }
      }
      return forms;
    case OpKind::kDeleteEntities:
      for (const std::string& name : op.names) {
        const KgEntity* e = m.Entity(name);
        if (e == nullptr ||
            forms.find("@" + EntitySymbol(name) + " @kg_exists") != std::string::npos) {
          continue;
        }
        fact(EntitySymbol(name), "kg_exists", "false");
        for (const std::string& o : e->observations) {
          fact(EntitySymbol(name), ObservationPredicate(o), "false");
        }
      }
      return forms;
    default:
      return "";
  }
}

// ---- Running an op.

VectorOptions ExtraOptions() {
  VectorOptions o;
  o.dimension = kDim;
  o.scan_threads = 1;  // no pool threads
  return o;
}

Status RunVectorOp(VectorStore* v, const Op& op) {
  switch (op.kind) {
    case OpKind::kUpsert: {
      std::vector<VectorRecord> records;
      for (const auto& [id, src] : op.upserts) records.push_back({id, VectorFor(src), {}});
      return v->Upsert(kExtra, records).status();
    }
    case OpKind::kDelete:
      return v->Delete(kExtra, op.deletes).status();
    default:
      return v->Compact();
  }
}

Status RunWorkspaceOp(Workspace* ws, VectorStore* extra, const Op& op) {
  switch (op.kind) {
    case OpKind::kWrite:
      return ws->Write(WriteForms(op), op.clock()).status();
    case OpKind::kRemember: {
      RememberOptions o;
      o.kind = op.rule_notes ? "pro" : "epi";
      o.subject = op.subject;
      o.attrs = {{"op", Num(op.index)}};
      return ws->Remember(op.texts, o, op.clock()).status();
    }
    case OpKind::kCreate:
      return ws->graph()->CreateEntities(op.entities, op.clock()).status();
    case OpKind::kObserve:
      return ws->graph()->AddObservations(op.observations, op.clock()).status();
    case OpKind::kDeleteEntities:
      return ws->graph()->DeleteEntities(op.names, op.clock());
    default:
      return RunVectorOp(extra, op);
  }
}

// ---- Checks shared by both modes. Each returns "" or what is wrong.

std::string CheckMemory(const MemoryStore& s, const Model& m) {
  MemoryStats st = s.Stats();
  if (st.sem != m.sem || st.epi != m.epi || st.pro != m.pro || st.inf != 0 ||
      st.episodes != m.episodes || st.last_committed_at != m.last_commit) {
    return "memory log holds sem/epi/pro " + Num(st.sem) + "/" + Num(st.epi) + "/" + Num(st.pro) +
           ", " + Num(st.episodes) + " episodes, clock " + Num(st.last_committed_at) + "; model " +
           Num(m.sem) + "/" + Num(m.epi) + "/" + Num(m.pro) + ", " + Num(m.episodes) + ", " +
           Num(m.last_commit);
  }
  for (const auto& [key, f] : m.facts) {
    auto q = s.Query("(query :s @" + f.subject + " :p @" + f.predicate + ")");
    if (!q.ok()) return "query " + key + ": " + q.status().ToString();
    if (q->records.size() != 1 ||
        q->records[0].form.find(" " + f.value + " ") == std::string::npos) {
      return "fact " + key + " is not " + f.value +
             (q->records.empty() ? " (absent)" : ": " + q->records[0].form);
    }
  }
  auto rules = s.Query("(query :kind pro)");
  if (!rules.ok()) return "query pro: " + rules.status().ToString();
  for (const auto& [id, action] : m.rules) {
    int found = 0;
    for (const MemoryHit& h : rules->records) {
      if (h.form.rfind("(pro @" + id + " ", 0) == 0) {
        ++found;
        if (h.form.find(" " + action + " ") == std::string::npos)
          return "rule " + id + ": " + h.form;
      }
    }
    if (found != 1) return "rule " + id + " answered by " + Num(found) + " records";
  }
  return "";
}

std::string CheckVectors(const VectorStore& v, const Model& m) {
  auto all = v.GetAll(kExtra);
  if (!all.ok()) {
    return all.status().IsNotFound() && m.vectors.empty() ? ""
                                                          : "extra: " + all.status().ToString();
  }
  if (all->size() != m.vectors.size()) {
    return "extra store holds " + Num(all->size()) + " records, model " + Num(m.vectors.size());
  }
  for (const VectorRecord& r : *all) {
    auto it = m.vectors.find(r.id);
    if (it == m.vectors.end()) return "extra store holds unexpected record " + r.id;
    std::vector<float> want = VectorFor(it->second);
    vec::NormalizeInPlace(want.data(), kDim);
    for (size_t k = 0; k < kDim; k++) {
      if (std::fabs(want[k] - r.vector[k]) > 1e-6f) {
        return "extra record " + r.id + ": wrong vector";
      }
    }
  }
  return "";
}

}  // namespace urd::mixed
