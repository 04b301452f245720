#include "expr.hpp"

#include <cctype>
#include <limits>

namespace mixq::workloads::detail {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const Variables& vars) : text_(text), vars_(vars) {}

  std::int64_t parse() {
    const std::int64_t value = parse_or();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(text_.substr(pos_)) + "'");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ExprError("in expression '" + std::string(text_) + "': " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) ++pos_;
  }

  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) == token) {
      pos_ += token.size();
      return true;
    }
    return false;
  }

  std::int64_t parse_or() {
    std::int64_t value = parse_and();
    while (accept("||")) {
      const std::int64_t rhs = parse_and();
      value = (value != 0 || rhs != 0) ? 1 : 0;
    }
    return value;
  }

  std::int64_t parse_and() {
    std::int64_t value = parse_cmp();
    while (accept("&&")) {
      const std::int64_t rhs = parse_cmp();
      value = (value != 0 && rhs != 0) ? 1 : 0;
    }
    return value;
  }

  std::int64_t parse_cmp() {
    const std::int64_t lhs = parse_sum();
    // Two-character operators first so that "<=" is not read as "<".
    if (accept("==")) return lhs == parse_sum() ? 1 : 0;
    if (accept("!=")) return lhs != parse_sum() ? 1 : 0;
    if (accept("<=")) return lhs <= parse_sum() ? 1 : 0;
    if (accept(">=")) return lhs >= parse_sum() ? 1 : 0;
    if (accept("<")) return lhs < parse_sum() ? 1 : 0;
    if (accept(">")) return lhs > parse_sum() ? 1 : 0;
    return lhs;
  }

  std::int64_t parse_sum() {
    std::int64_t value = parse_term();
    while (true) {
      if (accept("+")) {
        if (__builtin_add_overflow(value, parse_term(), &value)) fail("integer overflow");
      } else if (accept("-")) {
        if (__builtin_sub_overflow(value, parse_term(), &value)) fail("integer overflow");
      } else {
        return value;
      }
    }
  }

  std::int64_t parse_term() {
    std::int64_t value = parse_unary();
    while (true) {
      if (accept("*")) {
        if (__builtin_mul_overflow(value, parse_unary(), &value)) fail("integer overflow");
      } else if (accept("/") || accept("%")) {
        const bool is_div = text_[pos_ - 1] == '/';
        const std::int64_t rhs = parse_unary();
        if (rhs == 0) fail("division by zero");
        if (rhs == -1 && value == std::numeric_limits<std::int64_t>::min()) fail("integer overflow");
        if (is_div) {
          std::int64_t quotient = value / rhs;
          if ((value % rhs != 0) && ((value < 0) != (rhs < 0))) --quotient;
          value = quotient;
        } else {
          value = ((value % rhs) + rhs) % rhs;
        }
      } else {
        return value;
      }
    }
  }

  std::int64_t parse_unary() {
    if (accept("-")) {
      const std::int64_t v = parse_unary();
      if (v == std::numeric_limits<std::int64_t>::min()) fail("integer overflow");
      return -v;
    }
    if (accept("!=")) fail("unexpected '!='");
    if (accept("!")) return parse_unary() == 0 ? 1 : 0;
    return parse_atom();
  }

  std::int64_t parse_atom() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char ch = text_[pos_];
    if (ch == '(') {
      ++pos_;
      const std::int64_t value = parse_or();
      if (!accept(")")) fail("missing ')'");
      return value;
    }
    if (std::isdigit(static_cast<unsigned char>(ch)) != 0) {
      std::int64_t value = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0) {
        value = value * 10 + (text_[pos_++] - '0');
        if (value > (std::int64_t{1} << 52)) fail("number too large");
      }
      return value;
    }
    if (std::isalpha(static_cast<unsigned char>(ch)) != 0 || ch == '_') {
      const std::size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '_')) {
        ++pos_;
      }
      const std::string_view name = text_.substr(start, pos_ - start);
      const auto it = vars_.find(name);
      if (it == vars_.end()) fail("unknown name '" + std::string(name) + "'");
      return it->second;
    }
    fail(std::string("unexpected '") + ch + "'");
  }

  std::string_view text_;
  const Variables& vars_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t evaluate(std::string_view text, const Variables& vars) {
  return Parser(text, vars).parse();
}

}  // namespace mixq::workloads::detail
