// Copyright urd authors.
//
// Source of the list: the Snowball English stop-word list,
// snowball.tartarus.org/algorithms/english/stop.txt (BSD licence; the same list
// Lucene ships as analysis/snowball/english_stop.txt). Every uncommented word of that
// file is here, and nothing else: the words it comments out on purpose ("will",
// "can", "may", "must", "might", "us", "mine", ...) are not stop words here either.

#include "recall/stopwords.h"

#include <algorithm>
#include <array>

namespace urd::recall {
namespace {

// Sorted by byte order (the apostrophe, 0x27, sorts before the letters), so that
// lookup is a binary search; the static_asserts below keep it that way.
constexpr std::array<std::string_view, 174> kEnglishStopWords = {
    "a",          "about",   "above",     "after",   "again",    "against",    "all",    "am",
    "an",         "and",     "any",       "are",     "aren't",   "as",         "at",     "be",
    "because",    "been",    "before",    "being",   "below",    "between",    "both",   "but",
    "by",         "can't",   "cannot",    "could",   "couldn't", "did",        "didn't", "do",
    "does",       "doesn't", "doing",     "don't",   "down",     "during",     "each",   "few",
    "for",        "from",    "further",   "had",     "hadn't",   "has",        "hasn't", "have",
    "haven't",    "having",  "he",        "he'd",    "he'll",    "he's",       "her",    "here",
    "here's",     "hers",    "herself",   "him",     "himself",  "his",        "how",    "how's",
    "i",          "i'd",     "i'll",      "i'm",     "i've",     "if",         "in",     "into",
    "is",         "isn't",   "it",        "it's",    "its",      "itself",     "let's",  "me",
    "more",       "most",    "mustn't",   "my",      "myself",   "no",         "nor",    "not",
    "of",         "off",     "on",        "once",    "only",     "or",         "other",  "ought",
    "our",        "ours",    "ourselves", "out",     "over",     "own",        "same",   "shan't",
    "she",        "she'd",   "she'll",    "she's",   "should",   "shouldn't",  "so",     "some",
    "such",       "than",    "that",      "that's",  "the",      "their",      "theirs", "them",
    "themselves", "then",    "there",     "there's", "these",    "they",       "they'd", "they'll",
    "they're",    "they've", "this",      "those",   "through",  "to",         "too",    "under",
    "until",      "up",      "very",      "was",     "wasn't",   "we",         "we'd",   "we'll",
    "we're",      "we've",   "were",      "weren't", "what",     "what's",     "when",   "when's",
    "where",      "where's", "which",     "while",   "who",      "who's",      "whom",   "why",
    "why's",      "with",    "won't",     "would",   "wouldn't", "you",        "you'd",  "you'll",
    "you're",     "you've",  "your",      "yours",   "yourself", "yourselves",
};

static_assert(std::ranges::is_sorted(kEnglishStopWords), "keep the list sorted");
static_assert(std::ranges::adjacent_find(kEnglishStopWords) == kEnglishStopWords.end(),
              "no duplicates");

}  // namespace

bool IsEnglishStopWord(std::string_view word) {
  return std::binary_search(kEnglishStopWords.begin(), kEnglishStopWords.end(), word);
}

std::span<const std::string_view> EnglishStopWords() { return kEnglishStopWords; }

}  // namespace urd::recall
