// Copyright urd authors.

#include "memory/canonical.h"

#include <bit>
#include <string>
#include <utility>

#include "base/utf8.h"
#include "base/varint.h"

namespace urd::mem {

const Opcode kAllOpcodes[kOpcodeCount] = {
    Opcode::kSem,
    Opcode::kEpi,
    Opcode::kPro,
    Opcode::kInf,
    Opcode::kSupersedes,
    Opcode::kCorrects,
    Opcode::kStaleParent,
    Opcode::kReconfirms,
    Opcode::kCheckpoint,
    Opcode::kEpisodeMeta,
    Opcode::kSymbolAlloc,
    Opcode::kSymbolRename,
    Opcode::kSymbolAlias,
    Opcode::kSymbolRetire,
    Opcode::kSymbolUnretire,
    Opcode::kPin,
    Opcode::kUnpin,
    Opcode::kAuthoritativeSet,
    Opcode::kAuthoritativeClear,
};

std::string_view OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kSem:
      return "SEM";
    case Opcode::kEpi:
      return "EPI";
    case Opcode::kPro:
      return "PRO";
    case Opcode::kInf:
      return "INF";
    case Opcode::kSupersedes:
      return "SUPERSEDES";
    case Opcode::kCorrects:
      return "CORRECTS";
    case Opcode::kStaleParent:
      return "STALE_PARENT";
    case Opcode::kReconfirms:
      return "RECONFIRMS";
    case Opcode::kCheckpoint:
      return "CHECKPOINT";
    case Opcode::kEpisodeMeta:
      return "EPISODE_META";
    case Opcode::kSymbolAlloc:
      return "SYMBOL_ALLOC";
    case Opcode::kSymbolRename:
      return "SYMBOL_RENAME";
    case Opcode::kSymbolAlias:
      return "SYMBOL_ALIAS";
    case Opcode::kSymbolRetire:
      return "SYMBOL_RETIRE";
    case Opcode::kSymbolUnretire:
      return "SYMBOL_UNRETIRE";
    case Opcode::kPin:
      return "PIN";
    case Opcode::kUnpin:
      return "UNPIN";
    case Opcode::kAuthoritativeSet:
      return "AUTHORITATIVE_SET";
    case Opcode::kAuthoritativeClear:
      return "AUTHORITATIVE_CLEAR";
  }
  return "UNKNOWN";
}

std::optional<Opcode> OpcodeFromByte(uint8_t byte) {
  for (Opcode op : kAllOpcodes) {
    if (static_cast<uint8_t>(op) == byte) return op;
  }
  return std::nullopt;
}

namespace {

constexpr uint8_t kEdgeBase = 0x10;
constexpr uint8_t kSymbolBase = 0x30;
constexpr uint8_t kFlagBase = 0x35;

constexpr uint8_t kSemFlagMask = 0x01;  // bit0 projected
constexpr uint8_t kInfFlagMask = 0x03;  // bit0 projected, bit1 stale

struct OpcodeVisitor {
  Opcode operator()(const SemRecord&) const { return Opcode::kSem; }
  Opcode operator()(const EpiRecord&) const { return Opcode::kEpi; }
  Opcode operator()(const ProRecord&) const { return Opcode::kPro; }
  Opcode operator()(const InfRecord&) const { return Opcode::kInf; }
  Opcode operator()(const EdgeRecord& r) const {
    return static_cast<Opcode>(kEdgeBase + static_cast<uint8_t>(r.kind));
  }
  Opcode operator()(const CheckpointRecord&) const { return Opcode::kCheckpoint; }
  Opcode operator()(const EpisodeMetaRecord&) const { return Opcode::kEpisodeMeta; }
  Opcode operator()(const SymbolEventRecord& r) const {
    return static_cast<Opcode>(kSymbolBase + static_cast<uint8_t>(r.kind));
  }
  Opcode operator()(const FlagRecord& r) const {
    return static_cast<Opcode>(kFlagBase + static_cast<uint8_t>(r.kind));
  }
};

// ---- Encoding ----

void PutClock(std::string* b, ClockTime t) { PutFixed64(b, t); }

void PutOptClock(std::string* b, const std::optional<ClockTime>& t) {
  PutFixed64(b, t.value_or(kClockSentinel));
}

void PutConf(std::string* b, Confidence c) { PutFixed16(b, c.raw); }

void PutBytes(std::string* b, std::string_view s) {
  PutVarint64(b, s.size());
  b->append(s);
}

void PutSymbols(std::string* b, const std::vector<SymbolId>& ids) {
  PutVarint64(b, ids.size());
  for (SymbolId id : ids) PutVarint64(b, id);
}

void PutValue(std::string* b, const Value& v) {
  b->push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case Value::Type::kSymbol:
      PutVarint64(b, v.symbol());
      break;
    case Value::Type::kInteger:
      PutVarsint64(b, v.integer());
      break;
    case Value::Type::kFloat:
      PutFixed64(b, std::bit_cast<uint64_t>(v.float_value()));
      break;
    case Value::Type::kBoolean:
      b->push_back(v.boolean() ? 1 : 0);
      break;
    case Value::Type::kString:
      PutBytes(b, v.string());
      break;
    case Value::Type::kTimestamp:
      PutClock(b, v.timestamp());
      break;
  }
}

