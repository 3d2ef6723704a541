// Copyright urd authors. The semantic stage's safety-net error kinds, which the
// parser and binder make unreachable through text (a required keyword is checked
// by the parser, `:c` by the binder): exercised directly on bound forms.

#include "memory/semantic.h"

#include <gtest/gtest.h>

namespace urd::mem {
namespace {

BoundSem SemWith(std::vector<BoundKeyword> keywords) {
  BoundSem f;
  f.pos = Position{0, 3, 7};
  f.keywords.items = std::move(keywords);
  return f;
}

TEST(SemanticTest, SafetyNetKinds) {
  SymbolTable table;
  SymbolId src = 0;
  ASSERT_EQ(table.Allocate("observation", SymbolKind::kAgent, &src), SymbolTableCode::kOk);
  SemFields out;
  SemanticError err;
  const BoundKeyword c{"c", {}, Value::Float(0.5)}, v{"v", {}, Value::Timestamp(10)},
      s{"src", {}, Value::Symbol(src)};

  EXPECT_FALSE(CheckSem(SemWith({c, v}), table, 100, &out, &err));
  EXPECT_EQ(err.kind, SemanticErrorKind::kMissingKeyword);
  EXPECT_EQ(err.pos.line, 3u);
  EXPECT_NE(ToStatus(err).ToString().find("line 3, column 7: MissingKeyword"), std::string::npos);

  EXPECT_FALSE(CheckSem(SemWith({c, s, {"v", {}, Value::Integer(5)}}), table, 100, &out, &err));
  EXPECT_EQ(err.kind, SemanticErrorKind::kBadKeywordType);

  EXPECT_FALSE(CheckSem(SemWith({{"c", {}, Value::Float(1.5)}, s, v}), table, 100, &out, &err));
  EXPECT_EQ(err.kind, SemanticErrorKind::kConfidenceMalformed);

  ASSERT_TRUE(CheckSem(SemWith({c, s, v}), table, 100, &out, &err));
  EXPECT_EQ(out.confidence.raw, 32768);
  EXPECT_EQ(out.valid_at, 10u);
  EXPECT_FALSE(out.projected);
}

TEST(SemanticTest, NamesOfEveryKind) {
  for (int k = 0; k <= static_cast<int>(SemanticErrorKind::kMultipleEpisodeDirectives); ++k) {
    EXPECT_NE(SemanticErrorKindName(static_cast<SemanticErrorKind>(k)), "Unknown") << k;
  }
}

}  // namespace
}  // namespace urd::mem
