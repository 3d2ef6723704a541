// Copyright urd authors. urd_crashtest: crash injection with a mixed workload over a
// whole workspace (docs/reliability_crash.md).
//
// The workload is a reproducible sequence of operations: op i is drawn from
// (seed, i) and the state the ops before it left (so that it names entities and
// vector ids that exist). Kinds:
//   write      Workspace::Write of typed forms: 1-4 facts on 40 (subject,
//              predicate) keys, so that later facts supersede earlier ones (text or
//              integer objects), sometimes a rule (superseding its earlier
//              versions) and an event;
//   remember   Workspace::Remember of 1-3 notes (epi, or pro), attrs {op: i};
//   graph      KnowledgeGraph create_entities / add_observations /
//              delete_entities on a pool of 24 entity names;
//   vectors    upsert (1-30 records, sometimes 400, some overwriting older ids),
//              delete and Compact() on a separate VectorStore, <dir>/extra-vectors.
// Every call is committed with the clock kBase + i seconds.
//
// SIGKILL mode (default): each trial forks a child that opens the workspace and
// runs the next ops, acknowledging each op index over a pipe once its call
// returned OK; the parent kills it at a random instant, reopens the workspace and
// the extra vector store and checks them against a model of the acknowledged ops:
//   * both open, every time;
//   * every fact has its latest value; every rule its latest action;
//   * every remembered note is recalled by its exact text as the top BM25 hit and
//     the top vector hit (with its attrs, when its op was acknowledged);
//   * the graph holds exactly the entities, types and observations of the model,
//     in creation order;
//   * the extra store holds exactly the model's records, with the right vectors;
//   * counts: sem/epi/pro records, episodes and the commit clock of the memory
//     log; and the indexes agree with the log: vectors == text documents == the
//     memories that carry text (counted in the log and in the model).
// The state must be the model after the acknowledged ops, or after one more (the
// op in flight, whole): never anything in between. Workspace::Reindex is never
// called. The next trial continues on the same directory; every 50 trials (or 1000
// ops) start a fresh one.
//
// Power-loss mode (--power-loss): the same ops run in-process on a MemoryStore and
// a VectorStore (the workspace takes no Env) through a FaultInjectionEnv over an
// in-memory Env, fsync on every commit. Each trial runs a random number of ops,
// then crashes: between two ops, or inside the next one, where the n-th I/O call
// of a random kind fails (half the time every later one of that kind too; a failed
// write sometimes leaves a torn prefix). Then every call fails while the stores
// are dropped, the unsynced data is thrown away (or a random, partly zeroed prefix
// of it kept; or, every third trial, all of it: a process crash), and the stores
// reopen through the same Env (a quarter of the
// reopens with a fault of their own, after which the power goes again) and are
// checked as above where that applies (facts, rules, record counts, episodes, the
// commit clock, the vector records), plus: the memory store's whole observable
// state equals an in-memory reference store fed the same commits. Remember and
// graph ops are the forms the workspace and the knowledge graph write, committed
// directly. Every 50 trials (or 1000 ops) start on a fresh Env. --max-delay-ms is not used.
//
//   urd_crashtest [--trials N] [--seed S] [--max-delay-ms M] [--power-loss]
//
// Prints one summary line and exits 0, or prints the first violation and exits 1.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crash_harness.h"
#include "memory/ir/timestamp.h"
#include "memory/memory_store_impl.h"
#include "memory/render.h"
#include "recall/memory_text.h"
#include "storage/fault_env.h"
#include "urd/knowledge_graph.h"
#include "urd/memory_store.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"
#include "vector/kernels.h"