// Writes a record's body (without opcode and length) to `b`.
struct BodyEncoder {
  std::string* b;

  void operator()(const SemRecord& r) const {
    PutVarint64(b, r.memory_id);
    PutVarint64(b, r.s);
    PutVarint64(b, r.p);
    PutValue(b, r.o);
    PutVarint64(b, r.source);
    PutConf(b, r.confidence);
    PutClock(b, r.valid_at);
    PutClock(b, r.observed_at);
    PutClock(b, r.committed_at);
    PutOptClock(b, r.invalid_at);
    b->push_back(r.projected ? 1 : 0);
  }
  void operator()(const EpiRecord& r) const {
    PutVarint64(b, r.memory_id);
    PutVarint64(b, r.event_id);
    PutVarint64(b, r.kind);
    PutSymbols(b, r.participants);
    PutVarint64(b, r.location);
    PutClock(b, r.at_time);
    PutClock(b, r.observed_at);
    PutVarint64(b, r.source);
    PutConf(b, r.confidence);
    PutClock(b, r.committed_at);
    PutOptClock(b, r.invalid_at);
  }
  void operator()(const ProRecord& r) const {
    PutVarint64(b, r.memory_id);
    PutVarint64(b, r.rule_id);
    PutValue(b, r.trigger);
    PutValue(b, r.action);
    b->push_back(r.precondition.has_value() ? 1 : 0);
    if (r.precondition.has_value()) PutValue(b, *r.precondition);
    PutVarint64(b, r.scope);
    PutVarint64(b, r.source);
    PutConf(b, r.confidence);
    PutClock(b, r.valid_at);
    PutClock(b, r.observed_at);
    PutClock(b, r.committed_at);
    PutOptClock(b, r.invalid_at);
  }
  void operator()(const InfRecord& r) const {
    PutVarint64(b, r.memory_id);
    PutVarint64(b, r.s);
    PutVarint64(b, r.p);
    PutValue(b, r.o);
    PutSymbols(b, r.derived_from);
    PutVarint64(b, r.method);
    PutConf(b, r.confidence);
    PutClock(b, r.valid_at);
    PutClock(b, r.observed_at);
    PutClock(b, r.committed_at);
    PutOptClock(b, r.invalid_at);
    b->push_back(static_cast<char>((r.projected ? 1 : 0) | (r.stale ? 2 : 0)));
  }
  void operator()(const EdgeRecord& r) const {
    PutVarint64(b, r.from);
    PutVarint64(b, r.to);
    PutClock(b, r.at);
  }
  void operator()(const CheckpointRecord& r) const {
    PutVarint64(b, r.episode_id);
    PutClock(b, r.at);
    PutVarint64(b, r.memory_count);
  }
  void operator()(const EpisodeMetaRecord& r) const {
    PutVarint64(b, r.episode_id);
    PutClock(b, r.at);
    PutBytes(b, r.label);
    b->push_back(r.parent.has_value() ? 1 : 0);
    if (r.parent.has_value()) PutVarint64(b, *r.parent);
    PutSymbols(b, r.retracted);
  }
  void operator()(const SymbolEventRecord& r) const {
    PutVarint64(b, r.symbol_id);
    PutBytes(b, r.name);
    b->push_back(static_cast<char>(r.symbol_kind));
    PutClock(b, r.at);
  }
  void operator()(const FlagRecord& r) const {
    PutVarint64(b, r.memory_id);
    PutClock(b, r.at);
    PutVarint64(b, r.actor);
  }
};

// ---- Decoding ----

