// Integer expressions in YAML files: block templates of workloads ("${cin*6}",
// when: "stride == 1 && cin == cout") and published per-core latency models of SoC engines
// ("ceil_div(K, 16) * ceil_div(P, 16) * C * Q * R * S + C * K * R * S").
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mixq::expr {

using Variables = std::map<std::string, std::int64_t, std::less<>>;

// Thrown with a message only; the loader adds the file, line and key path.
struct ExprError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Grammar (C precedence): or := and ('||' and)*; and := cmp ('&&' cmp)*;
// cmp := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?; sum := term (('+'|'-') term)*;
// term := unary (('*'|'/'|'%') unary)*; unary := ('-'|'!') unary | atom;
// atom := integer | name | name '(' or (',' or)* ')' | '(' or ')'.
// Division floors; division by zero and overflow are errors. Functions: ceil_div(a, b),
// min(a, b), max(a, b) — latency models are full of ⌈a/b⌉.
[[nodiscard]] std::int64_t evaluate(std::string_view text, const Variables& vars);

// Checks the syntax and that every name is in `names` (values are irrelevant), so that a file
// can be rejected at load time rather than when the expression is first used.
void check(std::string_view text, const Variables& names);

}  // namespace mixq::expr
