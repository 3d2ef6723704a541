// Copyright urd authors.

#include "memory/symbol_table.h"

#include <gtest/gtest.h>

#include <string>

namespace urd::mem {
namespace {

SymbolId MustAllocate(SymbolTable* t, std::string_view name, SymbolKind kind) {
  SymbolId id = 0;
  EXPECT_EQ(t->Allocate(name, kind, &id), SymbolTableCode::kOk) << name;
  return id;
}

TEST(SymbolTableTest, AllocatesMonotonicallyFromZero) {
  SymbolTable t;
  EXPECT_EQ(MustAllocate(&t, "alice", SymbolKind::kAgent), 0u);
  EXPECT_EQ(MustAllocate(&t, "knows", SymbolKind::kPredicate), 1u);
  EXPECT_EQ(t.next_id(), 2u);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Lookup("alice"), 0u);
  EXPECT_EQ(t.Lookup("knows"), 1u);
  EXPECT_EQ(t.Lookup("nobody"), std::nullopt);
  EXPECT_EQ(t.Find(7), nullptr);
}

TEST(SymbolTableTest, AllocateOfBoundNameIsRenameConflict) {
  SymbolTable t;
  MustAllocate(&t, "alice", SymbolKind::kAgent);
  SymbolTable before = t;
  SymbolId id = 99;
  EXPECT_EQ(t.Allocate("alice", SymbolKind::kAgent, &id), SymbolTableCode::kNameBound);
  EXPECT_EQ(id, 99u);
  EXPECT_EQ(t, before);
}

TEST(SymbolTableTest, KindIsLockedAtAllocation) {
  SymbolTable t;
  SymbolId id = MustAllocate(&t, "alice", SymbolKind::kAgent);
  ASSERT_EQ(t.AddAlias(id, "al"), SymbolTableCode::kOk);
  ASSERT_EQ(t.Rename(id, "alicia"), SymbolTableCode::kOk);
  ASSERT_EQ(t.Retire(id), SymbolTableCode::kOk);
  EXPECT_EQ(t.Find(id)->kind, SymbolKind::kAgent);
}

TEST(SymbolTableTest, AliasResolvesToSameId) {
  SymbolTable t;
  SymbolId alice = MustAllocate(&t, "alice", SymbolKind::kAgent);
  SymbolId bob = MustAllocate(&t, "bob", SymbolKind::kAgent);
  ASSERT_EQ(t.AddAlias(alice, "al"), SymbolTableCode::kOk);
  EXPECT_EQ(t.Lookup("al"), alice);
  EXPECT_EQ(t.Find(alice)->canonical_name, "alice");
  EXPECT_EQ(t.Find(alice)->aliases, std::vector<std::string>{"al"});
  EXPECT_EQ(t.AddAlias(alice, "al"), SymbolTableCode::kOk);     // same id: no-op
  EXPECT_EQ(t.AddAlias(alice, "alice"), SymbolTableCode::kOk);  // canonical: no-op
  EXPECT_EQ(t.Find(alice)->aliases.size(), 1u);
  EXPECT_EQ(t.AddAlias(bob, "al"), SymbolTableCode::kNameBound);
  EXPECT_EQ(t.AddAlias(42, "x"), SymbolTableCode::kUnknownId);
  EXPECT_EQ(t.next_id(), 2u);  // aliases take no id
}

TEST(SymbolTableTest, AliasChainLimitIsSixteen) {
  SymbolTable t;
  SymbolId id = MustAllocate(&t, "alice", SymbolKind::kAgent);
  for (size_t i = 0; i < kAliasChainLimit; ++i) {
    ASSERT_EQ(t.AddAlias(id, "a" + std::to_string(i)), SymbolTableCode::kOk) << i;
  }
  SymbolTable before = t;
  EXPECT_EQ(t.AddAlias(id, "one_too_many"), SymbolTableCode::kAliasChainLengthExceeded);
  EXPECT_EQ(t, before);
  EXPECT_EQ(t.Lookup("one_too_many"), std::nullopt);
}

TEST(SymbolTableTest, RenameKeepsIdAndBothNamesResolve) {
  SymbolTable t;
  SymbolId id = MustAllocate(&t, "old", SymbolKind::kLiteral);
  SymbolId other = MustAllocate(&t, "other", SymbolKind::kLiteral);
  ASSERT_EQ(t.Rename(id, "new"), SymbolTableCode::kOk);
  EXPECT_EQ(t.Lookup("old"), id);
  EXPECT_EQ(t.Lookup("new"), id);
  EXPECT_EQ(t.Find(id)->canonical_name, "new");
  EXPECT_EQ(t.Find(id)->aliases, std::vector<std::string>{"old"});
  EXPECT_EQ(t.Rename(id, "other"), SymbolTableCode::kNameBound);
  EXPECT_EQ(t.Rename(other + 10, "zzz"), SymbolTableCode::kUnknownId);
  // Renaming back to a former name: it leaves the alias list, `new` joins it.
  ASSERT_EQ(t.Rename(id, "old"), SymbolTableCode::kOk);
  EXPECT_EQ(t.Find(id)->canonical_name, "old");
  EXPECT_EQ(t.Find(id)->aliases, std::vector<std::string>{"new"});
  SymbolTable before = t;
  EXPECT_EQ(t.Rename(id, "old"), SymbolTableCode::kOk);  // no-op
  EXPECT_EQ(t, before);
}

TEST(SymbolTableTest, RetireIsSoftIdempotentAndUnretireClears) {
  SymbolTable t;
  SymbolId id = MustAllocate(&t, "tmp", SymbolKind::kLiteral);
  EXPECT_FALSE(t.IsRetired(id));
  ASSERT_EQ(t.Retire(id), SymbolTableCode::kOk);
  ASSERT_EQ(t.Retire(id), SymbolTableCode::kOk);
  EXPECT_TRUE(t.IsRetired(id));
  EXPECT_EQ(t.Lookup("tmp"), id);
  ASSERT_EQ(t.Unretire(id), SymbolTableCode::kOk);
  EXPECT_FALSE(t.IsRetired(id));
  EXPECT_EQ(t.Retire(5), SymbolTableCode::kUnknownId);
  EXPECT_FALSE(t.IsRetired(5));
}

TEST(SymbolTableTest, ReplayAcceptsOutOfOrderIds) {
  SymbolTable t;
  ASSERT_EQ(t.ReplayAllocate(5, "__ep_0", SymbolKind::kMemory), SymbolTableCode::kOk);
  EXPECT_EQ(t.next_id(), 6u);
  ASSERT_EQ(t.ReplayAllocate(0, "alice", SymbolKind::kAgent), SymbolTableCode::kOk);
  ASSERT_EQ(t.ReplayAllocate(2, "bob", SymbolKind::kLiteral), SymbolTableCode::kOk);
  EXPECT_EQ(t.next_id(), 6u);  // max(next_id, id + 1) never goes back
  EXPECT_EQ(t.Lookup("alice"), 0u);
  EXPECT_EQ(t.Lookup("__ep_0"), 5u);
  EXPECT_EQ(t.ReplayAllocate(2, "carol", SymbolKind::kAgent), SymbolTableCode::kIdInUse);
  EXPECT_EQ(t.ReplayAllocate(3, "bob", SymbolKind::kAgent), SymbolTableCode::kNameBound);
  EXPECT_EQ(t.Lookup("carol"), std::nullopt);
  EXPECT_EQ(t.Find(3), nullptr);
  ASSERT_EQ(t.ReplayAlias(0, "al"), SymbolTableCode::kOk);
  ASSERT_EQ(t.ReplayRename(2, "robert"), SymbolTableCode::kOk);
  ASSERT_EQ(t.ReplayRetire(2), SymbolTableCode::kOk);
  EXPECT_EQ(t.Lookup("al"), 0u);
  EXPECT_EQ(t.Lookup("bob"), 2u);
  EXPECT_TRUE(t.IsRetired(2));
  EXPECT_EQ(MustAllocate(&t, "fresh", SymbolKind::kLiteral), 6u);
}

// Builds a table with every kind of state: aliases, a rename, a retirement.
SymbolTable Populated() {
  SymbolTable t;
  SymbolId a = MustAllocate(&t, "alice", SymbolKind::kAgent);
  SymbolId b = MustAllocate(&t, "bob", SymbolKind::kAgent);
  MustAllocate(&t, "knows", SymbolKind::kPredicate);
  EXPECT_EQ(t.AddAlias(a, "al"), SymbolTableCode::kOk);
  EXPECT_EQ(t.Rename(b, "robert"), SymbolTableCode::kOk);
  EXPECT_EQ(t.Retire(b), SymbolTableCode::kOk);
  return t;
}

TEST(SymbolTableTest, RollbackRestoresTheTableStructurally) {
  SymbolTable t = Populated();
  const SymbolTable before = t;
  SymbolTable::UndoMark mark = t.Mark();
  EXPECT_TRUE(t.journal_open());
  SymbolId c = MustAllocate(&t, "carol", SymbolKind::kAgent);
  ASSERT_EQ(t.AddAlias(c, "caz"), SymbolTableCode::kOk);
  ASSERT_EQ(t.AddAlias(0, "ally"), SymbolTableCode::kOk);
  ASSERT_EQ(t.Rename(0, "alicia"), SymbolTableCode::kOk);
  ASSERT_EQ(t.Rename(1, "bob"), SymbolTableCode::kOk);  // back to a former name
  ASSERT_EQ(t.Unretire(1), SymbolTableCode::kOk);
  ASSERT_EQ(t.Retire(2), SymbolTableCode::kOk);
  ASSERT_EQ(t.Rename(c, "caroline"), SymbolTableCode::kOk);
  ASSERT_NE(t, before);
  t.RollbackTo(mark);
  EXPECT_EQ(t, before);
  EXPECT_EQ(t.next_id(), 3u);
  EXPECT_EQ(t.Lookup("carol"), std::nullopt);
  EXPECT_EQ(t.Lookup("alicia"), std::nullopt);
  EXPECT_EQ(t.Find(0)->canonical_name, "alice");
  EXPECT_TRUE(t.IsRetired(1));
  // Ids freed by the rollback are handed out again.
  EXPECT_EQ(MustAllocate(&t, "dave", SymbolKind::kAgent), 3u);
  t.Commit();
  EXPECT_FALSE(t.journal_open());
}

TEST(SymbolTableTest, NestedMarksRollBackOnlyTheInnerPart) {
  SymbolTable t = Populated();
  SymbolTable::UndoMark outer = t.Mark();
  MustAllocate(&t, "carol", SymbolKind::kAgent);
  const SymbolTable after_outer = t;
  SymbolTable::UndoMark inner = t.Mark();
  MustAllocate(&t, "dave", SymbolKind::kAgent);
  ASSERT_EQ(t.AddAlias(3, "caz"), SymbolTableCode::kOk);
  t.RollbackTo(inner);
  EXPECT_EQ(t, after_outer);
  t.RollbackTo(outer);
  EXPECT_EQ(t, Populated());
}

TEST(SymbolTableTest, CommitKeepsMutations) {
  SymbolTable t;
  SymbolTable::UndoMark mark = t.Mark();
  MustAllocate(&t, "alice", SymbolKind::kAgent);
  t.Commit();
  EXPECT_FALSE(t.journal_open());
  t.RollbackTo(mark);  // nothing recorded any more: no effect
  EXPECT_EQ(t.Lookup("alice"), 0u);
}

}  // namespace
}  // namespace urd::mem