DecodeErrorKind FromVarintError(VarintError e) {
  switch (e) {
    case VarintError::kOk:
      return DecodeErrorKind::kOk;
    case VarintError::kTruncated:
      return DecodeErrorKind::kTruncated;
    case VarintError::kOverflow:
      return DecodeErrorKind::kVarintOverflow;
    case VarintError::kNonCanonical:
      return DecodeErrorKind::kNonCanonicalVarint;
  }
  return DecodeErrorKind::kTruncated;
}

// Reads the fields of one body. Every read either succeeds and advances, or
// records the first error (kind and absolute offset) and returns false.
class BodyReader {
 public:
  BodyReader(std::string_view body, uint64_t base) : data_(body), base_(base) {}

  const DecodeError& error() const { return error_; }
  bool done() const { return pos_ == data_.size(); }
  uint64_t offset() const { return base_ + pos_; }
  size_t pos() const { return pos_; }

  // Records `kind` at body position `at`; returns false.
  bool Fail(DecodeErrorKind kind, size_t at) {
    error_ = DecodeError{kind, base_ + at};
    return false;
  }

  bool Byte(uint8_t* v) {
    if (Remaining() < 1) return Fail(DecodeErrorKind::kTruncated, pos_);
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }

  bool U16(uint16_t* v) {
    if (Remaining() < 2) return Fail(DecodeErrorKind::kTruncated, pos_);
    *v = DecodeFixed16(data_.data() + pos_);
    pos_ += 2;
    return true;
  }

  bool U64(uint64_t* v) {
    if (Remaining() < 8) return Fail(DecodeErrorKind::kTruncated, pos_);
    *v = DecodeFixed64(data_.data() + pos_);
    pos_ += 8;
    return true;
  }

  bool Varint(uint64_t* v) {
    std::string_view rest = data_.substr(pos_);
    const VarintError e = DecodeVarint64(&rest, v);
    if (e != VarintError::kOk) return Fail(FromVarintError(e), pos_);
    pos_ = data_.size() - rest.size();
    return true;
  }

  bool Conf(Confidence* c) { return U16(&c->raw); }

  bool Clock(ClockTime* t) {
    const size_t at = pos_;
    if (!U64(t)) return false;
    if (*t == kClockSentinel) return Fail(DecodeErrorKind::kReservedClockSentinel, at);
    return true;
  }

  bool OptClock(std::optional<ClockTime>* t) {
    uint64_t raw = 0;
    if (!U64(&raw)) return false;
    *t = raw == kClockSentinel ? std::nullopt : std::optional<ClockTime>(raw);
    return true;
  }

  // A flags byte whose bits outside `allowed` must be zero.
  bool Flags(uint8_t allowed, uint8_t* flags) {
    const size_t at = pos_;
    if (!Byte(flags)) return false;
    if ((*flags & ~allowed) != 0) return Fail(DecodeErrorKind::kInvalidFlagBits, at);
    return true;
  }

  // varint length + UTF-8 bytes. Errors point at the length.
  bool String(std::string* s) {
    const size_t at = pos_;
    uint64_t len = 0;
    if (!Varint(&len)) return false;
    if (len > Remaining()) return Fail(DecodeErrorKind::kTruncated, at);
    const std::string_view bytes = data_.substr(pos_, static_cast<size_t>(len));
    if (!IsValidUtf8(bytes)) return Fail(DecodeErrorKind::kInvalidString, at);
    s->assign(bytes);
    pos_ += bytes.size();
    return true;
  }

  // varint count + that many symbol varints. Every symbol takes at least one
  // byte, so a count above the bytes left fails before anything is allocated.
  bool Symbols(std::vector<SymbolId>* ids) {
    const size_t at = pos_;
    uint64_t n = 0;
    if (!Varint(&n)) return false;
    if (n > Remaining()) return Fail(DecodeErrorKind::kTruncated, at);
    ids->clear();
    ids->reserve(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      SymbolId id = 0;
      if (!Varint(&id)) return false;
      ids->push_back(id);
    }
    return true;
  }