namespace urd {
namespace {

using crash::Mix;

constexpr char kProgram[] = "urd_crashtest";
constexpr uint64_t kBase = 1'700'000'000'000;  // commit clock of op 0
constexpr size_t kDim = 16;                    // the extra vector store
constexpr char kExtra[] = "extra";             // its collection
// A fresh directory every kTrialsPerDir trials, or sooner once it holds kOpsPerDir
// ops (a few MB at most).
constexpr int kTrialsPerDir = 50;
constexpr uint64_t kOpsPerDir = 1000;
constexpr uint64_t kEntityPool = 24;

// ---- Operations.

enum class OpKind {
  kWrite,
  kRemember,
  kCreate,
  kObserve,
  kDeleteEntities,
  kUpsert,
  kDelete,
  kCompact
};
constexpr int kNumKinds = 8;
constexpr const char* kKindNames[kNumKinds] = {
    "write",           "remember", "create_entities", "add_observations",
    "delete_entities", "upsert",   "delete",          "compact"};

struct Fact {
  std::string subject, predicate;
  std::string value;  // as written in the form: a quoted string or an integer
  bool text = false;
};

struct Source {  // the vector of record j of op `op`
  uint64_t op = 0, j = 0;
};

struct Op {
  uint64_t index = 0;
  OpKind kind = OpKind::kCompact;
  std::vector<Fact> facts;                              // write: sem facts
  std::vector<Fact> rules;                              // write: (rule id, -, quoted action)
  bool event = false;                                   // write: an epi event too
  std::vector<std::string> texts;                       // remember
  bool rule_notes = false;                              // remember: kind pro (else epi)
  std::string subject = "user";                         // remember
  std::vector<KgEntity> entities;                       // create_entities
  std::vector<KgObservations> observations;             // add_observations
  std::vector<std::string> names;                       // delete_entities
  std::vector<std::pair<std::string, Source>> upserts;  // upsert
  std::vector<std::string> deletes;                     // delete
  uint64_t clock() const { return kBase + index * 1000; }
  bool vector_op() const { return kind >= OpKind::kUpsert; }
};

struct Note {
  std::string text;
  bool rule = false;
  uint64_t op = 0;
  // The op was acknowledged. An op found committed after a crash without its
  // acknowledgement may lack its attrs: the vectors were embedded again on open.
  bool acked = true;
};

// What the stores must hold after ops 1..last_op.
struct Model {
  uint64_t last_op = 0;
  std::map<std::string, Fact> facts;         // by "subject predicate"
  std::map<std::string, std::string> rules;  // rule id -> quoted action
  std::vector<Note> notes;
  std::vector<KgEntity> entities;            // live, in creation order
  std::map<std::string, std::string> typed;  // every entity ever created -> last type written
  std::map<std::string, Source> vectors;     // extra store: id -> source
  uint64_t sem = 0, epi = 0, pro = 0, episodes = 0, texts = 0, last_commit = 0;

