// Copyright urd authors. Renders canonical records back into the memory write
// language (docs/language.md) and describes any record in one line, for
// `urd decode`, `urd log` and error messages (reference/mimir-core.md §9.1).
//
// Thread-safety: pure functions of their arguments; the table is only read, so
// concurrent calls are safe as long as nobody mutates the table meanwhile.
//
// The round-trip contract of RenderForm(): parsing the returned text and binding
// it against the same `table` allocates nothing and gives back the record's fields
// — the same symbol ids, values (floats bit for bit, -0.0 and ±infinity
// included), confidence raw value, timestamps to the millisecond and flags. What a
// form cannot carry is not rendered: memory ids, observed_at of sem/pro/inf,
// committed_at, invalid_at and the inferential `stale` flag.
//
// Spelling:
//  * symbols by their current canonical name, `@name`; when the symbol's kind is
//    not the default kind of its slot (ir/binder.h) the annotation is added,
//    `@name:Kind`, so that re-binding does not fail with SymbolKindMismatch;
//  * integers in decimal; floats in fixed notation (the lexer has no exponent
//    syntax), the shortest digits that read back as the same double, always with a
//    `.`: 5.0, 0.1, -0.0, 1e300 as 1 followed by 300 zeros and `.0`, 5e-324 as
//    `0.`, 323 zeros and 5; ±infinity as a 309-digit literal (2 and 308 zeros)
//    that the lexer reads back as ±infinity; NaN has no spelling (see RenderForm);
//  * booleans true/false; strings quoted, with `\"` `\\` `\n` `\r` `\t` escaped and
//    everything else (any UTF-8) kept as is;
//  * timestamps `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` when the milliseconds are not 0
//    (mimir-core drops them; urd keeps them so the round trip is lossless);
//  * confidences with the fewest decimals that read back (through the lexer and
//    ConfidenceFromFloat, as the write path reads `:c`) to the same u16 raw value:
//    `0.8` (raw 52428), `0.9` (58981), `1.0`. No value needs more than 5 decimals
//    (tested exhaustively over all 65536); mimir-core always writes 5 (`0.80000`,
//    `0.89999`), which reads back the same but looks like a loss to a reader.

#ifndef URD_MEMORY_RENDER_H_
#define URD_MEMORY_RENDER_H_

#include <optional>
#include <string>
#include <string_view>

#include "memory/canonical.h"
#include "memory/symbol_table.h"
#include "memory/types.h"

namespace urd::mem {

// Renders a SEM, EPI, PRO or INF record, a flag record (PIN, UNPIN,
// AUTHORITATIVE_SET, AUTHORITATIVE_CLEAR) or a SYMBOL_ALIAS / SYMBOL_RENAME /
// SYMBOL_RETIRE record as one form of the write language:
//   (sem @s @p O :src @src :c C :v T[ :projected true])
//   (epi @event @kind (@p1 …) @location :at T :obs T :src @src :c C)
//   (pro @rule TRIGGER ACTION :scp @scope :src @src :c C[ :pre V])
//   (inf @s @p O (@parent …) @method :c C :v T[ :projected true])
//   (pin @memory :actor @who)   and unpin, authoritative_set, authoritative_clear
//   (alias @other @alias)    `other` is a name of the id other than the alias: its
//                            canonical name, else its first other alias. Bound
//                            against a table without the alias it attaches it
//                            (docs/decisions.md B1); against `table`, where both
//                            names already name the id, it is a no-op.
//   (rename @other @new)     `other` as for alias, a name of the id other than the
//                            new name; a no-op against `table` (already renamed).
//   (retire @name)           the current canonical name.
// Symbol-operation forms carry no `:Kind` annotations (the binder does not
// allocate in them).
// On success returns the text, without a trailing newline.
// Returns nullopt when the record is of another kind (edges, CHECKPOINT,
// EPISODE_META, SYMBOL_ALLOC, SYMBOL_UNRETIRE) or cannot be written so that it
// re-binds to the same fields: a symbol id that `table` does not know, a canonical
// name that is not a symbol name of the language (`[a-z_][a-z0-9_]*`), a NaN
// float, a string that is not UTF-8, a clock equal to kClockSentinel, an alias or
// rename whose id has no other name, or whose alias/new name names another id.
std::optional<std::string> RenderForm(const CanonicalRecord& record, const SymbolTable& table);

// One human-readable line for any record, never failing:
//   SEM __mem_0 at 2024-04-17T10:40:00Z (sem @alice @knows @bob …)
//   INF __mem_3 at T invalid_at T stale (inf …)      (invalid_at, stale when set)
//   PIN __mem_3 at T (pin @__mem_3 :actor @mira)
//   SUPERSEDES __mem_4 -> __mem_1 at 2024-01-15T00:00:00Z
//   CHECKPOINT __ep_0 at T memories 1
//   EPISODE_META __ep_1 at T label "x" parent __ep_0 retracted (__ep_0)
//                                                    (label, parent, retracted
//                                                     only when present)
//   SYMBOL_ALLOC #5 __ep_0 Memory at T               (the record's own name)
// Symbol ids are written by their canonical name in `table` (without `@`), or as
// `#id` when the table does not know them. When RenderForm() would return nullopt
// for a memory or flag record the form is still shown, with `#id` for unknown or
// unspellable symbols and `nil` for a NaN float (such text does not re-parse).
std::string DescribeRecord(const CanonicalRecord& record, const SymbolTable& table);

// ---- Pieces (the spellings of the file comment) ----

// "0.8": the fewest decimals (at least 1, at most 5) that read back, through the
// lexer's float syntax and ConfidenceFromFloat, to `c.raw`.
std::string RenderConfidence(Confidence c);

// The float literal of `v`; nullopt for NaN (the language has no spelling for it).
std::optional<std::string> RenderFloat(double v);

// `"…"` with the lexer's five escapes. REQUIRES (to re-lex): `s` is valid UTF-8.
std::string QuoteString(std::string_view s);

// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (from year 10000 on, hours past 9999-12-31 as
// FormatTimestampMillis writes them). REQUIRES: t != kClockSentinel.
std::string RenderTimestamp(ClockTime t);

}  // namespace urd::mem

#endif  // URD_MEMORY_RENDER_H_
