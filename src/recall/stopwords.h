// Copyright urd authors. English stop words for the BM25 tokenizer (tokenizer.h).
//
// The list is the Snowball project's English stop-word list (174 words, including
// contractions such as "don't" and "it's"): snowball.tartarus.org/algorithms/english/
// stop.txt, the list Lucene and PostgreSQL ship as their Snowball English stop words.
//
// Thread-safety: the list is immutable; every function may be called from any thread.

#ifndef URD_RECALL_STOPWORDS_H_
#define URD_RECALL_STOPWORDS_H_

#include <span>
#include <string_view>

namespace urd::recall {

// True when `word` is an English stop word. `word` must already be lowercase and
// spell apostrophes as ASCII '\'' ("don't", not "Don’t"); the tokenizer does both.
bool IsEnglishStopWord(std::string_view word);

// The whole list, sorted by byte order, without duplicates. Valid for the life of
// the process.
std::span<const std::string_view> EnglishStopWords();

}  // namespace urd::recall

#endif  // URD_RECALL_STOPWORDS_H_