  const KgEntity* Entity(const std::string& name) const {
    for (const KgEntity& e : entities) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};

std::vector<float> VectorFor(Source s) {
  std::vector<float> v(kDim);
  for (size_t k = 0; k < kDim; k++) {
    v[k] =
        static_cast<float>(static_cast<int64_t>(Mix(s.op * 1000003 + s.j * 131 + k) % 2001) - 1000);
  }
  v[0] += 0.5f;  // never all zeros
  return v;
}

std::string Num(uint64_t n) { return std::to_string(n); }

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

// Advances `m` to op `to`, calling before(op, m) ahead of each op.
template <typename Fn>
void Advance(uint64_t seed, uint64_t to, Model* m, Fn before) {
  while (m->last_op < to) {
    Op op = Generate(seed, m->last_op + 1, *m);
    before(op, *m);
    Apply(op, m);
  }
}

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

// Power-loss mode: the batch of a memory op after `m`, as the workspace would
// write it (Remember's forms; the knowledge graph's facts); "" when it writes
// nothing.
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

// ---- SIGKILL mode.

uint64_t LogTextMemories(Workspace* ws) {
  uint64_t n = 0;
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(ws->memory());
  impl->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    recall::ForEachMemoryText(st, [&](mem::SymbolId, const std::string&) { ++n; });
  });
  return n;
}

// Every note is the top hit of both legs for its exact text, with its attrs when
// its op was acknowledged (`acked`: the last acknowledged op).
std::string CheckNotes(Workspace* ws, const Model& m, uint64_t acked) {
  for (const Note& n : m.notes) {
    RecallOptions ro;
    ro.k = 10;
    ro.kind = n.rule ? "pro" : "epi";
    ro.include_superseded = true;  // rules with the same subject supersede each other
    auto hits = ws->Recall(n.text, ro);
    if (!hits.ok()) return "recall: " + hits.status().ToString();
    auto it = std::find_if(hits->begin(), hits->end(),
                           [&](const RecallHit& h) { return h.text == n.text; });
    if (it == hits->end() || it->legs.bm25_rank != 1u || it->legs.vector_rank != 1u) {
      return "note of op " + Num(n.op) + " is not the top hit for its text: " + n.text +
             (it == hits->end() ? " (not recalled)" : " (" + it->why + ")");
    }
    auto attr = it->attrs.find("op");
    if (n.acked && n.op <= acked && (attr == it->attrs.end() || attr->second != Num(n.op))) {
      return "acknowledged note of op " + Num(n.op) + " (" + it->memory_id +
             ") lost its attributes";
    }
  }
  return "";
}

std::string CheckWorkspace(Workspace* ws, const VectorStore& extra, const Model& m,
                           uint64_t acked) {
  WorkspaceStats st = ws->Stats();
  const uint64_t in_log = LogTextMemories(ws);
  if (st.vectors != m.texts || st.text_docs != m.texts || in_log != m.texts) {
    return "indexes disagree with the log: " + Num(st.vectors) + " vectors, " + Num(st.text_docs) +
           " text documents, " + Num(in_log) + " memories with text in the log; model " +
           Num(m.texts);
  }
  std::string why = CheckMemory(*ws->memory(), m);
  if (why.empty()) why = CheckVectors(extra, m);
  if (why.empty()) why = CheckNotes(ws, m, acked);
  if (!why.empty()) return why;
  auto graph = ws->graph()->Read();
  if (!graph.ok()) return "graph: " + graph.status().ToString();
  if (graph->entities != m.entities || !graph->relations.empty()) {
    std::string got, want;
    for (const KgEntity& e : graph->entities) {
      got += " " + e.name + "(" + Num(e.observations.size()) + ")";
    }
    for (const KgEntity& e : m.entities) {
      want += " " + e.name + "(" + Num(e.observations.size()) + ")";
    }
    return "graph holds" + got + "; model" + want;
  }
  return "";
}

VectorOptions ExtraOptions() {
  VectorOptions o;
  o.dimension = kDim;
  o.scan_threads = 1;  // no pool threads
  return o;
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t seed, Model m, crash::AckWriter& ack) {
  auto ws = Workspace::Open(dir, WorkspaceOptions{});  // fsync on every commit
  if (!ws.ok()) {
    std::fprintf(stderr, "child: open workspace: %s\n", ws.status().ToString().c_str());
    _exit(11);
  }
  auto extra = VectorStore::Open(dir + "/extra-vectors", ExtraOptions());
  if (!extra.ok()) {
    std::fprintf(stderr, "child: open extra vectors: %s\n", extra.status().ToString().c_str());
    _exit(11);
  }
  while (true) {
    Op op = Generate(seed, m.last_op + 1, m);
    Status s = RunWorkspaceOp(ws->get(), extra->get(), op);
    if (!s.ok()) {
      std::fprintf(stderr, "child: op %llu (%s): %s\n", static_cast<unsigned long long>(op.index),
                   kKindNames[static_cast<int>(op.kind)], s.ToString().c_str());
      _exit(12);
    }
    ack.Ack(op.index);
    Apply(op, &m);
  }
}

struct Totals {
  uint64_t acked = 0, inflight_present = 0, inflight_absent = 0, dirs = 0, max_dir_bytes = 0;
  uint64_t by_kind[kNumKinds] = {};
  uint64_t faults_fired = 0, reopen_faults = 0, reopen_failed = 0;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) n += it->file_size(ec);
  }
  return n;
}

// Opens `dir` and checks it holds `m`, or `m` plus the op after it (then advances
// `m`). Returns "" or what is wrong.
std::string Settle(const std::string& dir, uint64_t seed, uint64_t acked, Model* m,
                   Totals* totals) {
  auto ws = Workspace::Open(dir, WorkspaceOptions{});
  if (!ws.ok()) return "reopen workspace: " + ws.status().ToString();
  auto extra = VectorStore::Open(dir + "/extra-vectors", ExtraOptions());
  if (!extra.ok()) return "reopen extra vectors: " + extra.status().ToString();
  std::string why = CheckWorkspace(ws->get(), **extra, *m, acked);
  if (why.empty()) {
    ++totals->inflight_absent;
    return "";
  }
  Model next = *m;
  Advance(seed, acked + 1, &next, [](const Op&, const Model&) {});
  std::string why_next = CheckWorkspace(ws->get(), **extra, next, acked);
  if (!why_next.empty()) {
    return "after " + Num(acked) + " acknowledged ops the stores match neither that state (" + why +
           ") nor one more op, " +
           kKindNames[static_cast<int>(Generate(seed, acked + 1, *m).kind)] + " (" + why_next + ")";
  }
  *m = std::move(next);
  for (Note& n : m->notes) n.acked = n.acked && n.op != acked + 1;
  ++totals->inflight_present;
  return "";
}

