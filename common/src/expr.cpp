#include "mixq/common/expr.hpp"

#include <algorithm>
#include <vector>

#include <cctype>
#include <limits>

namespace mixq::expr {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const Variables& vars, bool check_only = false)
      : text_(text), vars_(vars), check_only_(check_only) {}

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
        if (rhs == 0) {
          if (check_only_) continue;
          fail("division by zero");
        }
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
      if (accept("(")) return call(name);
      const auto it = vars_.find(name);
      if (it == vars_.end()) fail("unknown name '" + std::string(name) + "'");
      return it->second;
    }
    fail(std::string("unexpected '") + ch + "'");
  }

  std::int64_t call(std::string_view name) {
    std::vector<std::int64_t> args{parse_or()};
    while (accept(",")) args.push_back(parse_or());
    if (!accept(")")) fail("missing ')' after the arguments of '" + std::string(name) + "'");
    const auto want = [&](std::size_t n) {
      if (args.size() != n) {
        fail("'" + std::string(name) + "' takes " + std::to_string(n) + " arguments, not " +
             std::to_string(args.size()));
      }
    };
    if (name == "ceil_div") {
      want(2);
      const std::int64_t a = args[0], b = args[1];
      if (b == 0) {
        // A syntax check evaluates with every name at 0; only real values divide by zero.
        if (check_only_) return 0;
        fail("division by zero in ceil_div");
      }
      if (b < 0 || a < 0) fail("ceil_div takes non-negative arguments");
      return a / b + (a % b != 0 ? 1 : 0);
    }
    if (name == "min") {
      want(2);
      return std::min(args[0], args[1]);
    }
    if (name == "max") {
      want(2);
      return std::max(args[0], args[1]);
    }
    fail("unknown function '" + std::string(name) + "' (known: ceil_div, min, max)");
  }

  std::string_view text_;
  const Variables& vars_;
  bool check_only_ = false;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t evaluate(std::string_view text, const Variables& vars) {
  return Parser(text, vars).parse();
}

void check(std::string_view text, const Variables& names) {
  Variables zeros;
  for (const auto& [name, value] : names) zeros.emplace(name, 0);
  (void)Parser(text, zeros, true).parse();
}

}  // namespace mixq::expr
