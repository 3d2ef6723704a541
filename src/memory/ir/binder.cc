// Copyright urd authors.

#include "memory/ir/binder.h"

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

namespace urd::mem {

std::string_view BindErrorKindName(BindErrorKind kind) {
  switch (kind) {
    case BindErrorKind::kSymbolKindMismatch: return "SymbolKindMismatch";
    case BindErrorKind::kSymbolRenameConflict: return "SymbolRenameConflict";
    case BindErrorKind::kAliasChainLengthExceeded: return "AliasChainLengthExceeded";
    case BindErrorKind::kUnknownSymbol: return "UnknownSymbol";
    case BindErrorKind::kBadKind: return "BadKind";
    case BindErrorKind::kUnregisteredInferenceMethod: return "UnregisteredInferenceMethod";
    case BindErrorKind::kInvalidKeywordValue: return "InvalidKeywordValue";
    case BindErrorKind::kConfidenceOutOfRange: return "ConfidenceOutOfRange";
    case BindErrorKind::kUnexpectedList: return "UnexpectedList";
    case BindErrorKind::kInvalidTimestampKeyword: return "InvalidTimestampKeyword";
    case BindErrorKind::kLabelTooLong: return "LabelTooLong";
  }
  return "Unknown";
}

Status ToStatus(const BindError& error) {
  return Status::InvalidArgument("line " + std::to_string(error.pos.line) + ", column " +
                                 std::to_string(error.pos.column) + ": " +
                                 std::string(BindErrorKindName(error.kind)) + ": " +
                                 error.message);
}

const BoundKeyword* BoundKeywords::Find(std::string_view key) const {
  for (const BoundKeyword& k : items) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

namespace {

// Keywords whose value must be a boolean (in any form that takes them).
bool IsBooleanKeyword(std::string_view key) {
  return key == "projected" || key == "include_retired" || key == "include_projected" ||
         key == "show_framing" || key == "explain_filtered" || key == "debug_mode";
}

// The default kind of a symbol given as the value of keyword `key`.
SymbolKind KeywordSlotKind(std::string_view key) {
  if (key == "src") return SymbolKind::kAgent;
  if (key == "scp") return SymbolKind::kScope;
  return SymbolKind::kLiteral;
}

std::string Quote(std::string_view name) { return "`@" + std::string(name) + "`"; }

class Binder {
 public:
  Binder(SymbolTable* table, BindOutput* out, BindError* error)
      : table_(table), out_(out), error_(error) {}

  bool BindForm(const Form& form) {
    return std::visit([this](const auto& f) { return BindOne(f); }, form);
  }

 private:
  bool Fail(BindErrorKind kind, Position pos, std::string subject, std::string message) {
    error_->kind = kind;
    error_->pos = pos;
    error_->subject = std::move(subject);
    error_->message = std::move(message);
    return false;
  }

  void Journal(SymbolEvent::Type type, SymbolId id, std::string name, SymbolKind kind) {
    out_->journal.push_back(SymbolEvent{type, id, std::move(name), kind});
  }

  // The annotation's kind, or `fallback` when there is none.
  bool EffectiveKind(std::string_view annotation, SymbolKind fallback, Position pos,
                     SymbolKind* kind) {
    if (annotation.empty()) {
      *kind = fallback;
      return true;
    }
    std::optional<SymbolKind> k = SymbolKindFromName(annotation);
    if (!k) {
      return Fail(BindErrorKind::kBadKind, pos, std::string(annotation),
                  "unknown symbol kind `" + std::string(annotation) + "`");
    }
    *kind = *k;
    return true;
  }

  bool CheckKind(std::string_view name, SymbolId id, SymbolKind expected, Position pos) {
    SymbolKind existing = table_->Find(id)->kind;
    if (existing == expected) return true;
    Fail(BindErrorKind::kSymbolKindMismatch, pos, std::string(name),
         "symbol " + Quote(name) + " has kind " + std::string(SymbolKindName(existing)) +
             ", used here as " + std::string(SymbolKindName(expected)));
    error_->expected = expected;
    error_->existing = existing;
    return false;
  }

  bool ResolveOrAllocate(std::string_view name, std::string_view annotation, Position pos,
                         SymbolKind default_kind, SymbolId* id) {
    SymbolKind kind;
    if (!EffectiveKind(annotation, default_kind, pos, &kind)) return false;
    if (std::optional<SymbolId> known = table_->Lookup(name)) {
      *id = *known;
      return CheckKind(name, *known, kind, pos);
    }
    if (table_->Allocate(name, kind, id) != SymbolTableCode::kOk) {
      return Fail(BindErrorKind::kSymbolRenameConflict, pos, std::string(name),
                  "symbol " + Quote(name) + " is already bound");
    }
    Journal(SymbolEvent::Type::kAllocate, *id, std::string(name), kind);
    return true;
  }

  bool Resolve(const SymbolRef& ref, SymbolKind default_kind, SymbolId* id) {
    return ResolveOrAllocate(ref.name, ref.kind, ref.pos, default_kind, id);
  }

  bool ResolveList(const std::vector<SymbolRef>& refs, SymbolKind kind,
                   std::vector<SymbolId>* ids) {
    ids->reserve(refs.size());
    for (const SymbolRef& ref : refs) {
      SymbolId id;
      if (!Resolve(ref, kind, &id)) return false;
      ids->push_back(id);
    }
    return true;
  }

  // Looks up a name that must exist (rename, retire); a `:Kind` annotation, if
  // any, must be valid and match.
  bool LookupExisting(const SymbolRef& ref, std::string_view form, SymbolId* id) {
    std::optional<SymbolId> known = table_->Lookup(ref.name);
    if (!known) {
      return Fail(BindErrorKind::kUnknownSymbol, ref.pos, ref.name,
                  "`" + std::string(form) + "` of unknown symbol " + Quote(ref.name));
    }
    *id = *known;
    return CheckAnnotation(ref, *id);
  }

  bool CheckAnnotation(const SymbolRef& ref, SymbolId id) {
    if (!ref.has_kind()) return true;
    SymbolKind kind;
    if (!EffectiveKind(ref.kind, SymbolKind::kLiteral, ref.pos, &kind)) return false;
    return CheckKind(ref.name, id, kind, ref.pos);
  }

  // Timestamps, nil and lists: the cases shared by write and query values.
  bool BindScalar(const AstValue& v, std::string_view slot, Value* out) {
    switch (v.kind) {
      case AstValue::Kind::kBareword:
      case AstValue::Kind::kString: *out = Value::String(v.text); return true;
      case AstValue::Kind::kInteger: *out = Value::Integer(v.integer); return true;
      case AstValue::Kind::kFloat: *out = Value::Float(v.real); return true;
      case AstValue::Kind::kBoolean: *out = Value::Boolean(v.boolean); return true;
      case AstValue::Kind::kTimestamp: *out = Value::Timestamp(v.millis); return true;
      case AstValue::Kind::kTimestampRaw:
        return Fail(BindErrorKind::kInvalidTimestampKeyword, v.pos, v.text,
                    "invalid timestamp `" + v.text + "` in `" + std::string(slot) + "`");
      case AstValue::Kind::kNil:
      case AstValue::Kind::kList:
        return Fail(BindErrorKind::kUnexpectedList, v.pos, std::string(slot),
                    "`" + std::string(slot) + "` takes a single value, not " +
                        (v.kind == AstValue::Kind::kNil ? "nil" : "a list"));
      case AstValue::Kind::kSymbol:
      case AstValue::Kind::kTypedSymbol: break;  // handled by the callers
    }
    return false;
  }

  bool BindValue(const AstValue& v, SymbolKind hint, std::string_view slot, Value* out) {
    if (!v.is_symbol()) return BindScalar(v, slot, out);
    SymbolId id;
    if (!ResolveOrAllocate(v.text, v.symbol_kind, v.pos, hint, &id)) return false;
    *out = Value::Symbol(id);
    return true;
  }

  // The keyword rules shared by every form: `c` numeric in [0, 1], the boolean
  // keywords boolean. Sets *handled when the keyword was one of these.
  bool BindSpecialKeyword(const std::string& key, const AstValue& v, Value* out, bool* handled) {
    *handled = true;
    if (key == "c") {
      double c;
      if (v.kind == AstValue::Kind::kFloat) {
        c = v.real;
      } else if (v.kind == AstValue::Kind::kInteger) {
        c = static_cast<double>(v.integer);
      } else {
        return Fail(BindErrorKind::kInvalidKeywordValue, v.pos, key,
                    "`:c` must be a number (float or integer)");
      }
      // Decision: the range is checked here (mimir-core declares the variant but
      // leaves the check to the semantic stage's ConfidenceMalformed, which stays
      // as a safety net). Failing early gives the agent the typed bind error.
      if (std::isnan(c) || c < 0.0 || c > 1.0) {
        return Fail(BindErrorKind::kConfidenceOutOfRange, v.pos, key,
                    "`:c` " + std::to_string(c) + " is outside [0, 1]");
      }
      *out = Value::Float(c);
      return true;
    }
    if (IsBooleanKeyword(key)) {
      if (v.kind != AstValue::Kind::kBoolean) {
        return Fail(BindErrorKind::kInvalidKeywordValue, v.pos, key,
                    "`:" + key + "` must be true or false");
      }
      *out = Value::Boolean(v.boolean);
      return true;
    }
    *handled = false;
    return true;
  }

  // Keywords in lexicographic key order (the KeywordMap's order): this order
  // decides allocation order, hence ids.
  bool BindKeywords(const KeywordMap& keywords, BoundKeywords* out) {
    out->items.reserve(keywords.size());
    for (const auto& [key, v] : keywords) {
      BoundKeyword bound{key, v.pos, Value()};
      bool handled;
      if (!BindSpecialKeyword(key, v, &bound.value, &handled)) return false;
      if (!handled && !BindValue(v, KeywordSlotKind(key), key, &bound.value)) return false;
      out->items.push_back(std::move(bound));
    }
    return true;
  }

  bool BindQueryValue(const AstValue& v, std::string_view slot, BoundQueryValue* out) {
    out->pos = v.pos;
    if (!v.is_symbol()) {
      Value value;
      if (!BindScalar(v, slot, &value)) return false;
      out->value = std::move(value);
      return true;
    }
    // Look up only. A `:Kind` annotation must be valid, and match a known name.
    SymbolKind kind;
    if (!EffectiveKind(v.symbol_kind, SymbolKind::kLiteral, v.pos, &kind)) return false;
    std::optional<SymbolId> id = table_->Lookup(v.text);
    if (!id) {
      out->unknown_symbol = v.text;
      return true;
    }
    if (!v.symbol_kind.empty() && !CheckKind(v.text, *id, kind, v.pos)) return false;
    out->value = Value::Symbol(*id);
    return true;
  }

  // ---- Forms ----

  bool BindOne(const SemForm& f) {
    BoundSem b;
    b.pos = f.pos;
    if (!Resolve(f.s, SymbolKind::kAgent, &b.s) || !Resolve(f.p, SymbolKind::kPredicate, &b.p) ||
        !BindValue(f.o, SymbolKind::kLiteral, "o", &b.o) || !BindKeywords(f.keywords, &b.keywords)) {
      return false;
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindEpi(const EpiForm& f, BoundEpi* b) {
    b->pos = f.pos;
    return Resolve(f.event_id, SymbolKind::kMemory, &b->event_id) &&
           Resolve(f.kind, SymbolKind::kEventType, &b->kind) &&
           ResolveList(f.participants, SymbolKind::kAgent, &b->participants) &&
           Resolve(f.location, SymbolKind::kLiteral, &b->location) &&
           BindKeywords(f.keywords, &b->keywords);
  }

  bool BindOne(const EpiForm& f) {
    BoundEpi b;
    if (!BindEpi(f, &b)) return false;
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const ProForm& f) {
    BoundPro b;
    b.pos = f.pos;
    if (!Resolve(f.rule_id, SymbolKind::kMemory, &b.rule_id) ||
        !BindValue(f.trigger, SymbolKind::kLiteral, "trigger", &b.trigger) ||
        !BindValue(f.action, SymbolKind::kLiteral, "action", &b.action) ||
        !BindKeywords(f.keywords, &b.keywords)) {
      return false;
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const InfForm& f) {
    BoundInf b;
    b.pos = f.pos;
    if (!Resolve(f.s, SymbolKind::kAgent, &b.s) || !Resolve(f.p, SymbolKind::kPredicate, &b.p) ||
        !BindValue(f.o, SymbolKind::kLiteral, "o", &b.o) ||
        !ResolveList(f.derived_from, SymbolKind::kMemory, &b.derived_from) ||
        !Resolve(f.method, SymbolKind::kInferenceMethod, &b.method)) {
      return false;
    }
    // The canonical name decides (an alias of a registered method is accepted).
    const std::string& method = table_->Find(b.method)->canonical_name;
    if (!IsRegisteredInferenceMethod(method)) {
      return Fail(BindErrorKind::kUnregisteredInferenceMethod, f.method.pos, method,
                  "inference method " + Quote(method) + " is not registered");
    }
    if (!BindKeywords(f.keywords, &b.keywords)) return false;
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  // Decision (reference/mimir-core.md §2.4, §11 item 5): mimir-core's pipeline
  // allocates a missing name before attaching it, so `(alias @a @b)` only ever
  // succeeds as a no-op. urd implements the documented intent instead:
  //  * one name known, the other unknown: the unknown name becomes an alias of the
  //    known one's id (journalled as Alias{id, unknown name, kind});
  //  * both known with the same id: no-op, nothing journalled;
  //  * both known with different ids: kSymbolRenameConflict;
  //  * both unknown: kUnknownSymbol (there is nothing to attach to).
  // A `:Kind` annotation on either name must be valid and match the known entry.
  bool BindOne(const AliasForm& f) {
    std::optional<SymbolId> a = table_->Lookup(f.a.name);
    std::optional<SymbolId> b = table_->Lookup(f.b.name);
    BoundAlias bound;
    bound.pos = f.pos;
    if (!a && !b) {
      return Fail(BindErrorKind::kUnknownSymbol, f.a.pos, f.a.name,
                  "`alias` needs one known name; neither " + Quote(f.a.name) + " nor " +
                      Quote(f.b.name) + " is bound");
    }
    if (a && b) {
      if (*a != *b) {
        return Fail(BindErrorKind::kSymbolRenameConflict, f.b.pos, f.b.name,
                    "cannot alias " + Quote(f.a.name) + " and " + Quote(f.b.name) +
                        ": they name different symbols");
      }
      if (!CheckAnnotation(f.a, *a) || !CheckAnnotation(f.b, *b)) return false;
      bound.id = *a;
      out_->forms.emplace_back(std::move(bound));
      return true;
    }
    const SymbolRef& known = a ? f.a : f.b;
    const SymbolRef& unknown = a ? f.b : f.a;
    bound.id = a ? *a : *b;
    if (!CheckAnnotation(known, bound.id) || !CheckAnnotation(unknown, bound.id)) return false;
    switch (table_->AddAlias(bound.id, unknown.name)) {
      case SymbolTableCode::kOk: break;
      case SymbolTableCode::kAliasChainLengthExceeded:
        return Fail(BindErrorKind::kAliasChainLengthExceeded, unknown.pos, known.name,
                    "symbol " + Quote(known.name) + " already has " +
                        std::to_string(kAliasChainLimit) + " aliases");
      default:
        return Fail(BindErrorKind::kSymbolRenameConflict, unknown.pos, unknown.name,
                    "symbol " + Quote(unknown.name) + " is already bound");
    }
    bound.alias = unknown.name;
    Journal(SymbolEvent::Type::kAlias, bound.id, unknown.name, table_->Find(bound.id)->kind);
    out_->forms.emplace_back(std::move(bound));
    return true;
  }

  // `old` must resolve; `new` may be unbound or already name the same id. A rename
  // to the current canonical name is a no-op and is not journalled.
  bool BindOne(const RenameForm& f) {
    BoundRename b;
    b.pos = f.pos;
    if (!LookupExisting(f.old_name, "rename", &b.id)) return false;
    std::optional<SymbolId> bound = table_->Lookup(f.new_name.name);
    if (bound && *bound != b.id) {
      return Fail(BindErrorKind::kSymbolRenameConflict, f.new_name.pos, f.new_name.name,
                  "cannot rename to " + Quote(f.new_name.name) + ": it names another symbol");
    }
    if (bound && !CheckAnnotation(f.new_name, b.id)) return false;
    const SymbolEntry* e = table_->Find(b.id);
    bool noop = e->canonical_name == f.new_name.name;
    if (table_->Rename(b.id, f.new_name.name) != SymbolTableCode::kOk) {
      return Fail(BindErrorKind::kSymbolRenameConflict, f.new_name.pos, f.new_name.name,
                  "cannot rename to " + Quote(f.new_name.name));
    }
    b.new_name = f.new_name.name;
    if (!noop) Journal(SymbolEvent::Type::kRename, b.id, b.new_name, table_->Find(b.id)->kind);
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  // Retirement is soft and idempotent; every retire is journalled.
  bool BindOne(const RetireForm& f) {
    BoundRetire b;
    b.pos = f.pos;
    if (!LookupExisting(f.name, "retire", &b.id)) return false;
    auto reason = f.keywords.find("reason");
    if (reason != f.keywords.end() && (reason->second.kind == AstValue::Kind::kString ||
                                       reason->second.kind == AstValue::Kind::kBareword)) {
      b.reason = reason->second.text;
    }
    (void)table_->Retire(b.id);  // the id was just looked up: cannot fail
    const SymbolEntry* e = table_->Find(b.id);
    Journal(SymbolEvent::Type::kRetire, b.id, e->canonical_name, e->kind);
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const CorrectForm& f) {
    BoundCorrect b;
    b.pos = f.pos;
    if (!Resolve(f.target_episode, SymbolKind::kMemory, &b.target_episode) ||
        !BindEpi(f.body, &b.body)) {
      return false;
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const PromoteForm& f) {
    BoundPromote b;
    b.pos = f.pos;
    if (!Resolve(f.name, SymbolKind::kMemory, &b.id)) return false;
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const QueryForm& f) {
    BoundQuery b;
    b.pos = f.pos;
    if (f.selector) {
      b.selector.emplace();
      if (!BindQueryValue(*f.selector, "selector", &*b.selector)) return false;
    }
    b.keywords.reserve(f.keywords.size());
    for (const auto& [key, v] : f.keywords) {
      BoundQueryKeyword kw{key, {}};
      Value special;
      bool handled;
      if (!BindSpecialKeyword(key, v, &special, &handled)) return false;
      if (handled) {
        kw.value.pos = v.pos;
        kw.value.value = std::move(special);
      } else if (!BindQueryValue(v, key, &kw.value)) {
        return false;
      }
      b.keywords.push_back(std::move(kw));
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const EpisodeForm& f) {
    BoundEpisode b;
    b.pos = f.pos;
    b.action = f.action;
    if (f.label && f.label->size() > kMaxEpisodeLabelBytes) {
      Fail(BindErrorKind::kLabelTooLong, f.label_pos, "label",
           "episode label is " + std::to_string(f.label->size()) + " bytes; the cap is " +
               std::to_string(kMaxEpisodeLabelBytes));
      error_->length = f.label->size();
      return false;
    }
    b.label = f.label;
    if (f.parent_episode) {
      b.parent_episode.emplace();
      if (!Resolve(*f.parent_episode, SymbolKind::kMemory, &*b.parent_episode)) return false;
    }
    if (f.retracts) {
      b.retracts.emplace();
      if (!ResolveList(*f.retracts, SymbolKind::kMemory, &*b.retracts)) return false;
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindFlag(const FlagFormArgs& f, BoundFlag::Op op) {
    BoundFlag b;
    b.pos = f.pos;
    b.op = op;
    if (!Resolve(f.memory, SymbolKind::kMemory, &b.memory) ||
        !Resolve(f.actor, SymbolKind::kAgent, &b.actor)) {
      return false;
    }
    out_->forms.emplace_back(std::move(b));
    return true;
  }

  bool BindOne(const PinForm& f) { return BindFlag(f, BoundFlag::Op::kPin); }
  bool BindOne(const UnpinForm& f) { return BindFlag(f, BoundFlag::Op::kUnpin); }
  bool BindOne(const AuthoritativeSetForm& f) {
    return BindFlag(f, BoundFlag::Op::kAuthoritativeSet);
  }
  bool BindOne(const AuthoritativeClearForm& f) {
    return BindFlag(f, BoundFlag::Op::kAuthoritativeClear);
  }

  SymbolTable* table_;
  BindOutput* out_;
  BindError* error_;
};

}  // namespace

bool Bind(const std::vector<Form>& forms, SymbolTable* table, BindOutput* out, BindError* error) {
  out->forms.clear();
  out->journal.clear();
  out->forms.reserve(forms.size());
  *error = BindError{};
  const bool journal_was_open = table->journal_open();
  SymbolTable::UndoMark mark = table->Mark();
  Binder binder(table, out, error);
  for (const Form& form : forms) {
    if (!binder.BindForm(form)) {
      table->RollbackTo(mark);
      if (!journal_was_open) table->Commit();  // closes the (now empty) journal
      out->forms.clear();
      out->journal.clear();
      return false;
    }
  }
  return true;
}

}  // namespace urd::mem