bool RunKillTrials(const crash::Options& flags, Totals* totals) {
  const std::string root = crash::MakeTempDir("urd-mixed-crash-");
  if (root.empty()) return crash::Fail(kProgram, 0, "cannot make a directory under /tmp");
  std::mt19937_64 rng(flags.seed);
  std::string dir;
  Model m;
  uint64_t dir_first_op = 0;
  for (int t = 0; t < flags.trials; ++t) {
    if (t % kTrialsPerDir == 0 || m.last_op >= dir_first_op + kOpsPerDir) {
      if (!dir.empty()) {
        totals->max_dir_bytes = std::max(totals->max_dir_bytes, DirBytes(dir));
        crash::RemoveTree(dir);
      }
      dir = root + "/ws" + Num(totals->dirs++);
      m = Model{.last_op = m.last_op};  // op indexes (and clocks) keep growing
      dir_first_op = m.last_op;
    }
    crash::ChildRun run;
    std::string error;
    if (!crash::RunAndKill([&](crash::AckWriter& ack) { RunChild(dir, flags.seed, m, ack); },
                           crash::RandomDelay(rng, flags.max_delay_ms), &run, &error)) {
      return crash::Fail(kProgram, t, error);
    }
    if (!run.killed) return crash::Fail(kProgram, t, "child ended by itself: " + run.Describe());
    for (size_t k = 0; k < run.acks.size(); ++k) {
      if (run.acks[k] != m.last_op + 1 + k) return crash::Fail(kProgram, t, "acks out of order");
    }
    const uint64_t acked = run.LastAck(m.last_op);
    totals->acked += acked - m.last_op;
    Advance(flags.seed, acked, &m,
            [&](const Op& op, const Model&) { ++totals->by_kind[static_cast<int>(op.kind)]; });
    std::string why = Settle(dir, flags.seed, acked, &m, totals);
    if (!why.empty()) {
      return crash::Fail(kProgram, t, why + " (the directory is kept: " + dir + ")");
    }
  }
  totals->max_dir_bytes = std::max(totals->max_dir_bytes, DirBytes(dir));
  crash::RemoveTree(root);
  return true;
}

// ---- Power-loss mode.

constexpr char kMemoryDir[] = "/memory";
constexpr char kVectorDir[] = "/vectors";
constexpr FaultOp kFaultOps[] = {FaultOp::kOpen,   FaultOp::kWrite,    FaultOp::kSync,
                                 FaultOp::kRename, FaultOp::kTruncate, FaultOp::kSyncDir,
                                 FaultOp::kRead,   FaultOp::kRemove};

struct Disk {
  std::unique_ptr<Env> base = NewMemEnv();
  FaultInjectionEnv env{base.get()};
  std::unique_ptr<MemoryStore> memory;
  std::unique_ptr<VectorStore> vectors;
  std::unique_ptr<MemoryStore> reference;  // in memory: the commits of the model's ops

  Status Open() {
    MemoryOptions mo;
    mo.env = &env;
    URD_ASSIGN_OR_RETURN(memory, MemoryStore::Open(kMemoryDir, mo));
    VectorOptions vo = ExtraOptions();
    vo.env = &env;
    URD_ASSIGN_OR_RETURN(vectors, VectorStore::Open(kVectorDir, vo));
    return Status::OK();
  }
  // What survives of the data that was not synced.
  enum class Loss { kAll, kGarbledPrefix, kNone };
  // The power goes: nothing more reaches the files, the process state is gone, and
  // what was not synced is lost (all of it, all but a garbled prefix, or none: the
  // disk had written everything, as after a process crash).
  Status Crash(Loss loss, uint64_t drop_seed) {
    for (FaultOp op : kFaultOps) env.FailFrom(op, 1, Status::IOError("power lost"));
    memory.reset();
    vectors.reset();
    env.ClearFaults();
    if (loss == Loss::kNone) return Status::OK();
    return loss == Loss::kAll ? env.DropUnsyncedData()
                              : env.DropUnsyncedDataKeepingPrefix(drop_seed);
  }
};

std::string Observe(const MemoryStore& s) {
  std::string out;
  auto dump = s.Dump();
  if (!dump.ok()) return "dump failed: " + dump.status().ToString();
  for (const MemoryHit& h : *dump) {
    out += h.memory_id + " " + h.form + (h.pinned ? " pinned" : "") + " <-";
    for (const std::string& by : h.superseded_by) out += " " + by;
    out += "\n";
  }
  MemoryStats st = s.Stats();
  return out + "edges " + Num(st.edges) + " symbols " + Num(st.symbols) + " episodes " +
         Num(st.episodes) + " clock " + Num(st.last_committed_at);
}