  bool Val(Value* v) {
    const size_t at = pos_;
    uint8_t tag = 0;
    if (!Byte(&tag)) return false;
    switch (tag) {
      case static_cast<uint8_t>(Value::Type::kSymbol): {
        uint64_t id = 0;
        if (!Varint(&id)) return false;
        *v = Value::Symbol(id);
        return true;
      }
      case static_cast<uint8_t>(Value::Type::kInteger): {
        uint64_t zz = 0;
        if (!Varint(&zz)) return false;
        *v = Value::Integer(ZigZagDecode(zz));
        return true;
      }
      case static_cast<uint8_t>(Value::Type::kFloat): {
        uint64_t bits = 0;
        if (!U64(&bits)) return false;
        *v = Value::Float(std::bit_cast<double>(bits));
        return true;
      }
      case static_cast<uint8_t>(Value::Type::kBoolean): {
        uint8_t b = 0;
        if (!Byte(&b)) return false;
        *v = Value::Boolean(b != 0);
        return true;
      }
      case static_cast<uint8_t>(Value::Type::kString): {
        std::string s;
        if (!String(&s)) return false;
        *v = Value::String(std::move(s));
        return true;
      }
      case static_cast<uint8_t>(Value::Type::kTimestamp): {
        ClockTime t = 0;
        if (!Clock(&t)) return false;
        *v = Value::Timestamp(t);
        return true;
      }
      default:
        return Fail(DecodeErrorKind::kUnknownValueTag, at);
    }
  }

 private:
  size_t Remaining() const { return data_.size() - pos_; }

  std::string_view data_;
  size_t pos_ = 0;
  uint64_t base_;
  DecodeError error_;
};

bool ReadSem(BodyReader& r, SemRecord* rec) {
  uint8_t flags = 0;
  if (!(r.Varint(&rec->memory_id) && r.Varint(&rec->s) && r.Varint(&rec->p) && r.Val(&rec->o) &&
        r.Varint(&rec->source) && r.Conf(&rec->confidence) && r.Clock(&rec->valid_at) &&
        r.Clock(&rec->observed_at) && r.Clock(&rec->committed_at) && r.OptClock(&rec->invalid_at) &&
        r.Flags(kSemFlagMask, &flags))) {
    return false;
  }
  rec->projected = (flags & 0x01) != 0;
  return true;
}

bool ReadEpi(BodyReader& r, EpiRecord* rec) {
  return r.Varint(&rec->memory_id) && r.Varint(&rec->event_id) && r.Varint(&rec->kind) &&
         r.Symbols(&rec->participants) && r.Varint(&rec->location) && r.Clock(&rec->at_time) &&
         r.Clock(&rec->observed_at) && r.Varint(&rec->source) && r.Conf(&rec->confidence) &&
         r.Clock(&rec->committed_at) && r.OptClock(&rec->invalid_at);
}

bool ReadPro(BodyReader& r, ProRecord* rec) {
  if (!(r.Varint(&rec->memory_id) && r.Varint(&rec->rule_id) && r.Val(&rec->trigger) &&
        r.Val(&rec->action))) {
    return false;
  }
  const size_t at = r.pos();
  uint8_t has_pre = 0;
  if (!r.Byte(&has_pre)) return false;
  if (has_pre > 1) return r.Fail(DecodeErrorKind::kInvalidDiscriminant, at);
  if (has_pre == 1) {
    Value pre;
    if (!r.Val(&pre)) return false;
    rec->precondition = std::move(pre);
  }
  return r.Varint(&rec->scope) && r.Varint(&rec->source) && r.Conf(&rec->confidence) &&
         r.Clock(&rec->valid_at) && r.Clock(&rec->observed_at) && r.Clock(&rec->committed_at) &&
         r.OptClock(&rec->invalid_at);
}

bool ReadInf(BodyReader& r, InfRecord* rec) {
  uint8_t flags = 0;
  if (!(r.Varint(&rec->memory_id) && r.Varint(&rec->s) && r.Varint(&rec->p) && r.Val(&rec->o) &&
        r.Symbols(&rec->derived_from) && r.Varint(&rec->method) && r.Conf(&rec->confidence) &&
        r.Clock(&rec->valid_at) && r.Clock(&rec->observed_at) && r.Clock(&rec->committed_at) &&
        r.OptClock(&rec->invalid_at) && r.Flags(kInfFlagMask, &flags))) {
    return false;
  }
  rec->projected = (flags & 0x01) != 0;
  rec->stale = (flags & 0x02) != 0;
  return true;
}

bool ReadEpisodeMeta(BodyReader& r, EpisodeMetaRecord* rec) {
  if (!(r.Varint(&rec->episode_id) && r.Clock(&rec->at) && r.String(&rec->label))) return false;
  // A parent tag other than 0/1 is reported as kInvalidString, as mimir-core does.
  const size_t at = r.pos();
  uint8_t parent_tag = 0;
  if (!r.Byte(&parent_tag)) return false;
  if (parent_tag > 1) return r.Fail(DecodeErrorKind::kInvalidString, at);
  if (parent_tag == 1) {
    SymbolId parent = 0;
    if (!r.Varint(&parent)) return false;
    rec->parent = parent;
  }
  return r.Symbols(&rec->retracted);
}

