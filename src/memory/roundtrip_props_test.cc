// Copyright urd authors. Property tests over random programs (mimir-core §8):
// determinism, emit -> encode -> decode -> render -> parse round trip, replayed
// state equals live state, failed batches change nothing.

#include <random>

#include <gtest/gtest.h>

#include "memory/ir/binder.h"
#include "memory/ir/parser.h"
#include "memory/ir/timestamp.h"
#include "memory/pipeline.h"
#include "memory/render.h"

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;

// Random batches over a small vocabulary, so that keys collide and supersede.
class ProgramGen {
 public:
  explicit ProgramGen(uint64_t seed) : rng_(seed) {}

  std::string Batch(uint64_t memories_so_far) {
    std::string text;
    int forms = 1 + Pick(4);
    for (int i = 0; i < forms; ++i) text += Form(memories_so_far) + "\n";
    return text;
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  std::string Valid() {
    return FormatTimestampMillis(1'600'000'000'000 + (rng_() % 100'000) * 60'000);
  }

  std::string Object() {
    switch (Pick(6)) {
      case 0:
        return "@o" + std::to_string(Pick(5));
      case 1:
        return std::to_string(static_cast<int64_t>(rng_() % 2001) - 1000);
      case 2:
        return std::to_string(Pick(1000)) + "." + std::to_string(Pick(1000));
      case 3:
        return Pick(2) ? "true" : "false";
      case 4:
        return "\"t\\\"x\\n é " + std::to_string(Pick(9)) + "\"";
      default:
        return Valid();
    }
  }

  std::string Conf() { return "0." + std::to_string(Pick(60) + 10); }

  std::string Form(uint64_t mems) {
    std::string s = "@s" + std::to_string(Pick(4)), p = "@p" + std::to_string(Pick(3));
    switch (Pick(mems > 0 ? 7 : 4)) {
      case 0:
      case 1:
        return "(sem " + s + " " + p + " " + Object() + " :src @" +
               (Pick(2) ? "observation" : "registry") + " :c " + Conf() + " :v " + Valid() + ")";
      case 2:
        return "(epi @ev" + std::to_string(Pick(50)) + " @met (" + s + " @s9) @room :at " +
               "2024-01-01 :obs 2024-01-0" + std::to_string(1 + Pick(3)) +
               " :src @observation :c " + Conf() + ")";
      case 3:
        return "(pro @rule" + std::to_string(Pick(3)) + " \"t" + std::to_string(Pick(3)) +
               "\" " + Object() + " :scp @sc" + std::to_string(Pick(2)) + " :src @policy :c " +
               Conf() + (Pick(2) ? " :pre " + Object() : "") + ")";
      case 4:
        return "(inf " + s + " @q" + std::to_string(Pick(2)) + " " + Object() + " (@__mem_" +
               std::to_string(rng_() % mems) + ") @direct_lookup :c " + Conf() + " :v " +
               Valid() + (Pick(3) == 0 ? " :projected true" : "") + ")";
      case 5:
        return std::string("(") + (Pick(2) ? "pin" : "unpin") + " @__mem_" +
               std::to_string(rng_() % mems) + " :actor @op)";
      default:
        return "(retire @o" + std::to_string(Pick(5)) + ")";
    }
  }

  std::mt19937_64 rng_;
};

// Commits `text`; returns whether it was accepted (random batches may conflict).
bool TryCommit(MemoryState* st, const std::string& text, ClockTime now,
               std::vector<CanonicalRecord>* out) {
  CompiledBatch b;
  Status s = CompileBatch(st, text, now, nullptr, &b);
  st->Commit();
  if (s.ok() && out != nullptr) out->insert(out->end(), b.records.begin(), b.records.end());
  return s.ok();
}

std::string Encode(const std::vector<CanonicalRecord>& records) {
  std::string out;
  for (const auto& r : records) EncodeRecord(r, &out);
  return out;
}

// Rendering a memory record and binding the text against the same table gives a
// form with the record's agent-visible fields (and allocates nothing).
void CheckRenderRoundTrip(const CanonicalRecord& record, SymbolTable* table) {
  auto text = RenderForm(record, *table);
  ASSERT_TRUE(text.has_value()) << RecordName(record);
  std::vector<Form> forms;
  ParseError perr;
  ASSERT_TRUE(ParseForms(*text, &forms, &perr)) << *text << ": " << ToStatus(perr).ToString();
  SymbolTable::UndoMark mark = table->Mark();
  SymbolId before = table->next_id();
  BindOutput bound;
  BindError berr;
  ASSERT_TRUE(Bind(forms, table, &bound, &berr)) << *text << ": " << ToStatus(berr).ToString();
  EXPECT_EQ(table->next_id(), before) << "re-binding allocated a symbol: " << *text;
  ASSERT_EQ(bound.forms.size(), 1u);
  if (const auto* sem = std::get_if<SemRecord>(&record)) {
    const auto& f = std::get<BoundSem>(bound.forms[0]);
    EXPECT_EQ(f.s, sem->s);
    EXPECT_EQ(f.p, sem->p);
    EXPECT_EQ(f.o, sem->o) << *text;
    EXPECT_EQ(f.keywords.Find("v")->value, Value::Timestamp(sem->valid_at));
    EXPECT_EQ(ConfidenceFromFloat(f.keywords.Find("c")->value.float_value())->raw,
              sem->confidence.raw);
  } else if (const auto* pro = std::get_if<ProRecord>(&record)) {
    const auto& f = std::get<BoundPro>(bound.forms[0]);
    EXPECT_EQ(f.rule_id, pro->rule_id);
    EXPECT_EQ(f.trigger, pro->trigger);
    EXPECT_EQ(f.action, pro->action) << *text;
    EXPECT_EQ(f.keywords.Find("pre") != nullptr, pro->precondition.has_value());
  } else if (const auto* inf = std::get_if<InfRecord>(&record)) {
    const auto& f = std::get<BoundInf>(bound.forms[0]);
    EXPECT_EQ(f.o, inf->o) << *text;
    EXPECT_EQ(f.derived_from, inf->derived_from);
    EXPECT_EQ(f.keywords.Find("projected") != nullptr, inf->projected);
  } else if (const auto* epi = std::get_if<EpiRecord>(&record)) {
    const auto& f = std::get<BoundEpi>(bound.forms[0]);
    EXPECT_EQ(f.participants, epi->participants);
    EXPECT_EQ(f.keywords.Find("at")->value, Value::Timestamp(epi->at_time));
  }
  table->RollbackTo(mark);
  table->Commit();
}

TEST(RoundTripProps, RandomProgramsRoundTripReplayAndRepeat) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    ProgramGen gen(seed);
    MemoryState live, twin;
    std::vector<CanonicalRecord> log;
    uint64_t accepted = 0, rejected = 0;
    for (int b = 0; b < 60; ++b) {
      std::string text = gen.Batch(live.memory_count());
      ClockTime now = kNow + static_cast<ClockTime>(b % 7 == 3 ? 0 : b * 1000);  // some regress
      std::vector<CanonicalRecord> a, t;
      bool ok = TryCommit(&live, text, now, &a);
      ASSERT_EQ(TryCommit(&twin, text, now, &t), ok) << text;
      ASSERT_EQ(Encode(a), Encode(t)) << "not deterministic: " << text;  // same input, same bytes
      (ok ? accepted : rejected)++;
      log.insert(log.end(), a.begin(), a.end());
    }
    EXPECT_GT(accepted, 20u) << "seed " << seed;
    // Encode -> decode.
    std::string bytes = Encode(log);
    std::vector<CanonicalRecord> decoded;
    ASSERT_TRUE(DecodeAll(bytes, &decoded).ok());
    ASSERT_EQ(decoded, log);
    // Replay equals live: the same records, indexes and clocks.
    MemoryState replayed;
    for (const auto& r : decoded) ASSERT_TRUE(replayed.Apply(r, ApplyMode::kReplay).ok());
    EXPECT_EQ(replayed.sem(), live.sem());
    EXPECT_EQ(replayed.epi(), live.epi());
    EXPECT_EQ(replayed.pro(), live.pro());
    EXPECT_EQ(replayed.inf(), live.inf());
    EXPECT_EQ(replayed.edges(), live.edges());
    EXPECT_TRUE(replayed.symbols() == live.symbols());
    EXPECT_EQ(replayed.last_committed_at(), live.last_committed_at());
    EXPECT_EQ(replayed.next_memory_counter(), live.next_memory_counter());
    // The next batch compiles to the same bytes on both.
    std::vector<CanonicalRecord> x, y;
    std::string next = gen.Batch(live.memory_count());
    ASSERT_EQ(TryCommit(&live, next, kNow, &x), TryCommit(&replayed, next, kNow, &y));
    EXPECT_EQ(Encode(x), Encode(y));
    // Render -> parse -> bind gives the same fields.
    SymbolTable* table = live.mutable_symbols();
    for (const auto& r : live.sem()) CheckRenderRoundTrip(r, table);
    for (const auto& r : live.epi()) CheckRenderRoundTrip(r, table);
    for (const auto& r : live.pro()) CheckRenderRoundTrip(r, table);
    for (const auto& r : live.inf()) CheckRenderRoundTrip(r, table);
  }
}

}  // namespace
}  // namespace urd::mem