Status RunPowerLossOp(Disk* d, const Op& op, const Model& before) {
  if (op.vector_op()) return RunVectorOp(d->vectors.get(), op);
  std::string forms = MemoryForms(op, before);
  if (forms.empty()) return Status::OK();
  return d->memory->Commit(forms, op.clock()).status();
}

// Feeds op to the reference store.
Status Reference(Disk* d, const Op& op, const Model& before) {
  if (op.vector_op()) return Status::OK();
  std::string forms = MemoryForms(op, before);
  return forms.empty() ? Status::OK() : d->reference->Commit(forms, op.clock()).status();
}

std::string CheckDisk(Disk* d, const Model& m) {
  std::string why = CheckMemory(*d->memory, m);
  if (why.empty()) why = CheckVectors(*d->vectors, m);
  if (why.empty() && Observe(*d->memory) != Observe(*d->reference)) {
    why = "the memory store differs from the reference store";
  }
  return why;
}

// Reopens after a crash (a quarter of the time with a fault during the reopen,
// after which the power goes again) and checks `m`, or `m` plus the op in flight.
std::string Recover(Disk* d, uint64_t seed, bool inflight, std::mt19937_64& rng, Model* m,
                    Totals* totals) {
  if (rng() % 4 == 0) {
    ++totals->reopen_faults;
    d->env.FailNth(kFaultOps[rng() % std::size(kFaultOps)], 1 + static_cast<int>(rng() % 3));
    Status s = d->Open();
    d->env.ClearFaults();
    if (!s.ok()) {
      ++totals->reopen_failed;
      Status c = d->Crash(static_cast<Disk::Loss>(rng() % 3), rng());
      if (!c.ok()) return "dropping unsynced data: " + c.ToString();
    }
  }
  if (d->memory == nullptr || d->vectors == nullptr) {
    Status s = d->Open();
    if (!s.ok()) return "reopen: " + s.ToString();
  }
  std::string why = CheckDisk(d, *m);
  if (why.empty()) {
    totals->inflight_absent += inflight;
    return "";
  }
  if (!inflight) return "after a crash between ops: " + why;
  Model next = *m;
  Status fed = Status::OK();
  Advance(seed, m->last_op + 1, &next,
          [&](const Op& op, const Model& before) { fed = Reference(d, op, before); });
  if (!fed.ok()) return "reference: " + fed.ToString();
  std::string why_next = CheckDisk(d, next);
  if (!why_next.empty()) {
    return "the stores match neither the acknowledged state (" + why + ") nor one more op (" +
           why_next + ")";
  }
  *m = std::move(next);
  ++totals->inflight_present;
  return "";
}

// The most calls of each kind one op of each kind has made so far: where a crash
// inside an op can strike.
using CallProfile = std::array<std::array<int, kNumFaultOps>, kNumKinds>;

// Arms the crash inside `op`: the n-th of its calls of one kind fails (half the time
// every later one too), a failed write sometimes leaving a torn prefix.
void ArmFault(Disk* d, const Op& op, const CallProfile& profile, std::mt19937_64& rng) {
  std::vector<std::pair<FaultOp, int>> sites;  // (kind, calls)
  for (FaultOp f : kFaultOps) {
    int calls = profile[static_cast<int>(op.kind)][static_cast<int>(f)];
    if (calls > 0) sites.emplace_back(f, calls);
  }
  if (sites.empty()) sites.emplace_back(kFaultOps[rng() % std::size(kFaultOps)], 4);
  const auto [kind, calls] = sites[rng() % sites.size()];
  const int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(calls));
  if (rng() % 2 == 0) {
    d->env.FailNth(kind, n);
  } else {
    d->env.FailFrom(kind, n, Status::IOError("injected fault, sticky"));
  }
  d->env.SetPartialWriteBytes(rng() % 2 == 0 ? rng() % 200 : 0);
}