bool ReadSymbolEvent(BodyReader& r, SymbolEventRecord* rec) {
  if (!(r.Varint(&rec->symbol_id) && r.String(&rec->name))) return false;
  const size_t at = r.pos();
  uint8_t ordinal = 0;
  if (!r.Byte(&ordinal)) return false;
  const std::optional<SymbolKind> kind = SymbolKindFromOrdinal(ordinal);
  if (!kind.has_value()) return r.Fail(DecodeErrorKind::kUnknownSymbolKind, at);
  rec->symbol_kind = *kind;
  return r.Clock(&rec->at);
}

template <typename T, typename ReadFn>
bool ReadInto(BodyReader& r, CanonicalRecord* out, ReadFn read, T rec = T{}) {
  if (!read(r, &rec)) return false;
  *out = std::move(rec);
  return true;
}

bool ReadEdge(BodyReader& r, EdgeRecord* rec) {
  return r.Varint(&rec->from) && r.Varint(&rec->to) && r.Clock(&rec->at);
}

bool ReadCheckpoint(BodyReader& r, CheckpointRecord* rec) {
  return r.Varint(&rec->episode_id) && r.Clock(&rec->at) && r.Varint(&rec->memory_count);
}

bool ReadFlag(BodyReader& r, FlagRecord* rec) {
  return r.Varint(&rec->memory_id) && r.Clock(&rec->at) && r.Varint(&rec->actor);
}

// Decodes the body of an `op` record into `*out`.
bool ReadBody(Opcode op, BodyReader& r, CanonicalRecord* out) {
  const auto code = static_cast<uint8_t>(op);
  switch (op) {
    case Opcode::kSem:
      return ReadInto<SemRecord>(r, out, ReadSem);
    case Opcode::kEpi:
      return ReadInto<EpiRecord>(r, out, ReadEpi);
    case Opcode::kPro:
      return ReadInto<ProRecord>(r, out, ReadPro);
    case Opcode::kInf:
      return ReadInto<InfRecord>(r, out, ReadInf);
    case Opcode::kSupersedes:
    case Opcode::kCorrects:
    case Opcode::kStaleParent:
    case Opcode::kReconfirms:
      return ReadInto<EdgeRecord>(r, out, ReadEdge,
                                  EdgeRecord{static_cast<EdgeKind>(code - kEdgeBase)});
    case Opcode::kCheckpoint:
      return ReadInto<CheckpointRecord>(r, out, ReadCheckpoint);
    case Opcode::kEpisodeMeta:
      return ReadInto<EpisodeMetaRecord>(r, out, ReadEpisodeMeta);
    case Opcode::kSymbolAlloc:
    case Opcode::kSymbolRename:
    case Opcode::kSymbolAlias:
    case Opcode::kSymbolRetire:
    case Opcode::kSymbolUnretire:
      return ReadInto<SymbolEventRecord>(
          r, out, ReadSymbolEvent,
          SymbolEventRecord{static_cast<SymbolEventKind>(code - kSymbolBase)});
    case Opcode::kPin:
    case Opcode::kUnpin:
    case Opcode::kAuthoritativeSet:
    case Opcode::kAuthoritativeClear:
      return ReadInto<FlagRecord>(r, out, ReadFlag,
                                  FlagRecord{static_cast<FlagKind>(code - kFlagBase)});
  }
  return r.Fail(DecodeErrorKind::kUnknownOpcode, 0);
}

struct CommitClockVisitor {
  ClockTime operator()(const SemRecord& r) const { return r.committed_at; }
  ClockTime operator()(const EpiRecord& r) const { return r.committed_at; }
  ClockTime operator()(const ProRecord& r) const { return r.committed_at; }
  ClockTime operator()(const InfRecord& r) const { return r.committed_at; }
  template <typename T>
  ClockTime operator()(const T& r) const {
    return r.at;
  }
};

std::string Id(SymbolId id) { return "#" + std::to_string(id); }