// Runs ops after `m` until the crash: `complete` ops, then, when `inside`, one more
// with a fault armed. Advances `m` past the ops that returned OK; *inflight tells
// whether the last one failed. Returns "" or what went wrong.
std::string RunUntilCrash(Disk* d, uint64_t seed, uint64_t complete, bool inside,
                          std::mt19937_64& rng, CallProfile* profile, Model* m, bool* inflight,
                          Totals* totals) {
  const uint64_t target = m->last_op + complete + (inside ? 1 : 0);
  *inflight = false;
  while (m->last_op < target) {
    Op op = Generate(seed, m->last_op + 1, *m);
    const bool armed = inside && op.index == target;
    if (armed) ArmFault(d, op, *profile, rng);
    std::array<int, kNumFaultOps> before;
    for (FaultOp f : kFaultOps) before[static_cast<int>(f)] = d->env.Calls(f);
    Status s = RunPowerLossOp(d, op, *m);
    d->env.ClearFaults();
    if (!s.ok()) {
      if (!armed) return "op " + Num(op.index) + " failed: " + s.ToString();
      *inflight = true;
      ++totals->faults_fired;
      return "";
    }
    for (FaultOp f : kFaultOps) {
      int& most = (*profile)[static_cast<int>(op.kind)][static_cast<int>(f)];
      most = std::max(most, d->env.Calls(f) - before[static_cast<int>(f)]);
    }
    ++totals->by_kind[static_cast<int>(op.kind)];
    ++totals->acked;
    Status fed = Reference(d, op, *m);
    if (!fed.ok()) return "reference: " + fed.ToString();
    Apply(op, m);
  }
  return "";
}

bool RunPowerLossTrials(const crash::Options& flags, Totals* totals) {
  std::mt19937_64 rng(flags.seed);
  std::unique_ptr<Disk> d;
  CallProfile profile{};
  Model m;
  uint64_t dir_first_op = 0;
  for (int t = 0; t < flags.trials; ++t) {
    if (t % kTrialsPerDir == 0 || m.last_op >= dir_first_op + kOpsPerDir) {
      d = std::make_unique<Disk>();
      auto ref = MemoryStore::OpenInMemory();
      if (!ref.ok()) return crash::Fail(kProgram, t, ref.status().ToString());
      d->reference = std::move(*ref);
      Status s = d->Open();
      if (!s.ok()) return crash::Fail(kProgram, t, "open: " + s.ToString());
      ++totals->dirs;
      m = Model{.last_op = m.last_op};
      dir_first_op = m.last_op;
    }
    const uint64_t complete = rng() % 24;
    const bool inside = rng() % 2 == 0;
    bool inflight = false;
    std::string why =
        RunUntilCrash(d.get(), flags.seed, complete, inside, rng, &profile, &m, &inflight, totals);
    if (!why.empty()) return crash::Fail(kProgram, t, why);
    Status c = d->Crash(static_cast<Disk::Loss>(t % 3), rng());
    if (!c.ok()) return crash::Fail(kProgram, t, "dropping unsynced data: " + c.ToString());
    why = Recover(d.get(), flags.seed, inflight, rng, &m, totals);
    if (!why.empty()) return crash::Fail(kProgram, t, why);
  }
  return true;
}

int Main(int argc, char** argv) {
  crash::Spec spec;
  spec.program = kProgram;
  spec.defaults.trials = 300;
  spec.defaults.seed = 17;
  spec.defaults.max_delay_ms = 150;
  spec.switches = {"--power-loss"};
  std::optional<crash::Options> flags = crash::ParseOptions(argc, argv, spec);
  if (!flags) return 2;
  const bool power_loss = flags->Has("--power-loss");
  Totals totals;
  crash::Stopwatch watch;
  if (!(power_loss ? RunPowerLossTrials(*flags, &totals) : RunKillTrials(*flags, &totals))) {
    return 1;
  }
  std::string kinds;
  for (int k = 0; k < kNumKinds; ++k) {
    kinds += std::string(k ? ", " : "") + kKindNames[k] + " " + Num(totals.by_kind[k]);
  }
  std::string details = std::string(power_loss ? "power loss" : "SIGKILL") + ", seed " +
                        Num(flags->seed) + ": " + Num(totals.acked) + " acknowledged ops (" +
                        kinds + "), 0 lost, 0 half-visible; op in flight found whole in " +
                        Num(totals.inflight_present) + " trials, absent in " +
                        Num(totals.inflight_absent) + "; " + Num(totals.dirs) + " directories";
  if (power_loss) {
    details += "; crashes inside an op " + Num(totals.faults_fired) + ", faulty reopens " +
               Num(totals.reopen_faults) + " (" + Num(totals.reopen_failed) + " failed)";
  } else {
    details += " (largest " + Num(totals.max_dir_bytes / 1024) + " KiB)";
  }
  crash::PrintSummary(kProgram, flags->trials, watch.Seconds(), details);
  return 0;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