struct NameVisitor {
  std::string operator()(const SemRecord& r) const { return Id(r.memory_id); }
  std::string operator()(const EpiRecord& r) const { return Id(r.memory_id); }
  std::string operator()(const ProRecord& r) const { return Id(r.memory_id); }
  std::string operator()(const InfRecord& r) const { return Id(r.memory_id); }
  std::string operator()(const EdgeRecord& r) const { return Id(r.from) + "->" + Id(r.to); }
  std::string operator()(const CheckpointRecord& r) const { return Id(r.episode_id); }
  std::string operator()(const EpisodeMetaRecord& r) const { return Id(r.episode_id); }
  std::string operator()(const SymbolEventRecord& r) const { return Id(r.symbol_id); }
  std::string operator()(const FlagRecord& r) const { return Id(r.memory_id); }
};

}  // namespace

ClockTime CommitClock(const CanonicalRecord& record) {
  return std::visit(CommitClockVisitor{}, record);
}

std::string RecordName(const CanonicalRecord& record) {
  std::string name(OpcodeName(OpcodeOf(record)));
  name += ' ';
  name += std::visit(NameVisitor{}, record);
  return name;
}

std::string_view DecodeErrorKindName(DecodeErrorKind kind) {
  switch (kind) {
    case DecodeErrorKind::kOk:
      return "ok";
    case DecodeErrorKind::kTruncated:
      return "truncated";
    case DecodeErrorKind::kLengthMismatch:
      return "length mismatch";
    case DecodeErrorKind::kUnknownOpcode:
      return "unknown opcode";
    case DecodeErrorKind::kUnknownValueTag:
      return "unknown value tag";
    case DecodeErrorKind::kInvalidString:
      return "invalid string";
    case DecodeErrorKind::kReservedClockSentinel:
      return "reserved clock sentinel";
    case DecodeErrorKind::kUnknownSymbolKind:
      return "unknown symbol kind";
    case DecodeErrorKind::kBodyUnderflow:
      return "body underflow";
    case DecodeErrorKind::kVarintOverflow:
      return "varint overflow";
    case DecodeErrorKind::kNonCanonicalVarint:
      return "non-canonical varint";
    case DecodeErrorKind::kInvalidFlagBits:
      return "invalid flag bits";
    case DecodeErrorKind::kInvalidDiscriminant:
      return "invalid discriminant";
  }
  return "unknown error";
}

std::string DecodeError::ToString() const {
  if (ok()) return "ok";
  return std::string(DecodeErrorKindName(kind)) + " at offset " + std::to_string(offset);
}

Status DecodeError::ToStatus() const {
  if (ok()) return Status::OK();
  return Status::Corruption("canonical record: " + ToString());
}

DecodeError DecodeRecord(std::string_view* in, CanonicalRecord* out) {
  const std::string_view input = *in;
  if (input.empty()) return {DecodeErrorKind::kTruncated, 0};
  const std::optional<Opcode> op = OpcodeFromByte(static_cast<uint8_t>(input[0]));
  if (!op.has_value()) return {DecodeErrorKind::kUnknownOpcode, 0};

  std::string_view rest = input.substr(1);
  uint64_t body_len = 0;
  const VarintError e = DecodeVarint64(&rest, &body_len);
  if (e != VarintError::kOk) return {FromVarintError(e), 1};
  if (body_len > rest.size()) return {DecodeErrorKind::kLengthMismatch, 1};

  const size_t body_start = input.size() - rest.size();
  BodyReader reader(rest.substr(0, static_cast<size_t>(body_len)), body_start);
  CanonicalRecord record;
  if (!ReadBody(*op, reader, &record)) return reader.error();
  if (!reader.done()) return {DecodeErrorKind::kBodyUnderflow, reader.offset()};

  *out = std::move(record);
  in->remove_prefix(body_start + static_cast<size_t>(body_len));
  return {};
}

DecodeError DecodeAll(std::string_view in, std::vector<CanonicalRecord>* out) {
  const size_t total = in.size();
  while (!in.empty()) {
    const uint64_t start = total - in.size();
    CanonicalRecord record;
    DecodeError error = DecodeRecord(&in, &record);
    if (!error.ok()) {
      error.offset += start;
      return error;
    }
    out->push_back(std::move(record));
  }
  return {};
}

Opcode OpcodeOf(const CanonicalRecord& record) { return std::visit(OpcodeVisitor{}, record); }

void EncodeRecord(const CanonicalRecord& record, std::string* out) {
  std::string body;
  std::visit(BodyEncoder{&body}, record);
  out->push_back(static_cast<char>(OpcodeOf(record)));
  PutVarint64(out, body.size());
  out->append(body);
}

}  // namespace urd::mem
